"""``iaclint test-rules`` and ``iaclint validate-rules`` on users' rule directories."""

from __future__ import annotations

import pathlib
import re
import textwrap

import pytest

from linter.cli import main
from tests.paths import REPO

RULE = """\
id: ACME0001
name: instance-has-public-ip
category: imds-tokens
severity: warning
security-severity: "5.0"
title: Instance gets a public IP address
message: "{address} is reachable from the internet"
docs:
  what: Flags instances that associate a public IP address.
  why: Instances reachable from the internet widen the SSRF surface in front of IMDS.
  fix: Put instances in private subnets behind a load balancer.
remediation:
  terraform: associate_public_ip_address = false
match:
  terraform:
    types: [aws_instance]
    at: associate_public_ip_address
    where: {path: associate_public_ip_address, equals: true}
"""
FIXTURE = """\
resource "aws_instance" "web" {
  associate_public_ip_address = true # ruleid: ACME0001
}

# ok: ACME0001
resource "aws_instance" "private" {
  associate_public_ip_address = false
}
"""


def write(path: pathlib.Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def readme_files(tmp_path: pathlib.Path) -> list[pathlib.Path]:
    """The code blocks of README.md whose first line names a file (``# my-rules/x.yaml``)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Writing your own rules", 1)[1].split("\n## ", 1)[0]
    written = []
    for body in re.findall(r"```\w*\n(.*?)```", section, re.S):
        named = re.match(r"#\s*(\S+\.(?:ya?ml|tf|json))\s*\n", body)
        if named:
            path = tmp_path / named.group(1)
            write(path, body)
            written.append(path)
    return written


def test_readme_custom_rule_passes_test_rules(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    written = readme_files(tmp_path)
    assert {p.suffix for p in written} >= {".yaml", ".tf"}, written
    monkeypatch.chdir(tmp_path)
    rule_dir = written[0].relative_to(tmp_path).parts[0]
    assert main(["test-rules", rule_dir]) == 0, capsys.readouterr().out
    assert "1 passed, 0 failed" in capsys.readouterr().out
    assert main(["validate-rules", *(str(p) for p in written)]) == 0
    assert "1 rule file valid" in capsys.readouterr().out
    # and the rule runs with --rules
    fixture_dir = next(p.parent for p in written if p.suffix == ".tf")
    assert main(["check", str(fixture_dir), "--rules", rule_dir, "--select", "ACME0001"]) == 1
    assert "ACME0001" in capsys.readouterr().out


def test_rule_beside_its_fixture_directory(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "rules" / "net" / "public-ip.yaml", RULE)
    write(tmp_path / "rules" / "net" / "public-ip" / "main.tf", FIXTURE)
    assert main(["test-rules", str(tmp_path / "rules")]) == 0
    out = capsys.readouterr().out
    assert "PASS net/public-ip (1 expected finding)" in out
    # a single rule file works too
    assert main(["test-rules", str(tmp_path / "rules" / "net" / "public-ip.yaml")]) == 0


def test_rules_and_fixtures_layout(tmp_path: pathlib.Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "rules" / "ec2" / "public-ip.yaml", RULE)
    write(tmp_path / "fixtures" / "ec2" / "public-ip" / "main.tf", FIXTURE)
    assert main(["test-rules", str(tmp_path)]) == 0
    assert "PASS fixtures/ec2/public-ip" in capsys.readouterr().out


def test_mismatch_prints_expected_vs_reported_and_fails(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "public-ip.yaml", RULE)
    wrong = FIXTURE.replace("= true # ruleid: ACME0001", "= true") + textwrap.dedent("""
        resource "aws_instance" "missed" {
          associate_public_ip_address = false # ruleid: ACME0001
        }
        """)
    write(tmp_path / "public-ip" / "main.tf", wrong)
    assert main(["test-rules", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL public-ip" in out
    assert "  + main.tf:2 ACME0001  unexpected ACME0001" in out
    assert "  - main.tf:11 ACME0001  expected ACME0001 here, not reported" in out
    assert ">> 11 |   associate_public_ip_address = false # ruleid: ACME0001" in out
    assert "0 passed, 1 failed" in out


def test_rule_without_fixtures_fails(tmp_path: pathlib.Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "public-ip.yaml", RULE)
    assert main(["test-rules", str(tmp_path)]) == 1
    assert "public-ip.yaml: untested, no fixture directory public-ip/" in capsys.readouterr().out


def test_invalid_rule_is_a_configuration_error(tmp_path: pathlib.Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "public-ip.yaml", RULE.replace("equals: true", "equal: true"))
    write(tmp_path / "public-ip" / "main.tf", FIXTURE)
    assert main(["test-rules", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "public-ip.yaml" in err
    assert "$.match.terraform.where" in err


def test_validate_rules_takes_files_and_skips_fixtures(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "rules" / "public-ip.yaml", RULE)
    write(tmp_path / "rules" / "public-ip" / "template.yaml", "Resources: {}\n")
    write(tmp_path / "rules" / "public-ip" / "options.yaml", "max-hop-limit: 2\n")
    monkeypatch.chdir(tmp_path)
    # what pre-commit passes: every changed YAML file under rules/
    assert main(["validate-rules", "rules/public-ip.yaml", "rules/public-ip/template.yaml",
                 "rules/public-ip/options.yaml"]) == 0
    assert "1 rule file valid" in capsys.readouterr().out
    assert main(["validate-rules", "rules"]) == 0
    assert "1 rule file valid" in capsys.readouterr().out


def test_validate_rules_reports_the_file_and_path(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "bad.yaml", RULE.replace("severity: warning", "severity: fatal"))
    assert main(["validate-rules", str(tmp_path / "bad.yaml")]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err
    assert "$.severity" in err


def test_validate_rules_rejects_an_id_taken_by_a_bundled_rule(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "clash.yaml", RULE.replace("ACME0001", "IAC0101"))
    assert main(["validate-rules", str(tmp_path / "clash.yaml")]) == 2
    assert "already used" in capsys.readouterr().err


def test_validate_rules_on_the_bundled_rules(capsys: pytest.CaptureFixture[str]) -> None:
    rule = next((REPO / "rules").rglob("*.yaml"))
    assert main(["validate-rules", str(rule)]) == 0
    assert main(["validate-rules", str(REPO / "rules")]) == 0


def test_docs_user_rule_takes_its_parameter_from_yaml_alone(
        capsys: pytest.CaptureFixture[str]) -> None:
    """docs/examples/user-rules: "launch templates keep the hop limit at most 2", written as a
    YAML rule and fixtures only (its parameter raised to 3 by one case's configuration)."""
    directory = REPO / "docs" / "examples" / "user-rules"
    assert main(["test-rules", str(directory)]) == 0, capsys.readouterr().out
    assert "2 passed, 0 failed" in capsys.readouterr().out
    fixture = directory / "launch-template-hop-limit-above-2" / "main.tf"
    assert main(["check", str(fixture), "--rules", str(directory), "--select", "ACME0001",
                 "--format", "json"]) == 1
    assert capsys.readouterr().out.count('"rule": "ACME0001"') == 1
