"""The GitLab code quality report validates against GitLab's schema, item by item (GitLab
drops every item after the first invalid one) and with unique fingerprints (it collapses
equal ones)."""

from __future__ import annotations

import dataclasses
import json
import pathlib
from typing import Any

import jsonschema

from linter.report import gitlab, render
from linter.result import ScanResult
from tests.report.sample_result import ACCESS_KEY, SECRET_KEY

SCHEMA = json.loads(pathlib.Path(__file__).with_name("gitlab-codequality.schema.json")
                    .read_text(encoding="utf-8"))


def report(result: ScanResult, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(render("gitlab", result, **kwargs))
    return items


def test_validates_against_the_gitlab_schema(result: ScanResult) -> None:
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    for document in (report(result, show_unknown=True), report(ScanResult(root=result.root))):
        assert list(validator.iter_errors(document)) == []


def test_schema_rejects_what_gitlab_drops() -> None:
    item = {"description": "x", "check_name": "IAC0101", "fingerprint": "f", "severity": "high",
            "location": {"path": "main.tf", "lines": {"begin": 1}}}
    assert not jsonschema.Draft7Validator(SCHEMA).is_valid([item])


def test_active_findings_with_repository_paths_and_severities(result: ScanResult) -> None:
    items = report(result)
    assert len(items) == 5  # suppressed findings are left out
    imds = next(i for i in items if i["check_name"] == "IAC0101")
    assert imds["location"] == {"path": "main.tf", "lines": {"begin": 7, "end": 7}}
    assert imds["severity"] == "critical"
    assert imds["description"].startswith("IAC0101 aws_instance.web allows IMDSv1")
    assert imds["fingerprint"] == "3f2a9c1e0d4b5a6978877665544332211"
    assert {i["severity"] for i in items} <= set(gitlab.SEVERITIES.values())
    text = json.dumps(items)
    assert SECRET_KEY not in text
    assert ACCESS_KEY not in text


def test_fingerprints_are_unique_and_stable(result: ScanResult) -> None:
    twin = dataclasses.replace(result.findings[0])
    doubled = dataclasses.replace(result, findings=[*result.findings, twin])
    items = report(doubled)
    fingerprints = [i["fingerprint"] for i in items]
    assert len(set(fingerprints)) == len(fingerprints) == 6
    assert report(doubled) == items
