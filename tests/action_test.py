"""The composite GitHub Action (action.yml): its shell steps run with bash in a temporary
repository, the way the runner would (inputs substituted, ``if:`` conditions judged, step
outputs collected from ``$GITHUB_OUTPUT``). ``uses:`` steps (setup-python, upload-sarif) are not
run; the ``pip install`` of the install step is intercepted by a ``python`` shim so the test
environment is left alone."""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import pytest
import yaml

from tests.paths import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BIN = pathlib.Path(sys.executable).parent

pytestmark = [pytest.mark.slow,  # runs the GitHub Action script in a git repository
              pytest.mark.skipif(
    shutil.which("bash") is None or not (BIN / "iaclint").exists(),
    reason="needs bash and the iaclint console script")]

BAD = """\
resource "aws_instance" "web" {
  iam_instance_profile = "web"
  metadata_options {
    http_tokens = "optional"
  }
}
"""
GOOD = BAD.replace('"optional"', '"required"')


@dataclass
class Run:
    inputs: dict[str, str]
    workspace: pathlib.Path
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)
    failed: str = ""
    log: str = ""

    def value(self, name: str) -> str:
        parts = name.split(".")
        if parts[0] == "inputs":
            return self.inputs[parts[1]]
        if parts[0] == "github" and parts[1] == "action_path":
            return str(REPO)
        if parts[0] == "runner" and parts[1] == "os":
            return "Linux"
        if parts[0] == "steps" and parts[2] == "outputs":
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"the test does not know the context {name}")

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.value(m.group(1)), text)

    def condition(self, expression: str) -> bool:
        """``if:`` as action.yml writes it: terms joined by ``&&``; a step that failed stops
        every later step unless it says ``always()``."""
        expression = EXPRESSION.sub(lambda m: m.group(1), expression)
        terms = [t.strip() for t in expression.split("&&")]
        if "always()" not in terms and self.failed:
            return False
        for term in terms:
            if term == "always()":
                continue
            match = re.fullmatch(r"([\w.-]+)\s*(==|!=)\s*'([^']*)'", term)
            assert match, f"the test cannot judge {term!r}"
            equal = self.value(match.group(1)) == match.group(3)
            if equal != (match.group(2) == "=="):
                return False
        return True


def shim(directory: pathlib.Path, log: pathlib.Path) -> None:
    """``python -m pip install …`` is recorded, everything else runs the test's Python."""
    directory.mkdir(exist_ok=True)
    log.unlink(missing_ok=True)
    script = directory / "python"
    script.write_text(
        "#!/usr/bin/env bash\n"
        'if [ "$1" = "-m" ] && [ "$2" = "pip" ] && [ "$3" = "cache" ]; then\n'
        f'  echo "{directory / "pip-cache"}"\n'
        "  exit 0\n"
        "fi\n"
        'if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then\n'
        f'  echo "$@" >> "{log}"\n'
        "  exit 0\n"
        "fi\n"
        f'exec "{sys.executable}" "$@"\n')
    script.chmod(0o755)


def run_action(workspace: pathlib.Path, **given: str) -> Run:
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    inputs.update({k.replace("_", "-"): v for k, v in given.items()})
    run = Run(inputs, workspace)
    shims = workspace.parent / "shims"
    pip_log = workspace.parent / "pip.log"
    shim(shims, pip_log)
    for index, step in enumerate(ACTION["runs"]["steps"]):
        name = step.get("id", f"step{index}")
        if "if" in step and not run.condition(step["if"]):
            continue
        if "uses" in step:
            run.ran.append(f"uses {step['uses']}")
            continue
        assert step["shell"] == "bash"
        output_file = workspace.parent / f"{name}.out"
        output_file.write_text("")
        env = {
            **os.environ,
            **{k: run.substitute(str(v)) for k, v in step.get("env", {}).items()},
            "PATH": f"{shims}{os.pathsep}{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_WORKSPACE": str(workspace),
            "IACLINT_NO_PROGRESS": "1",
        }
        script = workspace.parent / f"{name}.sh"
        script.write_text(run.substitute(step["run"]))
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=workspace, env=env, capture_output=True, text=True,
                              timeout=300, check=False)
        run.log += proc.stdout + proc.stderr
        run.ran.append(name)
        run.outputs[name] = dict(
            line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
        if proc.returncode != 0:
            run.failed = f"{name} exited {proc.returncode}"
    run.log += pip_log.read_text() if pip_log.exists() else ""
    return run


@pytest.fixture
def workspace(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "workspace"
    (root / "infra").mkdir(parents=True)
    return root


def sarif_results(path: pathlib.Path) -> list[dict[str, Any]]:
    import json

    results: list[dict[str, Any]] = json.loads(path.read_text())["runs"][0]["results"]
    return results


def test_findings_write_sarif_upload_it_and_fail(workspace: pathlib.Path) -> None:
    (workspace / "infra" / "main.tf").write_text(BAD)
    run = run_action(workspace, paths="infra", args="--select IAC0101")
    assert run.outputs["check"] == {"category": "iaclint/infra", "exit-code": "1",
                                    "sarif-file": "iaclint.sarif"}
    assert [r["ruleId"] for r in sarif_results(workspace / "iaclint.sarif")] == ["IAC0101"]
    assert "uses github/codeql-action/upload-sarif@v3" in run.ran
    assert run.failed == "step6 exited 1"
    assert f"-m pip install --disable-pip-version-check --quiet {REPO}" in run.log
    assert "IAC0101" in run.log  # the text report in the job log


def test_clean_repository_passes(workspace: pathlib.Path) -> None:
    (workspace / "infra" / "main.tf").write_text(GOOD)
    run = run_action(workspace, paths="infra", args="--select IAC0101")
    assert run.outputs["check"]["exit-code"] == "0"
    assert not run.failed
    assert sarif_results(workspace / "iaclint.sarif") == []


def test_inputs_are_split_like_a_shell_and_never_evaluated(workspace: pathlib.Path) -> None:
    (workspace / "infra dir").mkdir()
    (workspace / "infra dir" / "main.tf").write_text(BAD)
    run = run_action(workspace, paths="'infra dir'",
                     args="--select IAC0101 --var 'x=$(touch pwned)'",
                     sarif_file="out/report.sarif", annotations="true", fail="false",
                     upload_sarif="false", version="1.2.3")
    assert not (workspace / "pwned").exists()
    assert run.outputs["check"]["exit-code"] == "2", run.log  # out/ does not exist
    assert run.failed == "check exited 2"
    assert "-m pip install --disable-pip-version-check --quiet iaclint==1.2.3" in run.log
    (workspace / "out").mkdir()
    run = run_action(workspace, paths="'infra dir'", args="--select IAC0101",
                     sarif_file="out/report.sarif", annotations="true", fail="false",
                     upload_sarif="false")
    assert run.outputs["check"]["exit-code"] == "1"
    assert not run.failed  # fail: false
    assert "::error file=infra dir/main.tf,line=4" in run.log  # the annotation of the finding
    assert not any(step.startswith("uses github/codeql-action") for step in run.ran)
    assert sarif_results(workspace / "out" / "report.sarif")


def test_readme_documents_a_workflow_using_the_action() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    workflows = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", readme, re.S)
                 if "runs-on" in block]
    assert workflows, "README.md shows no workflow"
    steps = [s for job in workflows[0]["jobs"].values() for s in job["steps"]]
    action = [s for s in steps if str(s.get("uses", "")).startswith("iaclint/iaclint@")]
    assert action
    assert set(action[0].get("with", {})) <= set(ACTION["inputs"])
    permissions = next(iter(workflows[0]["jobs"].values())).get("permissions", {})
    assert permissions.get("security-events") == "write"


def test_category_defaults_from_the_paths_and_can_be_set(workspace: pathlib.Path) -> None:
    (workspace / "infra" / "main.tf").write_text(GOOD)
    run = run_action(workspace)  # paths ".", no args: empty arrays under set -u
    assert run.outputs["check"]["exit-code"] == "0", run.log
    assert run.outputs["check"]["category"] == "iaclint"
    run = run_action(workspace, paths="./infra/ 'stacks dir'", args="--select IAC0101")
    assert run.outputs["check"]["category"] == "iaclint/infra,stacks dir"
    run = run_action(workspace, paths="infra", category="prod-eu")
    assert run.outputs["check"]["category"] == "prod-eu"


def test_pip_cache_key_follows_what_is_installed(workspace: pathlib.Path) -> None:
    (workspace / "infra" / "main.tf").write_text(GOOD)
    source = run_action(workspace, paths="infra").outputs["pip-cache"]
    assert source["dir"].endswith("pip-cache")
    assert re.fullmatch(r"source-[0-9a-f]{16}", source["key"])
    assert run_action(workspace, paths="infra", version="1.2.3").outputs["pip-cache"][
        "key"] == "pypi-1.2.3"
    assert "pip-cache" not in run_action(workspace, paths="infra", cache="false").outputs
