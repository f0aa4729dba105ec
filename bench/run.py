"""Whole-process benchmarks of iaclint (run by hand; never part of the unit tests).

    python bench/run.py [--runs N] [--skip-precommit]

Reports the median wall time (and, for the CLI runs, CPU time: user + system of the child, which a
busy shared machine inflates less) of:
* ``iaclint check`` on one typical ``.tf`` file (target <= 0.2 s CPU on a 2-core machine);
* ``iaclint check fixtures/`` (the whole fixtures directory);
* parsing alone vs. parsing + evaluation of the fixtures' Terraform modules, and what evaluation
  adds to the whole-process time of ``iaclint check fixtures/`` (target: < 30 %);
* the pre-commit hook, run by the real ``pre-commit`` on a repository of 200 Terraform files with
  one changed file (target < 1 s).

How cost grows with the size of the input (synthetic trees of 1k-30k resources, the real
repositories, the CloudFormation set) is ``bench/scale.py``'s job.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

REPO = pathlib.Path(__file__).resolve().parent.parent
IACLINT = shutil.which("iaclint") or str(pathlib.Path(sys.executable).parent / "iaclint")


def median_time(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(args: list[str], cwd: pathlib.Path | None = None) -> float:
    """Runs ``args``; the child's CPU seconds (user + system)."""
    child = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    return usage.ru_utime + usage.ru_stime


def median_wall_and_cpu(args: list[str], runs: int) -> tuple[float, float]:
    cpu: list[float] = []
    wall = median_time(lambda: cpu.append(run(args)), runs)
    return wall, statistics.median(cpu)


def bench_cli(runs: int) -> float:
    typical = REPO / "examples" / "terraform" / "main.tf"
    wall, cpu = median_wall_and_cpu([IACLINT, "check", str(typical)], runs)
    print(
        f"iaclint check <one typical .tf file, {len(typical.read_text().splitlines())} lines>: "
        f"{cpu:.2f} s CPU (target <= 0.2 s), {wall * 1000:.0f} ms wall"
    )
    wall, cpu = median_wall_and_cpu([IACLINT, "check", str(REPO / "fixtures")], max(1, runs // 2))
    print(f"iaclint check fixtures/: {cpu:.2f} s CPU, {wall * 1000:.0f} ms wall")
    return wall


def bench_evaluation(runs: int, whole_process: float) -> None:
    sys.path.insert(0, str(REPO))
    from linter.discover.walk import discover
    from linter.frontends.terraform.hcl import load_module
    from linter.frontends.terraform.module import evaluate_module
    from linter.frontends.terraform.modules import clear_caches
    from linter.options import ScanOptions

    root = REPO
    found = discover([str(REPO / "fixtures")], root, (".terraform", ".git"))
    options = ScanOptions()

    def parse_only() -> None:
        clear_caches()
        for module_dir in found.module_dirs:
            load_module(root, module_dir)

    def parse_and_evaluate() -> None:
        clear_caches()  # evaluation parses through a per-process cache: start cold
        for module_dir in found.module_dirs:
            evaluate_module(root, module_dir, options)

    parse_only()  # warm imports
    parse_and_evaluate()
    t_parse = median_time(parse_only, runs)
    t_eval = median_time(parse_and_evaluate, runs)
    print(
        f"fixtures ({len(found.module_dirs)} Terraform modules): parse {t_parse * 1000:.0f} ms, "
        f"parse+evaluate {t_eval * 1000:.0f} ms, evaluation adds "
        f"{(t_eval / t_parse - 1) * 100 if t_parse else 0:.0f} % of parsing alone"
    )
    evaluation = t_eval - t_parse
    rest = whole_process - evaluation
    print(
        f"whole process, iaclint check fixtures/: evaluation adds {evaluation * 1000:.0f} ms to "
        f"the other {rest * 1000:.0f} ms = {evaluation / rest * 100:.1f} % (target < 30 %)"
    )


def bench_precommit(runs: int) -> None:
    pre_commit = shutil.which("pre-commit") or str(
        pathlib.Path(sys.executable).parent / "pre-commit"
    )
    if not pathlib.Path(pre_commit).exists():
        print("pre-commit: not installed, skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        repo = pathlib.Path(tmp)
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "b",
            "GIT_AUTHOR_EMAIL": "b@example.com",
            "GIT_COMMITTER_NAME": "b",
            "GIT_COMMITTER_EMAIL": "b@example.com",
            "PRE_COMMIT_HOME": str(repo / ".cache"),
        }
        for i in range(200):
            module = repo / f"stack{i // 10:02d}"
            module.mkdir(exist_ok=True)
            (module / f"instance{i}.tf").write_text(
                f'resource "aws_instance" "i{i}" {{\n  ami = "ami-{i:08d}"\n'
                f'  metadata_options {{\n    http_tokens = "required"\n  }}\n}}\n'
            )
        (repo / ".pre-commit-config.yaml").write_text(
            "repos:\n- repo: local\n  hooks:\n  - id: iaclint\n    name: iaclint\n"
            f"    entry: {IACLINT} check\n    language: system\n"
            "    files: \\.(tf|tf\\.json|ya?ml|json)$\n    require_serial: true\n"
        )
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
        subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)
        subprocess.run(["git", "commit", "-qm", "init"], cwd=repo, check=True, env=env)
        changed = repo / "stack05" / "instance55.tf"
        changed.write_text(changed.read_text().replace("ami-", "ami-x"))
        subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)

        def hook() -> None:
            subprocess.run(
                [pre_commit, "run", "iaclint"],
                cwd=repo,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )

        hook()
        t_hook = median_time(hook, runs)
        print(
            f"pre-commit hook, 200 Terraform files, 1 changed: {t_hook * 1000:.0f} ms "
            "(target < 1000 ms)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-precommit", action="store_true")
    args = parser.parse_args(argv)
    whole = bench_cli(args.runs)
    bench_evaluation(args.runs, whole)
    if not args.skip_precommit:
        bench_precommit(max(3, args.runs // 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
