"""Fix snapshots, in ruff's style: each case under ``snapshots/<case>/`` has the files before
(``input/``) and after ``--fix`` (``expected/``) side by side, and ``notes.txt``: one line per
finding left unfixed (``file:line RULE address: why``). For every case:

* the fixed tree equals ``expected/`` byte for byte, and the notes equal ``notes.txt``;
* every fixed file parses (python-hcl2 / cfn-lint's decoder), a rescan has no IMDS finding on
  the fixed resources, and a second ``--fix`` changes nothing;
* Terraform files are ``terraform fmt`` clean when the binary is there (the slow test runs
  ``terraform validate`` against the offline provider mirror).

``IACLINT_UPDATE_SNAPSHOTS=1 pytest tests/fixes/snapshots_test.py`` rewrites ``expected/`` and
``notes.txt`` from what the fixer does now (review the diff before committing it).
"""

from __future__ import annotations

import difflib
import os
import pathlib
import shutil
import subprocess

import pytest

from linter.fixes.apply import FixOutcome, apply_fixes, oracle_problem, write_changes
from linter.options import ScanOptions
from linter.pipeline import scan
from linter.result import ScanResult

SNAPSHOTS = pathlib.Path(__file__).with_name("snapshots")
CASES = sorted(p.name for p in SNAPSHOTS.iterdir() if (p / "input").is_dir())
IMDS_RULES = ("IAC0101", "IAC0102", "IAC0103")
OPTIONS = ScanOptions(select=IMDS_RULES, fixes=True)
UPDATE = bool(os.environ.get("IACLINT_UPDATE_SNAPSHOTS"))
TERRAFORM = shutil.which("terraform") or (
    "/usr/local/bin/terraform" if pathlib.Path("/usr/local/bin/terraform").is_file() else None)
PLUGINS = pathlib.Path(os.environ.get("IACLINT_TF_PLUGIN_DIR", "/opt/tf-plugins"))


def files(root: pathlib.Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def fix(tree: pathlib.Path) -> tuple[ScanResult, FixOutcome]:
    result = _scan(tree)
    outcome = apply_fixes(result.root, result.findings)
    write_changes(result.root, outcome.changes)
    return result, outcome


def _scan(tree: pathlib.Path) -> ScanResult:
    return scan([str(tree)], OPTIONS, root=tree)  # paths relative to the case


def note_lines(outcome: FixOutcome) -> str:
    return "".join(f"{f.span.file}:{f.span.start_line} {f.rule_id} {f.address}: {note}\n"
                   for f, note in outcome.unfixed)


def show_diff(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    out: list[str] = []
    for name in sorted(set(expected) | set(actual)):
        before = expected.get(name, b"").decode("utf-8", "replace").splitlines(keepends=True)
        after = actual.get(name, b"").decode("utf-8", "replace").splitlines(keepends=True)
        out.extend(difflib.unified_diff(before, after, f"expected/{name}", f"actual/{name}"))
    return "".join(out)


@pytest.fixture(params=CASES)
def fixed(request: pytest.FixtureRequest, tmp_path: pathlib.Path
          ) -> tuple[str, pathlib.Path, ScanResult, FixOutcome]:
    case: str = request.param
    tree = tmp_path / case
    shutil.copytree(SNAPSHOTS / case / "input", tree)
    result, outcome = fix(tree)
    return case, tree, result, outcome


def test_fixed_files_match_the_snapshot(
        fixed: tuple[str, pathlib.Path, ScanResult, FixOutcome]) -> None:
    case, tree, _result, outcome = fixed
    expected_dir = SNAPSHOTS / case / "expected"
    notes_file = SNAPSHOTS / case / "notes.txt"
    if UPDATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(tree, expected_dir)
        notes_file.write_text(note_lines(outcome))
    actual = files(tree)
    expected = files(expected_dir)
    assert actual == expected, "fixed files differ from the snapshot:\n" + show_diff(
        expected, actual)
    assert note_lines(outcome) == notes_file.read_text()


def test_fixed_files_parse_rescan_clean_and_fix_again_changes_nothing(
        fixed: tuple[str, pathlib.Path, ScanResult, FixOutcome]) -> None:
    _case, tree, _result, outcome = fixed
    for change in outcome.changes:
        assert oracle_problem(change.file, change.after) is None, change.file
    rescan = _scan(tree)
    fixed_addresses = {(f.rule_id, f.address) for f in outcome.fixed}
    left = {(f.rule_id, f.address) for f in rescan.findings if f.rule_id in IMDS_RULES}
    assert not fixed_addresses & left, f"still reported after the fix: {fixed_addresses & left}"
    before = files(tree)
    again = apply_fixes(rescan.root, rescan.findings)
    assert again.changes == [], [c.file for c in again.changes]
    assert files(tree) == before


def test_every_case_fixes_something_and_changes_only_what_it_fixes(
        fixed: tuple[str, pathlib.Path, ScanResult, FixOutcome]) -> None:
    case, _tree, result, outcome = fixed
    changed = {c.file for c in outcome.changes}
    touched = {e.span.file for f in outcome.fixed if f.fix for e in f.fix.edits}
    assert changed <= touched
    assert outcome.fixed, f"{case}: nothing fixed"
    assert len(outcome.fixed) + len(outcome.unfixed) == len(
        [f for f in result.findings if f.fix is not None and f.suppression is None])


def changed_terraform(case: str) -> list[pathlib.Path]:
    before, after = SNAPSHOTS / case / "input", SNAPSHOTS / case / "expected"
    return [path for path in sorted(after.rglob("*.tf*"))
            if path.read_bytes() != (before / path.relative_to(after)).read_bytes()]


@pytest.mark.skipif(TERRAFORM is None, reason="terraform is not installed")
@pytest.mark.parametrize("case", [c for c in CASES if c.startswith("tf-")])
def test_fixed_terraform_is_fmt_clean(case: str) -> None:
    """Every file the fix changed is as `terraform fmt` writes it (the inputs are)."""
    assert TERRAFORM is not None
    for path in changed_terraform(case):
        done = subprocess.run([TERRAFORM, "fmt", "-check", "-diff", "-no-color", str(path)],
                              capture_output=True, text=True, timeout=60, check=False,
                              env={**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null"})
        assert done.returncode == 0, done.stdout + done.stderr


TF_ENV = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "1",
          "CHECKPOINT_DISABLE": "1"}


def terraform(args: list[str], cwd: pathlib.Path) -> subprocess.CompletedProcess[str]:
    assert TERRAFORM is not None
    return subprocess.run([TERRAFORM, *args, "-no-color"], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False, env=TF_ENV)


@pytest.mark.slow
@pytest.mark.skipif(TERRAFORM is None or not PLUGINS.is_dir(),
                    reason="terraform or its offline provider mirror is missing")
def test_fixed_terraform_validates(tmp_path: pathlib.Path) -> None:
    """`terraform validate` on every fixed Terraform case at once: each case is a module of one
    root (one provider install from the offline mirror, one validation)."""
    from linter.frontends.terraform.hcl import parse_hcl

    calls = ['terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n'
             "  }\n}\n"]
    for case in (c for c in CASES if c.startswith("tf-") and c != "tf-does-not-parse"):
        shutil.copytree(SNAPSHOTS / case / "expected", tmp_path / case)
        required = sorted(
            block.labels[0] for path in (tmp_path / case).glob("*.tf")
            for block in parse_hcl(path.name, path.read_bytes()).body.blocks_of("variable")
            if block.body.attribute("default") is None)
        arguments = "".join(f"  {name} = null\n" for name in required)
        calls.append(f'module "{case}" {{\n  source = "./{case}"\n{arguments}}}\n')
    (tmp_path / "main.tf").write_text("\n".join(calls))
    for args in (["init", "-input=false", "-backend=false", f"-plugin-dir={PLUGINS}"],
                 ["validate"]):
        done = terraform(args, tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
