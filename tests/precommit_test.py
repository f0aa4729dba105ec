"""The real pre-commit runs the hook from this repository (``pre-commit try-repo``)."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from tests.paths import REPO

pytestmark = pytest.mark.slow  # runs the real pre-commit (creates a virtualenv, installs iaclint)

PRE_COMMIT = shutil.which("pre-commit") or str(pathlib.Path(sys.executable).parent / "pre-commit")

BAD = """resource "aws_instance" "web" {
  ami                  = "ami-12345678"
  iam_instance_profile = "web-profile"
  metadata_options {
    http_tokens = "optional"
  }
}
"""
OTHER = """resource "aws_launch_template" "unrelated" {
  name = "unrelated"
}
"""


def git(cwd: pathlib.Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=cwd, check=True, env=env, capture_output=True)


@pytest.mark.skipif(not pathlib.Path(PRE_COMMIT).exists(), reason="pre-commit is not installed")
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_hook_fails_on_bad_file_then_passes_after_fix(tmp_path: pathlib.Path) -> None:
    work = tmp_path / "work"
    (work / "infra").mkdir(parents=True)
    git(work, "init", "-q")
    # a finding in a file that is NOT passed must not be reported (other.tf has one)
    (work / "infra" / "other.tf").write_text(OTHER)
    (work / "infra" / "main.tf").write_text(BAD)
    git(work, "add", ".")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }

    def run_hook() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PRE_COMMIT, "try-repo", str(REPO), "iaclint", "--files", "infra/main.tf", "--verbose"],
            cwd=work, env=env, capture_output=True, text=True, timeout=900,
        )

    failed = run_hook()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "IAC0101" in failed.stdout
    assert "infra/main.tf" in failed.stdout
    assert "aws_launch_template.unrelated" not in failed.stdout

    (work / "infra" / "main.tf").write_text(BAD.replace('"optional"', '"required"'))
    git(work, "add", ".")
    passed = run_hook()
    assert passed.returncode == 0, passed.stdout + passed.stderr


USES_VARIABLE = BAD.replace('"optional"', "var.tokens")
VARIABLES = 'variable "tokens" {\n  type    = string\n  default = "required"\n}\n'


@pytest.mark.skipif(not pathlib.Path(PRE_COMMIT).exists(), reason="pre-commit is not installed")
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_hook_sees_a_value_only_change(tmp_path: pathlib.Path) -> None:
    """Staging only variables.tf (a default turned to "optional"), or only a new tfvars file,
    reports the instance in main.tf that the value reaches."""
    work = tmp_path / "work"
    (work / "infra").mkdir(parents=True)
    git(work, "init", "-q")
    (work / "infra" / "main.tf").write_text(USES_VARIABLE)
    (work / "infra" / "variables.tf").write_text(VARIABLES)
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "IMDSv2 required")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"),
           "PIP_DISABLE_PIP_VERSION_CHECK": "1"}

    def run_hook() -> subprocess.CompletedProcess[str]:  # on the staged files, as on commit
        return subprocess.run([PRE_COMMIT, "try-repo", str(REPO), "iaclint", "--verbose"],
                              cwd=work, env=env, capture_output=True, text=True, timeout=900)

    (work / "infra" / "variables.tf").write_text(VARIABLES.replace("required", "optional"))
    git(work, "add", "infra/variables.tf")
    failed = run_hook()
    sys.stdout.write(failed.stdout)  # kept in the test log: the hook's output
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "- files were modified by this hook" not in failed.stdout
    assert "infra/main.tf:5:5: IAC0101" in failed.stdout
    assert "infra/variables.tf:3: the value comes from here" in failed.stdout

    git(work, "commit", "-q", "--no-verify", "-m", "optional")
    (work / "infra" / "variables.tf").write_text(VARIABLES)
    git(work, "commit", "-q", "-am", "back to required")
    (work / "infra" / "terraform.tfvars").write_text('tokens = "optional"\n')
    git(work, "add", "infra/terraform.tfvars")
    failed = run_hook()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "infra/terraform.tfvars:1: the value comes from here" in failed.stdout
