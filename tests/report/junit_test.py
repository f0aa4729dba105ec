from __future__ import annotations

import xml.etree.ElementTree as ET

from linter.model import Format, Resource, Span
from linter.report import junit
from linter.result import ScanResult
from tests.report.sample_result import ACCESS_KEY, SECRET_KEY


def _resource(address: str, type_: str, file: str = "main.tf", line: int = 1) -> Resource:
    return Resource(address=address, type=type_, format=Format.TERRAFORM, kind="resource",
                    attributes={}, spans={(): Span(file, line)}, file=file)


def _with_graph(result: ScanResult) -> ScanResult:
    result.resources = [
        _resource("aws_instance.web", "aws_instance"),
        _resource("aws_instance.good", "aws_instance", line=40),
        _resource("aws_launch_template.lt", "aws_launch_template", line=20),
        _resource("aws_s3_bucket.logs", "aws_s3_bucket"),
    ]
    return result


def _suite(root: ET.Element, name: str) -> ET.Element:
    suite = root.find(f"testsuite[@name='{name}']")
    assert suite is not None, [s.get("name") for s in root]
    return suite


def test_one_suite_per_rule_one_case_per_resource(result: ScanResult) -> None:
    root = ET.fromstring(junit.render(_with_graph(result)))
    imds = _suite(root, "IAC0101 imds-v1-allowed")
    cases = {c.get("name"): c for c in imds.iter("testcase")}
    assert set(cases) == {"aws_instance.web", "aws_instance.good", "aws_launch_template.lt",
                          "Legacy"}
    assert cases["aws_instance.web"].find("failure") is not None
    assert list(cases["aws_instance.good"]) == []  # passed
    skipped = cases["Legacy"].find("skipped")
    assert skipped is not None
    assert skipped.get("message", "").startswith("suppressed (external)")
    assert imds.get("tests") == "4"
    assert imds.get("failures") == "1"
    assert imds.get("skipped") == "1"
    assert "aws_s3_bucket.logs" not in junit.render(result)  # no rule applies to it


def test_unknown_verdicts_are_skipped_cases(result: ScanResult) -> None:
    root = ET.fromstring(junit.render(_with_graph(result)))
    hop = _suite(root, "IAC0102 imds-hop-limit-too-high")
    case = hop.find("testcase[@name='aws_launch_template.lt']")
    assert case is not None
    skipped = case.find("skipped")
    assert skipped is not None
    assert "`var.hop_limit`" in skipped.get("message", "")


def test_tool_findings_are_errors_or_failures(result: ScanResult) -> None:
    root = ET.fromstring(junit.render(result))
    parse = _suite(root, "IAC0001 file-does-not-parse")
    assert parse.get("errors") == "1"
    case = parse.find("testcase[@name='broken.tf']")
    assert case is not None
    assert case.find("error") is not None
    unused = _suite(root, "IAC0003 unused-suppression")
    assert unused.get("failures") == "1"
    totals = {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")}
    assert totals == {"tests": "8", "failures": "4", "errors": "1", "skipped": "3"}


def test_failure_text_lists_location_and_related(result: ScanResult) -> None:
    root = ET.fromstring(junit.render(result))
    case = root.find(".//testcase[@name='aws_instance.web']")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "error"
    assert (failure.text or "").startswith("main.tf:7:4: IAC0101 [error] aws_instance.web allows")
    assert "= note: main.tf:11: its instance profile" in (failure.text or "")
    assert case.get("file") == "main.tf"
    assert case.get("line") == "7"


def test_secrets_never_appear_and_xml_stays_valid(result: ScanResult) -> None:
    finding = result.findings[0]
    result.findings[0] = type(finding)(**{**finding.__dict__, "message": "bad \x1b\x00 byte"})
    out = junit.render(result)
    assert SECRET_KEY not in out
    assert ACCESS_KEY not in out
    ET.fromstring(out)
