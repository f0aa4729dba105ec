from __future__ import annotations

import json
import pathlib
from typing import Any

import jsonschema
import pytest

import linter
from linter.report import json_report
from linter.result import ScanResult
from tests.report.golden_files import check_golden
from tests.report.sample_result import ACCESS_KEY, SECRET_KEY


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(json_report.SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def _normalized(text: str) -> str:
    return text.replace(f'"version": "{linter.__version__}"', '"version": "VERSION"')


def test_the_schema_ships_in_the_package_and_is_valid() -> None:
    assert json_report.SCHEMA_PATH.parent.name == "report"
    jsonschema.Draft202012Validator.check_schema(_schema())


def test_the_report_validates_against_its_schema(result: ScanResult) -> None:
    doc = json.loads(json_report.render(result, show_unknown=True))
    jsonschema.Draft202012Validator(_schema()).validate(doc)


def test_an_empty_report_validates(result: ScanResult) -> None:
    doc = json.loads(json_report.render(ScanResult(root=result.root)))
    jsonschema.Draft202012Validator(_schema()).validate(doc)
    assert doc["findings"] == doc["errors"] == doc["unknown"] == []


def test_golden(result: ScanResult) -> None:
    check_golden("report.json", _normalized(json_report.render(result)))


def test_findings_errors_and_unknowns_are_separated(result: ScanResult) -> None:
    doc = json.loads(json_report.render(result))
    assert [f["rule"] for f in doc["findings"]] == ["IAC0301", "IAC0101", "IAC0401", "IAC0102",
                                                    "IAC0101"]
    assert [f["rule"] for f in doc["errors"]] == ["IAC0001", "IAC0003"]
    assert doc["unknown"] == [{
        "rule": "IAC0102", "name": "imds-hop-limit-too-high", "resource": "aws_launch_template.lt",
        "file": "main.tf", "line": 23, "column": 5, "end": {"line": 23, "column": 48},
        "expressions": [{"expression": "var.hop_limit", "reason": "variable has no value",
                         "file": "main.tf", "line": 23, "column": 35,
                         "refs": ["var.hop_limit"]}],
    }]
    assert doc["summary"] == {
        "findings": 3, "errors": 2, "suppressed": 2, "unknown": 1,
        "by_severity": {"error": 3, "warning": 1, "note": 1},
        "files": 5, "rules": 4, "duration_seconds": 0.125,
    }


def test_a_finding_carries_location_remediation_and_suppression(result: ScanResult) -> None:
    doc = json.loads(json_report.render(result))
    imds = next(f for f in doc["findings"] if f["resource"] == "aws_instance.web")
    assert (imds["file"], imds["line"], imds["column"], imds["end"]) == (
        "main.tf", 7, 4, {"line": 7, "column": 28})
    assert imds["remediation"]["cli"].startswith("aws ec2 modify-instance-metadata-options")
    assert imds["related"][0] == {"file": "main.tf", "line": 11, "column": 1,
                                  "end": {"line": 13, "column": 2},
                                  "message": "its instance profile",
                                  "resource": "aws_iam_instance_profile.web"}
    assert imds["suppressed"] is None
    fleet = next(f for f in doc["findings"] if f["resource"] == "Fleet")
    assert fleet["suppressed"] == {"kind": "inSource", "justification": "containers",
                                   "expires": "2030-01-01"}
    legacy = next(f for f in doc["findings"] if f["resource"] == "Legacy")
    assert legacy["suppressed"]["kind"] == "external"


def test_an_open_end_column_is_resolved_from_the_source(result: ScanResult) -> None:
    doc = json.loads(json_report.render(result))
    broken = doc["errors"][0]
    assert broken["end"] == {"line": 1, "column": 35}  # end of `resource "aws_instance" … {`
    assert broken["remediation"] == {"terraform": None, "cloudformation": None, "cli": None}


def test_secrets_never_appear(result: ScanResult) -> None:
    out = json_report.render(result, show_unknown=True)
    assert SECRET_KEY not in out
    assert ACCESS_KEY not in out
    doc = json.loads(out)
    creds = next(f for f in doc["findings"] if f["rule"] == "IAC0401")
    assert creds["message"] == "provider.aws has a hard-coded secret key wJal…"
    assert "redact" not in creds["properties"]


@pytest.mark.parametrize("value", [float("nan"), {1, 2}, ("a", 1)])
def test_odd_property_values_stay_valid_json(result: ScanResult, value: object) -> None:
    finding = result.findings[0]
    result.findings[0] = type(finding)(**{**finding.__dict__, "properties": {"v": value}})
    json.loads(json_report.render(result))


def test_fixable_findings_carry_their_edits_or_a_note(tmp_path: pathlib.Path) -> None:
    from linter.options import ScanOptions
    from linter.pipeline import scan

    (tmp_path / "main.tf").write_text(
        'resource "aws_instance" "web" {\n  metadata_options {\n    http_tokens = "optional"\n'
        '  }\n}\n\nresource "aws_instance" "pick" {\n  count = 2\n  metadata_options {\n'
        '    http_tokens = count.index == 0 ? "required" : "optional"\n  }\n}\n',
        encoding="utf-8")
    result = scan([str(tmp_path)], ScanOptions(select=("IAC0101",), fixes=True), root=tmp_path)
    doc = json.loads(json_report.render(result))
    jsonschema.Draft202012Validator(_schema()).validate(doc)
    fixes = {f["resource"]: f["fix"] for f in doc["findings"]}
    assert fixes["aws_instance.web"] == {
        "description": 'Set http_tokens = "required" in metadata_options',
        "applicable": True,
        "edits": [{"file": "main.tf", "line": 3, "column": 19, "end": {"line": 3, "column": 29},
                   "text": '"required"'}],
        "note": None,
    }
    unfixed = fixes["aws_instance.pick[1]"]
    assert unfixed["applicable"] is False
    assert unfixed["edits"] == []
    assert "count / for_each instances" in unfixed["note"]
