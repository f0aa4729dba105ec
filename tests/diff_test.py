"""``iaclint check --diff-base REF`` on temporary git repositories."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
from typing import Any

import pytest

from linter.cli import main
from linter.diff import new_or_changed
from linter.model import Finding, Severity, Span

pytestmark = [pytest.mark.slow,  # drives git repositories
              pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")]

OLD = """\
resource "aws_instance" "old" {
  iam_instance_profile = "app"
  metadata_options {
    http_tokens = "optional"
  }
}
"""
NEW = """
resource "aws_instance" "new" {
  iam_instance_profile = "app"
  metadata_options {
    http_tokens = "optional"
  }
}
"""
PROFILE_TF = """\
resource "aws_iam_role" "admin" {
  name               = "admin"
  assume_role_policy = "{}"
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}

resource "aws_iam_instance_profile" "web" {
  name = "web"
  role = aws_iam_role.admin.name
}

resource "aws_instance" "web" {
  ami                  = "ami-12345678"
  iam_instance_profile = aws_iam_instance_profile.web.name
  metadata_options {
    http_tokens = "required"
  }
}
"""
PROFILE_CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AdminRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: admin
      AssumeRolePolicyDocument: {}
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      AssumeRolePolicyDocument: {}
  WebProfile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref AdminRole]
  WebTemplate:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        IamInstanceProfile:
          Arn: !GetAtt WebProfile.Arn
        MetadataOptions:
          HttpTokens: required
"""


def git(cwd: pathlib.Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    proc = subprocess.run(["git", *args], cwd=cwd, check=True, env=env, capture_output=True,
                          text=True)
    return proc.stdout


def commit_repo(root: pathlib.Path, files: dict[str, str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")


def check_diff(capsys: pytest.CaptureFixture[str], target: pathlib.Path, ref: str = "HEAD",
               *extra: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", str(target), "--diff-base", ref, "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def active(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["rule"], f["resource"]) for f in report["findings"] if f["suppressed"] is None]


def test_only_the_new_finding_is_reported(tmp_path: pathlib.Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    commit_repo(repo, {"infra/main.tf": OLD})
    # the unchanged finding also moves down: fingerprints, not lines, decide what is new
    (repo / "infra" / "main.tf").write_text("# moved\n\n" + OLD + NEW)
    status_before = git(repo, "status", "--porcelain")
    code, report = check_diff(capsys, repo / "infra")
    assert code == 1
    assert active(report) == [("IAC0101", "aws_instance.new")]
    assert git(repo, "status", "--porcelain") == status_before  # nothing checked out

    git(repo, "commit", "-q", "-am", "add new")
    code, report = check_diff(capsys, repo / "infra")  # nothing changed since HEAD
    assert code == 0
    assert report["findings"] == []
    code, report = check_diff(capsys, repo / "infra", "HEAD~1")
    assert active(report) == [("IAC0101", "aws_instance.new")]


def test_a_changed_value_counts_as_changed(tmp_path: pathlib.Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    hop = OLD.replace('http_tokens = "optional"',
                      'http_tokens = "required"\n    http_put_response_hop_limit = 2')
    commit_repo(repo, {"main.tf": hop})
    (repo / "main.tf").write_text(hop.replace("= 2", "= 3"))
    _, report = check_diff(capsys, repo)
    assert active(report) == [("IAC0102", "aws_instance.old")]


def test_a_directory_new_since_the_base_reports_everything(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    commit_repo(repo, {"README.md": "x\n"})
    (repo / "new").mkdir()
    (repo / "new" / "main.tf").write_text(OLD)
    _, report = check_diff(capsys, repo / "new")
    assert active(report) == [("IAC0101", "aws_instance.old")]


def test_unknown_revision_is_a_usage_error(tmp_path: pathlib.Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    commit_repo(repo, {"main.tf": OLD})
    assert main(["check", str(repo), "--diff-base", "no-such-branch"]) == 2
    assert "no-such-branch" in capsys.readouterr().err


def test_not_a_git_repository_is_a_usage_error(tmp_path: pathlib.Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.tf").write_text(OLD)
    env_ceiling = os.environ.get("GIT_CEILING_DIRECTORIES")
    os.environ["GIT_CEILING_DIRECTORIES"] = str(tmp_path.parent)
    try:
        assert main(["check", str(tmp_path), "--diff-base", "HEAD"]) == 2
    finally:
        if env_ceiling is None:
            del os.environ["GIT_CEILING_DIRECTORIES"]
        else:
            os.environ["GIT_CEILING_DIRECTORIES"] = env_ceiling
    assert "git" in capsys.readouterr().err


def test_role_swap_in_terraform(tmp_path: pathlib.Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    commit_repo(repo, {"main.tf": PROFILE_TF})
    (repo / "main.tf").write_text(PROFILE_TF.replace("aws_iam_role.admin.name",
                                                     "aws_iam_role.app.name"))
    code, report = check_diff(capsys, repo)
    assert code == 1
    swap = [f for f in report["findings"] if f["rule"] == "IAC0303"]
    assert len(swap) == 1
    finding = swap[0]
    assert (finding["resource"], finding["line"]) == ("aws_iam_instance_profile.web", 13)
    assert finding["severity"] == "warning"
    assert "swaps its role admin for app" in finding["message"]
    assert "six hours" in finding["message"]
    assert "reboot" in finding["message"]
    assert "aws iam put-role-policy" in finding["remediation"]["cli"]
    assert "aws:TokenIssueTime" in finding["remediation"]["cli"]
    assert "replace-iam-instance-profile-association" in finding["remediation"]["cli"]
    assert next(r["resource"] for r in finding["related"]) == "aws_instance.web"


def test_role_removed_in_cloudformation(tmp_path: pathlib.Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    commit_repo(repo, {"stack/app.yaml": PROFILE_CFN})
    (repo / "stack" / "app.yaml").write_text(
        PROFILE_CFN.replace("      Roles: [!Ref AdminRole]\n", "      Path: /\n"))
    _, report = check_diff(capsys, repo)
    swap = [f for f in report["findings"] if f["rule"] == "IAC0303"]
    assert [(f["resource"], f["file"]) for f in swap] == [("WebProfile", "stack/app.yaml")]
    assert "no longer holds role admin" in swap[0]["message"]
    assert "WebTemplate" in swap[0]["message"]


def test_role_swap_in_cloudformation(tmp_path: pathlib.Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    commit_repo(repo, {"app.yaml": PROFILE_CFN})
    (repo / "app.yaml").write_text(PROFILE_CFN.replace("[!Ref AdminRole]", "[!Ref AppRole]"))
    _, report = check_diff(capsys, repo)
    swap = [f for f in report["findings"] if f["rule"] == "IAC0303"]
    assert len(swap) == 1
    assert "swaps its role admin for app" in swap[0]["message"]


def test_without_a_base_the_role_swap_rule_is_silent(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.tf").write_text(PROFILE_TF)
    main(["check", str(tmp_path), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert not [f for f in report["findings"] if f["rule"] == "IAC0303"]


def make(rule: str, fingerprint: str, message: str = "m") -> Finding:
    return Finding(rule, "r", "c", Severity.ERROR, message, Span("a.tf", 1), "x.y",
                   fingerprint=fingerprint)


def test_new_or_changed_counts_multiplicity_and_messages() -> None:
    base = [make("IAC0101", "a"), make("IAC0102", "b", "hop limit 2")]
    head = [make("IAC0101", "a"), make("IAC0101", "a"), make("IAC0102", "b", "hop limit 3")]
    assert [(f.rule_id, f.message) for f in new_or_changed(base, head)] == [
        ("IAC0101", "m"), ("IAC0102", "hop limit 3")]


def test_a_value_only_change_is_reported_with_pre_commit_style_file_arguments(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--diff-base with only the changed variables.tf named (as pre-commit passes it): the
    instance in main.tf that the new default reaches is new, and its evidence is in the file."""
    repo = tmp_path / "repo"
    variables = 'variable "tokens" {\n  default = "required"\n}\n'
    commit_repo(repo, {"infra/main.tf": OLD.replace('"optional"', "var.tokens"),
                       "infra/variables.tf": variables})
    (repo / "infra" / "variables.tf").write_text(variables.replace("required", "optional"))
    cwd = pathlib.Path.cwd()
    os.chdir(repo)
    try:
        code, report = check_diff(capsys, pathlib.Path("infra/variables.tf"))
    finally:
        os.chdir(cwd)
    assert code == 1
    assert active(report) == [("IAC0101", "aws_instance.old")]
    assert report["findings"][0]["file"] == "infra/main.tf"
    assert report["findings"][0]["related"][0]["file"] == "infra/variables.tf"
