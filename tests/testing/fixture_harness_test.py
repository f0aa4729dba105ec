from __future__ import annotations

import pathlib
import textwrap
from collections.abc import Sequence

import pytest

from linter.model import Finding, Severity, Span
from linter.options import ScanOptions
from linter.testing.fixture_harness import (
    FixtureError,
    ScanFn,
    case_files,
    case_options,
    check_case,
    comment_expectations,
    find_cases,
    read_expectations,
)


def finding(file: str, line: int, rule_id: str = "IAC0101") -> Finding:
    return Finding(rule_id, "r", "imds-tokens", Severity.ERROR, f"{rule_id} message",
                   Span(file, line))


def fake_scan(*found: Finding) -> ScanFn:
    def scan(case: pathlib.Path, options: ScanOptions) -> Sequence[Finding]:
        return found

    return scan


def write(path: pathlib.Path, text: str) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


HCL = """\
    # ruleid: IAC0101
    resource "aws_instance" "a" {
      ami = "x"
    }

    resource "aws_instance" "b" {
      metadata_options {
        http_tokens = "optional" # ruleid: IAC0101
      }
    }

    # ok: IAC0101
    # (a comment between the annotation and its line)

    resource "aws_instance" "c" {
      metadata_options {
        http_tokens = "required"
      }
    }
    """


def test_comment_expectations_own_line_and_trailing() -> None:
    found = comment_expectations("main.tf", textwrap.dedent(HCL))
    assert [(e.line, e.rule_id, e.kind) for e in found] == [
        (2, "IAC0101", "ruleid"), (8, "IAC0101", "ruleid"), (15, "IAC0101", "ok")]


def test_several_ids_and_slash_comments() -> None:
    found = comment_expectations("a.tf", 'x = 1 // ruleid: IAC0101, IAC0102\n')
    assert [(e.line, e.rule_id) for e in found] == [(1, "IAC0101"), (1, "IAC0102")]


def test_correct_fixture_passes(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "main.tf", HCL)
    report = check_case(tmp_path, fake_scan(finding("main.tf", 2), finding("main.tf", 8),
                                            finding("main.tf", 15, "IAC0301")))
    assert report.ok, report.render()  # IAC0301 is not mentioned: not compared


def test_a_wrong_annotation_is_reported_with_markers(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "main.tf", HCL)
    report = check_case(tmp_path, fake_scan(finding("main.tf", 3), finding("main.tf", 8),
                                            finding("main.tf", 15)))
    problems = [(m.line, m.problem.split(":")[0]) for m in report.mismatches]
    assert problems == [
        (2, "expected IAC0101 here, not reported"),
        (3, "unexpected IAC0101"),
        (15, "IAC0101 reported on a line marked ok"),
    ]
    text = report.render()
    assert '>>  2 | resource "aws_instance" "a" {' in text
    assert ">>  3 |   ami = \"x\"" in text
    assert '   8 |     http_tokens = "optional" # ruleid: IAC0101' in text  # unmarked
    assert "^ unexpected IAC0101: IAC0101 message" in text


def test_reserved_tool_findings_are_always_compared(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "main.tf", HCL)
    report = check_case(tmp_path, fake_scan(finding("main.tf", 2), finding("main.tf", 8),
                                            finding("main.tf", 1, "IAC0001")))
    assert [(m.line, m.rule_id) for m in report.mismatches] == [(1, "IAC0001")]


def test_todo_annotations_are_strict(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "main.tf", """\
        a = 1 # todoruleid: IAC0101
        b = 2 # todook: IAC0101
        """)
    assert check_case(tmp_path, fake_scan(finding("main.tf", 2))).ok
    report = check_case(tmp_path, fake_scan(finding("main.tf", 1)))
    assert sorted(m.problem.split(";")[0] for m in report.mismatches) == [
        "todook: IAC0101 no longer fires here",
        "todoruleid: IAC0101 now fires here",
    ]


def test_json_sidecar(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "template.json", '{\n  "Resources": {}\n}\n')
    write(tmp_path / "template.json.expected.yaml", """\
        - {line: 2, ruleid: IAC0101}
        - {line: 3, ok: [IAC0101, IAC0102]}
        """)
    expectations = read_expectations(tmp_path)
    assert [(e.line, e.rule_id, e.kind) for e in expectations] == [
        (2, "IAC0101", "ruleid"), (3, "IAC0101", "ok"), (3, "IAC0102", "ok")]
    assert check_case(tmp_path, fake_scan(finding("template.json", 2))).ok
    report = check_case(tmp_path, fake_scan(finding("template.json", 3, "IAC0102")))
    assert len(report.mismatches) == 2


def test_broken_sidecar_and_contradictions_fail_the_case(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "a" / "t.json", "{}\n")
    write(tmp_path / "a" / "t.json.expected.yaml", "- {line: x, ruleid: IAC0101}\n")
    with pytest.raises(FixtureError):
        read_expectations(tmp_path / "a")
    report = check_case(tmp_path / "a", fake_scan())
    assert not report.ok
    assert "broken fixture" in report.render()
    write(tmp_path / "b" / "main.tf", "x = 1 # ruleid: IAC0101\n# ok: IAC0101\nx = 1\n"
          "y = 2 # ruleid: IAC0101\n# ok: IAC0101\n")
    with pytest.raises(FixtureError):
        read_expectations(tmp_path / "b")


def test_cases_sub_cases_and_modules(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "rule" / "main.tf", "")
    write(tmp_path / "rule" / "modules" / "child" / "main.tf", "x = 1 # ruleid: IAC0101\n")
    write(tmp_path / "rule" / "scripts" / "user_data.sh", "echo # ruleid: IAC0401\n")
    write(tmp_path / "rule" / "max-2" / "main.tf", "")
    write(tmp_path / "rule" / "max-2" / "options.yaml", "max-hop-limit: 2\n")
    write(tmp_path / "rule" / "docs" / "README.md", "")
    root = tmp_path / "rule"
    assert find_cases(tmp_path) == [root, root / "max-2"]
    assert sorted(p.relative_to(root).as_posix() for p in case_files(root)) == [
        "docs/README.md", "main.tf", "modules/child/main.tf", "scripts/user_data.sh"]
    assert {(e.file, e.rule_id) for e in read_expectations(root)} == {
        ("modules/child/main.tf", "IAC0101"), ("scripts/user_data.sh", "IAC0401")}
    assert "max-2" in case_options(root).exclude
    assert case_options(root / "max-2").parameters == {"max_hop_limit": 2}


def test_a_roots_directory_makes_one_case_of_several_roots(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "scope" / "roots" / "dev" / "main.tf", "x = 1 # ruleid: IAC0101\n")
    write(tmp_path / "scope" / "roots" / "prod" / "main.tf", "x = 1 # ok: IAC0101\n")
    write(tmp_path / "scope" / "README.md", "two roots\n")
    case = tmp_path / "scope"
    assert find_cases(tmp_path) == [case]
    assert sorted(p.relative_to(case).as_posix() for p in case_files(case)) == [
        "README.md", "roots/dev/main.tf", "roots/prod/main.tf"]


def test_findings_outside_the_case_are_ignored(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "main.tf", "x = 1 # ok: IAC0101\n")
    write(tmp_path / "sub" / "main.tf", "x = 1\n")
    report = check_case(tmp_path, fake_scan(finding("sub/main.tf", 1)))
    assert report.ok
