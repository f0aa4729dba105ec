"""The hook definitions of .pre-commit-hooks.yaml, run the way pre-commit runs them (the entry
plus the files its ``files`` pattern selects), without building a pre-commit environment (the
slow end-to-end run with the real pre-commit is tests/precommit_test.py)."""

from __future__ import annotations

import pathlib
import re
import shlex
import subprocess
import sys

import pytest
import yaml

from tests.paths import REPO
from tests.testing.rule_tests_test import FIXTURE, RULE

HOOKS = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
BIN = pathlib.Path(sys.executable).parent

pytestmark = [pytest.mark.slow,  # runs the installed console script per hook
              pytest.mark.skipif(not (BIN / "iaclint").exists(), reason="no iaclint script")]


def run_hook(hook_id: str, root: pathlib.Path) -> subprocess.CompletedProcess[str]:
    hook = HOOKS[hook_id]
    pattern = re.compile(hook["files"])
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    selected = [f for f in files if pattern.search(f)]
    entry = shlex.split(hook["entry"])
    entry[0] = str(BIN / entry[0])
    return subprocess.run([*entry, *selected], cwd=root, capture_output=True, text=True,
                          timeout=120, check=False)


def write(path: pathlib.Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_validate_rules_hook_selects_rule_files_and_skips_fixtures(
        tmp_path: pathlib.Path) -> None:
    write(tmp_path / "rules" / "net" / "public-ip.yaml", RULE)
    write(tmp_path / "rules" / "net" / "public-ip" / "main.tf", FIXTURE)
    write(tmp_path / "rules" / "net" / "public-ip" / "template.yaml", "Resources: {}\n")
    write(tmp_path / "stacks" / "app.yaml", "Resources: {}\n")  # not a rule: not selected
    write(tmp_path / ".github" / "workflows" / "ci.yml", "on: push\n")
    passed = run_hook("iaclint-validate-rules", tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "1 rule file valid" in passed.stdout

    write(tmp_path / "rules" / "net" / "public-ip.yaml", RULE.replace("warning", "fatal", 1))
    failed = run_hook("iaclint-validate-rules", tmp_path)
    assert failed.returncode == 2
    assert "rules/net/public-ip.yaml at $.severity" in failed.stderr


def test_fix_hook_fixes_the_files_and_fails_while_findings_are_left(
        tmp_path: pathlib.Path) -> None:
    write(tmp_path / "infra" / "main.tf", 'resource "aws_instance" "web" {\n'
          '  ami                  = "ami-12345678"\n  instance_type        = "t3.micro"\n'
          '  iam_instance_profile = "web"\n\n  metadata_options {\n'
          '    http_tokens = "optional"\n  }\n}\n')
    write(tmp_path / "infra" / "pick.tf", 'resource "aws_instance" "pick" {\n  count = 2\n'
          '  iam_instance_profile = "web"\n  metadata_options {\n'
          '    http_tokens = count.index == 0 ? "required" : "optional"\n  }\n}\n')
    first = run_hook("iaclint-fix", tmp_path)
    assert first.returncode == 1, first.stdout + first.stderr  # pick.tf cannot be fixed
    assert "fixed 1 finding in 1 file" in first.stderr
    assert "aws_instance.pick[1]" in first.stderr
    assert 'http_tokens = "required"' in (tmp_path / "infra" / "main.tf").read_text()
    assert "aws_instance.web" not in first.stdout  # the report shows what is left

    (tmp_path / "infra" / "pick.tf").unlink()
    second = run_hook("iaclint-fix", tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "nothing to fix" in second.stderr
