from __future__ import annotations

import pathlib

from linter.fingerprint import fingerprint, fingerprint_of, normalized_path
from linter.model import Finding, Severity, Span
from linter.options import ScanOptions
from tests.engine.engine_builders import cfn, tf

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      MetadataOptions:
        HttpTokens: optional
        HttpPutResponseHopLimit: 3
"""


def test_normalized_path_drops_list_indexes() -> None:
    assert normalized_path(("metadata_options", 0, "http_tokens")) == "metadata_options.http_tokens"


def test_fingerprint_inputs() -> None:
    web = tf("aws_instance.web", {}, file="infra/main.tf")
    assert fingerprint("IAC0101", web, ("a",)) == fingerprint(
        "IAC0101", tf("aws_instance.web", {}, file="infra/other.tf", line=40), ("a",))
    assert fingerprint("IAC0101", web, ("a",)) != fingerprint("IAC0102", web, ("a",))
    assert fingerprint("IAC0101", web, ("a",)) != fingerprint(
        "IAC0101", tf("aws_instance.web", {}, file="other/main.tf"), ("a",))
    logical = cfn("Web", "AWS::EC2::Instance", {}, file="a.yaml")
    assert fingerprint("IAC0101", logical, ()) != fingerprint(
        "IAC0101", cfn("Web", "AWS::EC2::Instance", {}, file="b.yaml"), ())


def _scan(directory: pathlib.Path) -> list[Finding]:
    from linter.pipeline import scan

    result = scan([str(directory)], ScanOptions(), root=directory)
    return [f for f in result.findings if f.rule_id in ("IAC0101", "IAC0102")]


def test_same_findings_after_inserting_20_lines_above(tmp_path: pathlib.Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    before = _scan(tmp_path)
    shifted = TEMPLATE.replace("Resources:\n", "Resources:\n" + "  # padding\n" * 20, 1)
    template.write_text(shifted)
    after = _scan(tmp_path)
    assert {f.rule_id for f in before} == {"IAC0101", "IAC0102"}
    assert [f.span.start_line + 20 for f in before] == [f.span.start_line for f in after]
    assert [f.fingerprint for f in before] == [f.fingerprint for f in after]
    assert all(len(f.fingerprint) == 32 for f in after)


# ---------------------------------------------------------------- fingerprint_of (reports)


def _finding(message: str, line: int, fingerprint: str = "") -> Finding:
    return Finding("IAC0001", "file-does-not-parse", "tool", Severity.ERROR, message,
                   Span("a.tf", line), fingerprint=fingerprint)


def test_the_engine_fingerprint_is_kept() -> None:
    assert fingerprint_of(_finding("x", 1, "abc")) == "abc"


def test_the_fallback_survives_line_moves_but_not_other_messages() -> None:
    moved = fingerprint_of(_finding("unexpected '}' at line 3", 3))
    assert moved == fingerprint_of(_finding("unexpected '}' at line 23", 23))
    assert moved != fingerprint_of(_finding("unexpected '{' at line 3", 3))
