"""Baselines end to end: ``iaclint baseline create`` then ``iaclint check --baseline``."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from linter.cli import main
from linter.engine.baseline import apply_baseline, entries_of, read_baseline
from linter.errors import ConfigError
from linter.model import Finding, Severity, Span

INFRA = """\
resource "aws_instance" "web" {
  iam_instance_profile = "web"
  metadata_options {
    http_tokens = "optional"
  }
}

resource "aws_launch_template" "batch" {
  name = "batch"
  iam_instance_profile {
    name = "batch"
  }
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 3
  }
}
"""
NEW_PROBLEM = """
resource "aws_instance" "added" {
  iam_instance_profile = "web"
}
"""


@pytest.fixture
def repo(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "infra"
    root.mkdir()
    (root / "main.tf").write_text(INFRA)
    return root


def create(repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> pathlib.Path:
    baseline = repo.parent / "baseline.json"
    assert main(["baseline", "create", str(repo), "-o", str(baseline)]) == 0
    assert "wrote 2 findings" in capsys.readouterr().out
    return baseline


def check(repo: pathlib.Path, baseline: pathlib.Path, capsys: pytest.CaptureFixture[str]
          ) -> tuple[int, dict[str, Any], str]:
    code = main(["check", str(repo), "--baseline", str(baseline), "--format", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_baseline_file_records_fingerprints_not_lines(
        repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(create(repo, capsys).read_text())
    assert document["version"] == 1
    entries = document["findings"]
    assert {(e["rule"], e["resource"]) for e in entries} == {
        ("IAC0101", "aws_instance.web"), ("IAC0102", "aws_launch_template.batch")}
    assert all("line" not in e for e in entries)


def test_baseline_matches_after_inserting_20_lines_above(
        repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = create(repo, capsys)
    main(["check", str(repo), "--format", "json"])
    before = {f["rule"]: f for f in json.loads(capsys.readouterr().out)["findings"]}
    filler = "".join(f"# unrelated comment {n}\n" for n in range(19))
    (repo / "main.tf").write_text(filler + 'locals { unrelated = "x" }\n' + INFRA)
    code, report, err = check(repo, baseline, capsys)
    assert code == 0, report
    findings = {f["rule"]: f for f in report["findings"]}
    assert findings["IAC0101"]["line"] == before["IAC0101"]["line"] + 20
    for rule in ("IAC0101", "IAC0102"):
        assert findings[rule]["fingerprint"] == before[rule]["fingerprint"]
        assert findings[rule]["suppressed"] == {
            "kind": "external", "justification": "recorded in the baseline", "expires": None}
    assert report["summary"]["suppressed"] == 2
    assert report["summary"]["findings"] == 0
    assert "no longer occur" not in err


def test_baseline_survives_a_changed_value_and_reformatting(
        repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = create(repo, capsys)
    changed = INFRA.replace("hop_limit = 3", "hop_limit = 4").replace("  ", "    ")
    (repo / "main.tf").write_text(changed)
    code, report, _ = check(repo, baseline, capsys)
    assert code == 0, report


def test_new_findings_still_fail(repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = create(repo, capsys)
    (repo / "main.tf").write_text(INFRA + NEW_PROBLEM)
    code, report, _ = check(repo, baseline, capsys)
    assert code == 1
    active = [(f["rule"], f["resource"]) for f in report["findings"] if f["suppressed"] is None]
    assert active == [("IAC0101", "aws_instance.added")]


def test_stale_entries_are_listed(repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = create(repo, capsys)
    (repo / "main.tf").write_text(INFRA.replace('"optional"', '"required"'))
    code, report, err = check(repo, baseline, capsys)
    assert code == 0
    assert "1 baseline entry no longer occurs" in err
    assert "IAC0101 aws_instance.web (main.tf)" in err
    assert [(e["rule"], e["resource"]) for e in report["stale_baseline"]] == [
        ("IAC0101", "aws_instance.web")]


def test_baseline_in_sarif_is_an_external_suppression(
        repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = create(repo, capsys)
    main(["check", str(repo), "--baseline", str(baseline), "--format", "sarif"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert results
    assert all(r["suppressions"][0]["kind"] == "external" for r in results)


def test_baseline_from_the_configuration_file(
        repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    create(repo, capsys)
    (repo / ".iaclint.yaml").write_text("baseline: ../baseline.json\n")
    assert main(["check", str(repo)]) == 0
    assert "2 suppressed" in capsys.readouterr().out


def test_broken_baseline_is_a_configuration_error(
        tmp_path: pathlib.Path, repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 99}')
    assert main(["check", str(repo), "--baseline", str(bad)]) == 2
    assert "not an iaclint baseline" in capsys.readouterr().err
    assert main(["check", str(repo), "--baseline", str(tmp_path / "missing.json")]) == 2
    with pytest.raises(ConfigError):
        read_baseline(tmp_path / "missing.json")


def finding(rule: str, fingerprint: str, suppressed: bool = False) -> Finding:
    from linter.model import Suppression

    return Finding(rule, "r", "c", Severity.ERROR, "m", Span("main.tf", 1), "a.b",
                   fingerprint=fingerprint,
                   suppression=Suppression("inSource", "x") if suppressed else None)


def test_apply_baseline_counts_multiplicity() -> None:
    recorded = entries_of([finding("IAC0101", "f1")])
    out, stale = apply_baseline([finding("IAC0101", "f1"), finding("IAC0101", "f1")], recorded)
    assert [f.suppression is not None for f in out] == [True, False]
    assert stale == []
    _, stale = apply_baseline([], recorded)
    assert stale == recorded


def test_suppressed_and_suppression_problems_are_not_recorded() -> None:
    assert entries_of([finding("IAC0101", "f1", suppressed=True), finding("IAC0003", "f2"),
                       finding("IAC0005", "f3")]) == []


def test_a_baselined_finding_suppressed_inline_too_is_not_stale(
        repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = create(repo, capsys)
    (repo / "main.tf").write_text(INFRA.replace(
        '"optional"', '"optional" # iaclint:ignore IAC0101 reason="legacy AMI"'))
    code, report, err = check(repo, baseline, capsys)
    assert code == 0
    assert "no longer occur" not in err
    assert "stale_baseline" not in report
    kinds = {f["rule"]: f["suppressed"]["kind"] for f in report["findings"] if f["suppressed"]}
    assert kinds == {"IAC0101": "inSource", "IAC0102": "external"}


def test_an_unsuppressed_duplicate_takes_the_entry_before_a_suppressed_one() -> None:
    recorded = entries_of([finding("IAC0101", "f1")])
    out, stale = apply_baseline(
        [finding("IAC0101", "f1", suppressed=True), finding("IAC0101", "f1")], recorded)
    assert [f.suppression and f.suppression.kind for f in out] == ["inSource", "external"]
    assert stale == []
