"""Start-up: a plain run imports only what its scan needs.

cfn-lint (with sympy and networkx), the SAM translator, boto3/botocore, jsonschema, rich and
PyYAML each cost tens to hundreds of milliseconds to import; a single-file run takes about 0.2 s
in all. They are imported only when a run needs them: a SAM template, a rule or configuration to
validate, a terminal, a YAML file. (The first run after an install validates the bundled rules
and caches the result; the runs below come after it.)
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from tests.paths import REPO

HEAVY = ("yaml", "jsonschema", "rich", "cfnlint", "samtranslator", "boto3", "botocore",
         "multiprocessing", "concurrent",
         "sympy", "networkx")
TERRAFORM = """resource "aws_iam_user" "u" {
  name = "u"
}

resource "aws_iam_user_policy" "p" {
  user   = aws_iam_user.u.name
  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",
    Action = "s3:GetObject", Resource = "*"}]})
}
"""
TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !Ref Ami
      Tags: [{Key: Name, Value: !Sub "${AWS::StackName}-web"}]
"""


def imported_by_runs(tmp_path: pathlib.Path, target: str, fmt: str = "text"
                     ) -> tuple[list[str], list[str]]:
    """The heavy packages (and the --diff-base check) a first and a second check of ``target``
    import, with the caches in ``tmp_path``."""
    code = ("import sys; from linter.cli import main\n"
            "try:\n    main(['check', sys.argv[1], '-f', sys.argv[2]])\n"
            "except SystemExit:\n    pass\n"
            f"heavy = {HEAVY!r} \n"
            "print(sorted({m if m.startswith('linter.') else m.split('.')[0]\n"
            "              for m in sys.modules if m.split('.')[0] in heavy\n"
            "              or m == 'linter.checks.diff'}))")
    env = {"PYTHONPATH": str(REPO), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": str(tmp_path), "IACLINT_CACHE_DIR": str(tmp_path / "cache")}
    out = []
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", code, target, fmt], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120, check=False,
                              env=env)
        assert proc.returncode == 0, proc.stderr
        out.append(eval(proc.stdout.strip().splitlines()[-1]))
    return out[0], out[1]


def imported_by_run(tmp_path: pathlib.Path, target: str, fmt: str = "text") -> list[str]:
    """The heavy packages a check of ``target`` imports once the rule cache is filled."""
    return imported_by_runs(tmp_path, target, fmt)[1]


@pytest.mark.parametrize("fmt", ["text", "json"])  # json: fixes are planned too
def test_a_terraform_file_imports_nothing_heavy(tmp_path: pathlib.Path, fmt: str) -> None:
    (tmp_path / "main.tf").write_text(TERRAFORM, encoding="utf-8")
    assert imported_by_run(tmp_path, "main.tf", fmt) == []


def test_a_template_imports_yaml_only(tmp_path: pathlib.Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    assert imported_by_run(tmp_path, "template.yaml") == ["yaml"]


@pytest.mark.slow
def test_a_sam_template_brings_the_translator_once(tmp_path: pathlib.Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties: {Runtime: python3.12, Handler: a.b, CodeUri: .}\n", encoding="utf-8")
    first, second = (set(run) for run in imported_by_runs(tmp_path, "template.yaml"))
    assert {"samtranslator", "boto3", "botocore"} <= first
    assert not second & {"boto3", "botocore"}  # the expansion is read from the cache
    assert not (first | second) & {"cfnlint", "sympy", "networkx", "rich"}
