"""Resource shape, spans in both syntaxes, broken input, and the peer corpus smoke run."""

from __future__ import annotations

import json
import pathlib

import pytest

from linter.frontends.cloudformation.decode import looks_like_cfn
from linter.frontends.cloudformation.template import evaluate_template
from linter.model import Format
from linter.options import ScanOptions
from tests.evaluate.cfn_helpers import evaluate, only

YAML = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::EC2::Instance
    Metadata:
      Note: !Sub "${AWS::Partition}"
    Properties:
      MetadataOptions:
        HttpTokens: optional
        HttpPutResponseHopLimit: 3
      SecurityGroups:
        - a
        - b

  # ruleid: IAC0101
  Next:
    Type: AWS::S3::Bucket
"""


def test_resource_shape_and_yaml_spans() -> None:
    result = evaluate(YAML)
    web = only(result, "Web")
    assert (web.type, web.format, web.kind, web.file) == (
        "AWS::EC2::Instance", Format.CLOUDFORMATION, "resource", "template.yaml")
    assert web.attributes["Metadata"] == {"Note": "aws"}
    header = web.spans[()]
    assert (header.start_line, header.start_col, header.end_line) == (3, 3, 13)
    tokens = web.spans[("Properties", "MetadataOptions", "HttpTokens")]
    assert (tokens.start_line, tokens.start_col, tokens.end_line, tokens.end_col) == (9, 9, 9, 29)
    hop = web.spans[("Properties", "MetadataOptions", "HttpPutResponseHopLimit")]
    assert (hop.start_line, hop.end_col) == (10, 35)
    assert web.spans[("Properties", "SecurityGroups", 1)].start_line == 13
    assert web.spans[("Properties", "MetadataOptions")].end_line == 10
    assert result.files == ["template.yaml"]


def test_json_spans() -> None:
    text = json.dumps({"Resources": {"Web": {
        "Type": "AWS::EC2::Instance",
        "Properties": {"MetadataOptions": {"HttpTokens": "optional"}, "Ids": ["a", {"Ref": "X"}]},
    }}}, indent=2)
    lines = text.splitlines()
    result = evaluate_template(pathlib.Path("."), "t.json", text.encode(), ScanOptions())
    web = only(result, "Web")
    tokens = web.spans[("Properties", "MetadataOptions", "HttpTokens")]
    assert lines[tokens.start_line - 1].strip() == '"HttpTokens": "optional"'
    assert web.spans[()].start_line == 3
    assert web.spans[()].end_line == len(lines) - 2
    assert lines[web.spans[("Properties", "Ids", 1)].start_line - 1].strip() == "{"


@pytest.mark.parametrize(("text", "rule"), [
    ("Resources:\n  Web:\n    Type: [\n", "IAC0001"),
    ("Resources:\n  Web:\n    Properties: {}\n", "IAC0004"),
    ("Resources: [a]\n", "IAC0004"),
], ids=["syntax", "no-type", "resources-list"])
def test_broken_templates_are_findings(text: str, rule: str) -> None:
    result = evaluate(text)
    assert [f.rule_id for f in result.findings] == [rule]
    assert result.resources == []


def test_corpus_templates_never_raise() -> None:
    root = pathlib.Path(__file__).resolve().parents[3] / "shared" / "corpus"  # ../shared
    if not root.is_dir():
        pytest.skip("peer corpus not present")
    evaluated = 0
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json", ".template") or not path.is_file():
            continue
        data = path.read_bytes()
        if not looks_like_cfn(data):
            continue
        result = evaluate_template(root, path.relative_to(root).as_posix(), data, ScanOptions())
        evaluated += 1
        assert not [f for f in result.findings if f.rule_id == "IAC0001"], path
    assert evaluated > 100
