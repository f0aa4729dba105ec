"""Inline suppressions end to end: comments (Terraform, CloudFormation YAML), CloudFormation
``Metadata`` (YAML and JSON), scopes, expiry, unused, require-reason, the flag that turns them
off, rules that cannot be suppressed, and how reports keep suppressed findings."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import textwrap
from typing import Any

import pytest

from linter.cli import main
from linter.engine.suppress import parse_comment
from linter.testing.fixture_harness import check_case, find_cases
from tests.paths import SHARED

FIXTURES = pathlib.Path(__file__).resolve().parent / "suppress_fixtures"
VALIDATOR = SHARED / "tools" / "sarif-validate"


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def by_resource(report: dict[str, Any], rule: str) -> dict[str, dict[str, Any]]:
    return {f["resource"]: f for f in report["findings"] if f["rule"] == rule}


@pytest.mark.parametrize(
    "case", find_cases(FIXTURES), ids=lambda c: c.relative_to(FIXTURES).as_posix() or "root")
def test_annotated_fixtures(case: pathlib.Path) -> None:
    report = check_case(case)
    assert report.ok, report.render()


def test_parse_comment() -> None:
    assert parse_comment('x = 1 # iaclint:ignore IAC0101, imds-v1-allowed reason="a b" '
                         "expires=2027-01-31") == (
        ("IAC0101", "imds-v1-allowed"), "a b", "2027-01-31", "")
    assert parse_comment("// iaclint:ignore IAC0101 reason='single'") == (
        ("IAC0101",), "single", "", "")
    assert parse_comment("# iaclint:ignore") == ((), "", "", "names no rule")
    bad_date = parse_comment("# iaclint:ignore IAC0101 expires=tomorrow")
    assert bad_date is not None
    assert bad_date[3].startswith("expires=")
    assert parse_comment("# nothing here") is None


def test_suppressed_findings_are_kept_and_counted_in_json(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_json(capsys, str(FIXTURES / "main.tf"), "--select", "IAC0101")
    assert code == 1  # the expired suppression's finding is active again
    imds = by_resource(report, "IAC0101")
    assert imds["aws_instance.trailing"]["suppressed"] == {
        "kind": "inSource", "justification": "vendor AMI without IMDSv2", "expires": None}
    assert imds["aws_instance.line_above"]["suppressed"] == {
        "kind": "inSource", "justification": "by rule name, on the line above",
        "expires": "2099-12-31"}
    assert imds["aws_instance.whole_resource"]["suppressed"]["kind"] == "inSource"
    assert imds["aws_instance.header_trailing"]["suppressed"]["kind"] == "inSource"
    for active in ("expired", "typo", "bad_date", "other_rule"):
        assert imds[f"aws_instance.{active}"]["suppressed"] is None
    assert report["summary"]["suppressed"] == 4
    assert report["summary"]["findings"] == 4
    problems = {(e["rule"], e["line"]) for e in report["errors"]}
    assert ("IAC0005", 38) in problems  # expired
    assert ("IAC0003", 54) in problems  # names no rule


def test_cloudformation_metadata_in_json_templates(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = run_json(capsys, str(FIXTURES / "template.json"), "--select", "IAC0101")
    imds = by_resource(report, "IAC0101")
    assert imds["ByMetadata"]["suppressed"] == {
        "kind": "inSource", "justification": "legacy fleet", "expires": "2099-12-31"}
    assert imds["Expired"]["suppressed"] is None
    expired = [e for e in report["errors"] if e["rule"] == "IAC0005"]
    assert [(e["line"], e["resource"]) for e in expired] == [(20, "Expired")]
    assert "expired on 2020-01-31" in expired[0]["message"]


def test_suppressed_findings_in_sarif(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(FIXTURES / "template.yaml"), "--select", "IAC0101", "--format", "sarif"])
    run = json.loads(capsys.readouterr().out)["runs"][0]
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert {r["ruleId"] for r in suppressed} == {"IAC0101"}
    assert len(suppressed) == 3  # comment on the line, above the logical id, Metadata
    justifications = {s["suppressions"][0]["justification"] for s in suppressed}
    assert "legacy fleet" in justifications
    assert all(s["suppressions"][0]["kind"] == "inSource" for s in suppressed)


def test_no_inline_suppressions_reports_everything(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = run_json(capsys, str(FIXTURES / "main.tf"), "--select", "IAC0101",
                         "--no-inline-suppressions")
    assert all(f["suppressed"] is None for f in report["findings"])
    assert len(by_resource(report, "IAC0101")) == 8
    assert not [e for e in report["errors"] if e["rule"] in ("IAC0003", "IAC0005")]


def test_configuration_can_forbid_inline_suppressions(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(FIXTURES / "main.tf", tmp_path / "main.tf")
    (tmp_path / ".iaclint.yaml").write_text("suppressions:\n  inline: false\n")
    _, report = run_json(capsys, str(tmp_path), "--select", "IAC0101")
    assert report["summary"]["suppressed"] == 0


def test_unused_suppression_of_a_rule_that_did_not_run_is_not_reported(
        capsys: pytest.CaptureFixture[str]) -> None:
    # main.tf suppresses IAC0102 on two lines; with only IAC0101 selected nobody can tell
    _, report = run_json(capsys, str(FIXTURES / "main.tf"), "--select", "IAC0101")
    unused = [e for e in report["errors"] if e["rule"] == "IAC0003"]
    assert [e["line"] for e in unused] == [54]  # only the typo


def test_tool_findings_about_suppressions_have_stable_fingerprints(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (FIXTURES / "main.tf").read_text()
    (tmp_path / "main.tf").write_text(text)
    _, first = run_json(capsys, str(tmp_path), "--select", "IAC0101")
    (tmp_path / "main.tf").write_text("\n" * 7 + text)
    _, moved = run_json(capsys, str(tmp_path), "--select", "IAC0101")

    def prints(report: dict[str, Any]) -> list[str]:
        return sorted(e["fingerprint"] for e in report["errors"])

    assert prints(first) == prints(moved)
    assert len(set(prints(first))) == len(prints(first))


UNSUPPRESSIBLE_RULE = """\
id: ACME0001
name: instance-has-public-ip
category: imds-tokens
severity: error
security-severity: "7.0"
title: Instance gets a public IP address
message: "{address} is reachable from the internet"
suppressible: false
docs:
  what: Flags instances that associate a public IP address.
  why: A security team decided this cannot be waived in code.
  fix: Put instances in private subnets.
remediation:
  terraform: associate_public_ip_address = false
match:
  terraform:
    types: [aws_instance]
    at: associate_public_ip_address
    where: {path: associate_public_ip_address, equals: true}
"""


def test_rule_with_suppressible_false_cannot_be_suppressed(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "public-ip.yaml").write_text(UNSUPPRESSIBLE_RULE)
    target = tmp_path / "infra"
    target.mkdir()
    (target / "main.tf").write_text(textwrap.dedent("""\
        resource "aws_instance" "web" {
          associate_public_ip_address = true # iaclint:ignore ACME0001 reason="we need it"
        }
        """))
    code, report = run_json(capsys, str(target), "--rules", str(rules), "--select", "ACME0001")
    assert code == 1
    finding = by_resource(report, "ACME0001")["aws_instance.web"]
    assert finding["suppressed"] is None
    problems = [e for e in report["errors"] if e["rule"] == "IAC0005"]
    assert len(problems) == 1
    assert "cannot be suppressed" in problems[0]["message"]
    assert problems[0]["line"] == 2


RELATED = """\
resource "aws_launch_template" "app" {
  name = "app"
  iam_instance_profile {
    name = "app"
  }
}

resource "aws_autoscaling_group" "app" {
  min_size = 1
  max_size = 2
  launch_template {
    id = aws_launch_template.app.id
  }
}
"""


@pytest.mark.skipif(not VALIDATOR.exists(), reason="the shared SARIF validator is not here")
def test_sarif_with_suppressions_and_related_locations_validates(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(FIXTURES / "main.tf", tmp_path / "main.tf")
    shutil.copy(FIXTURES / "template.yaml", tmp_path / "template.yaml")
    (tmp_path / "related.tf").write_text(RELATED)
    sarif_path = tmp_path / "report.sarif"
    main(["check", str(tmp_path), "--format", "sarif", "--output", str(sarif_path)])
    capsys.readouterr()
    run = json.loads(sarif_path.read_text())["runs"][0]
    assert any(r.get("suppressions") for r in run["results"])
    assert any(r.get("relatedLocations") for r in run["results"])
    proc = subprocess.run([str(VALIDATOR), str(sarif_path)], capture_output=True, text=True,
                          timeout=300, check=False)
    if proc.returncode == 2:
        pytest.skip(f"validator unavailable: {proc.stdout[-300:]}{proc.stderr[-300:]}")
    # notes remain (SARIF2006: URIs unreachable without network; SARIF2003: no git here)
    assert "0 errors, 0 warnings" in proc.stdout, proc.stdout
    assert proc.returncode == 0, proc.stdout


def test_a_suppression_on_a_nested_block_header_covers_the_block(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.tf").write_text(textwrap.dedent('''\
        resource "aws_instance" "web" {
          ami                  = "ami-12345678"
          iam_instance_profile = "web"
          metadata_options { # iaclint:ignore IAC0101,IAC0102 reason="vendor AMI"
            http_endpoint               = "enabled"
            http_tokens                 = "optional"
            http_put_response_hop_limit = 3
          }
        }
        '''))
    code, report = run_json(capsys, str(tmp_path))
    assert code == 0
    suppressed = {f["rule"]: f["suppressed"] for f in report["findings"]}
    assert suppressed["IAC0101"]["justification"] == "vendor AMI"
    assert suppressed["IAC0102"]["justification"] == "vendor AMI"


PEERS = FIXTURES / "peers"


def test_peer_suppressions_keep_their_reason_and_say_where_they_come_from(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, report = run_json(capsys, str(PEERS), "--select", "IAC0101,IAC0201")
    suppressed = {f["resource"]: f["suppressed"] for f in report["findings"] if f["suppressed"]}
    assert suppressed["aws_instance.checkov_inside"] == {
        "kind": "inSource", "expires": None,
        "justification": "legacy agent needs IMDSv1 until Q3 (checkov:skip=CKV_AWS_79,CKV_AWS_8)"}
    assert suppressed["aws_instance.tfsec_above"]["justification"] == \
        "tfsec:ignore:aws-ec2-enforce-http-token-imds"
    assert suppressed["CheckovMetadata"]["justification"] == \
        "metadata reason (Metadata.checkov.skip: CKV_AWS_79)"
    assert suppressed["Admin"]["justification"] == \
        "break-glass role (Metadata.cfn_nag.rules_to_suppress: W43)"
    assert report["summary"]["suppressed"] == len(suppressed) == 8
    assert report["errors"] == []  # no unused-suppression finding for the peers' own checks


@pytest.mark.parametrize("how", [["--no-peer-suppressions"], ["--no-inline-suppressions"],
                                 ["--config", "peers-off"]])
def test_peer_suppressions_can_be_turned_off(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], how: list[str]) -> None:
    if how == ["--config", "peers-off"]:
        config = tmp_path / "config.yaml"
        config.write_text("suppressions: {peers: false}\n")
        how = ["--config", str(config)]
    _, report = run_json(capsys, str(PEERS), "--select", "IAC0101,IAC0201", *how)
    assert report["summary"]["suppressed"] == 0


def test_peer_suppressions_without_reason_do_not_count_under_require_reason(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("suppressions: {require-reason: true}\n")
    _, report = run_json(capsys, str(PEERS), "--select", "IAC0101", "--config", str(config))
    suppressed = {f["resource"] for f in report["findings"] if f["suppressed"]}
    assert "aws_instance.checkov_inside" in suppressed  # a Checkov skip with a reason
    assert "aws_instance.tfsec_above" not in suppressed  # tfsec/Trivy have no reason syntax


def test_suppression_comments_are_read_only_from_regular_files_inside_the_root(
        tmp_path: pathlib.Path) -> None:
    from linter.engine.suppress import read_texts

    outside = tmp_path / "outside.tf"
    outside.write_text("# iaclint:ignore IAC0101 reason=x\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link.tf").symlink_to(outside)
    os.mkfifo(root / "pipe.tf")
    (root / "big.tf").write_text("# iaclint:ignore IAC0101 reason=x\n" + "#" * 100)
    (root / "ok.tf").write_text("# iaclint:ignore IAC0101 reason=x\n")
    texts = read_texts(root, ["link.tf", "pipe.tf", "big.tf", "ok.tf"], ("iaclint:ignore",), 64)
    assert list(texts) == ["ok.tf"]
