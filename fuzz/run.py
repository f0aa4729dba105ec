"""The long fuzz job: many inputs through every front end, evaluator and the IAM policy reader.

    python fuzz/run.py --inputs 100000 [--seed 1] [--only hcl-module,cfn-text] [--json out.json]

The inputs come from the Hypothesis strategies of ``tests/strategies.py`` (structure-aware
generation, and mutations of the project's fixtures), split over the targets of
``tests/fuzz_targets.py`` by weight. Unlike the property tests in CI (a fixed, small number of
examples that stop at the first failure), every target runs until its share is spent, and each
failure is recorded -- grouped by exception type and the innermost frame of the package, with
the smallest input seen for it -- and the run goes on. The exit code is 1 when anything failed.
Run it from the repository root with the test dependencies installed; it needs no network.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests import fuzz_targets, strategies


@dataclass
class Target:
    name: str
    weight: int
    strategy: st.SearchStrategy[Any]
    run: Callable[[Any], None]


def _function_call(args: tuple[str, list[Any]]) -> None:
    fuzz_targets.tf_function(*args)


def _cfn_generated(template: dict[str, Any]) -> None:
    fuzz_targets.cfn_template(json.dumps(template).encode(), json_name=True)


TARGETS = [
    Target("hcl-module", 10, strategies.hcl_files(), fuzz_targets.hcl_module),
    Target("hcl-bytes", 12, st.binary(max_size=600) | strategies.hcl_files().map(
        lambda s: s.encode("utf-8", "surrogatepass")), fuzz_targets.hcl_bytes),
    Target("tf-expression", 25, strategies.hcl_expressions(), fuzz_targets.hcl_expression),
    Target("tf-function", 25, st.tuples(
        strategies.FUNCTION_NAMES.filter(lambda n: n not in ("try", "can", "timestamp",
                                                             "nope")),
        st.lists(strategies.json_values(), max_size=4)), _function_call),
    Target("cfn-template", 6, strategies.cfn_templates(), _cfn_generated),
    Target("cfn-text", 6, strategies.cfn_texts(), fuzz_targets.cfn_template),
    Target("iam-policy", 16, strategies.policy_documents(), fuzz_targets.iam_policy),
    Target("fix-stage", 6, strategies.fixable_files(), fuzz_targets.fix_stage),
]


@dataclass
class Failure:
    kind: str
    where: str
    message: str
    example: str
    count: int = 0


@dataclass
class Tally:
    inputs: int = 0
    seconds: float = 0.0
    failures: dict[str, Failure] = field(default_factory=dict)


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    inside = [f for f in frames if "/linter/" in f.filename] or frames
    last = inside[-1]
    return f"{Path(last.filename).name}:{last.lineno} {last.name}"


def fuzz(target: Target, inputs: int, run_seed: int) -> Tally:
    tally = Tally()

    def one(value: Any) -> None:
        tally.inputs += 1
        try:
            target.run(value)
        except Exception as exc:  # every failure is recorded, and the run goes on
            key = f"{type(exc).__name__} at {_where(exc)}"
            shown = repr(value)
            found = tally.failures.get(key)
            if found is None or len(shown) < len(found.example):
                count = found.count if found else 0
                found = Failure(type(exc).__name__, _where(exc), str(exc)[:300], shown[:2000],
                                count)
                tally.failures[key] = found
            found.count += 1

    test = settings(max_examples=inputs, deadline=None, database=None,
                    phases=[Phase.generate], suppress_health_check=list(HealthCheck))(
        given(target.strategy)(one))
    started = time.monotonic()
    seed(run_seed)(test)()
    tally.seconds = time.monotonic() - started
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="inputs over all targets")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", help="comma-separated target names")
    parser.add_argument("--json", type=Path, help="write the tallies here")
    args = parser.parse_args(argv)
    chosen = [t for t in TARGETS if not args.only or t.name in args.only.split(",")]
    total_weight = sum(t.weight for t in chosen)
    report: dict[str, Any] = {"seed": args.seed, "targets": {}}
    failed = 0
    for target in chosen:
        share = max(1, args.inputs * target.weight // total_weight)
        tally = fuzz(target, share, args.seed)
        failed += len(tally.failures)
        report["targets"][target.name] = {
            "inputs": tally.inputs, "seconds": round(tally.seconds, 1),
            "failures": [vars(f) for f in tally.failures.values()]}
        print(f"{target.name:14} {tally.inputs:7d} inputs {tally.seconds:8.1f} s "
              f"{len(tally.failures)} distinct failures", flush=True)
        for failure in tally.failures.values():
            print(f"  {failure.count}x {failure.kind} at {failure.where}: {failure.message}\n"
                  f"    smallest input: {failure.example[:300]}", flush=True)
    report["inputs"] = sum(t["inputs"] for t in report["targets"].values())
    print(f"total: {report['inputs']} inputs, {failed} distinct failures")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
