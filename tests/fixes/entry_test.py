"""A resource's entry read alone (``Template.entry``) is the whole tree's entry, node for node —
kinds, offsets, values, tags, styles — or nothing; a template ``_surely_parses`` finds fine
parses; ``verify`` answers as the full comparison from entries read alone; and the fixes planned
with entries read alone are the fixes planned from the whole tree."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.fixes import cfn
from linter.fixes.cfn import Entry, Node, Template, parse, verify
from linter.fixes.sites import NotFixable
from linter.frontends.cloudformation.decode import decode_template
from linter.frontends.cloudformation.spans import SourceText
from linter.model import Span
from linter.options import ScanOptions
from linter.pipeline import scan
from tests.fixes.verify_test import full_verify
from tests.paths import FIXTURES


def front_end_spans(rel: str, source: str) -> dict[str, Span]:
    """Each resource's span as the front end gives it (from its key to its body's end)."""
    decoded, _findings = decode_template(rel, source.encode("utf-8"))
    resources = decoded.template.get("Resources") if decoded is not None else None
    if not isinstance(resources, dict):
        return {}
    lines = SourceText.of(rel, decoded.text) if decoded is not None else None
    assert lines is not None
    spans = {str(key): lines.span(body, key) for key, body in resources.items()}
    return {key: span for key, span in spans.items() if span is not None}


def node_fields(node: Node) -> tuple[Any, ...]:
    """Everything a node holds, its children's included."""
    return (node.kind, node.start, node.end, type(node.value), node.value, node.tag, node.style,
            node.flow, [(node_fields(k), node_fields(v)) for k, v in node.pairs],
            [node_fields(i) for i in node.items])


def whole_entry(template: Template, logical_id: str) -> tuple[Node, Node, int, int] | None:
    """The entry in the whole tree and what ``_enclosing_entry`` finds around it: the next
    key's offset (-1 for the last) and the start of its line (for the last, the next top-level
    key's line, or the end of the text)."""
    root = template.root
    resources = root.get("Resources")
    if resources is None or resources.kind != "map":
        return None
    pairs = resources.pairs
    index = max(i for i, (key, _value) in enumerate(pairs) if key.value == logical_id)
    text = template.text
    if index + 1 < len(pairs):
        following = pairs[index + 1][0].start
        return pairs[index][0], pairs[index][1], following, text.line_start(following)
    outer = root.key_of("Resources")
    assert outer is not None
    later = [key.start for key, _value in root.pairs if key.start > outer.start]
    stop = text.line_start(later[0]) if later else len(text.source)
    return pairs[index][0], pairs[index][1], -1, stop


def check_entries(rel: str, source: str) -> int:
    """Every resource's entry read alone equals the whole tree's (or is not read); how many
    were read alone (none of a template that does not parse)."""
    try:
        template = Template(rel, source)
    except NotFixable:
        return 0
    read = 0
    for logical_id, span in front_end_spans(rel, source).items():
        entry = template.entry(logical_id, span)
        if entry is None:
            continue
        read += 1
        expected = whole_entry(template, logical_id)
        assert expected is not None
        key, value, following, stop = expected
        assert node_fields(entry.key) == node_fields(key)
        assert node_fields(entry.value) == node_fields(value)
        if not template.is_json and entry.stop is not None:
            assert (entry.following, entry.stop) == (following, stop)
    return read


YAML_TEMPLATES = [
    # block styles, comments, a block scalar, Resources not last
    """AWSTemplateFormatVersion: '2010-09-09'
# a comment
Parameters:
  Kind: {Type: String, Default: t3.micro}
Resources:
  First:   # trailing comment
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: !Ref Kind
      UserData: !Base64 |
        #!/bin/bash
        echo "Resources:"
      # a comment at the properties' column

  Second:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData: {MetadataOptions: {HttpTokens: optional}}
Outputs:
  Id: {Value: !Ref First}
""",
    # the last resource in the file; folded and kept block scalars; a multi-line quoted scalar
    """---
Resources:
  A:
    Type: AWS::EC2::Instance
    Properties:
      Tags:
      - Key: Name
        Value: 'quoted
          on two lines'
      - {Key: b, Value: plain
          continued}
      Description: >-
        folded
        text
  B:
    Type: AWS::S3::Bucket
    Metadata:
      Text: |+
        kept

# the end
""",
    # resources indented by four, indentless sequences, short-form tags on collections
    """Resources:
    Role:
        Type: AWS::IAM::Role
        Properties:
            ManagedPolicyArns:
            - !Sub 'arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess'
            - !Join ['', [a, b]]
            Policies: !If
            - IsProd
            - [{PolicyName: p}]
            - !Ref AWS::NoValue
    Instance:
        Type: AWS::EC2::Instance
        Condition: IsProd
        Properties: {ImageId: ami-1, Count: 2, Ratio: 0.5, On: true}
Conditions:
    IsProd: !Equals [!Ref Env, prod]
""",
    # CRLF line breaks, a document end marker (declined: the whole tree answers)
    "Resources:\r\n  A:\r\n    Type: AWS::EC2::Instance\r\n    Properties:\r\n"
    "      ImageId: ami-1\r\n  B:\r\n    Type: AWS::SNS::Topic\r\n",
    "Resources:\n  A:\n    Type: AWS::SNS::Topic\n...\n",
    # a flow-style Resources, a quoted key, a key with a tag (declined)
    "Resources: {A: {Type: 'AWS::SNS::Topic'},\n  B: {Type: AWS::SQS::Queue}}\n",
    "Resources:\n  \"A\":\n    Type: AWS::SNS::Topic\n  B:\n    Type: AWS::SQS::Queue\n",
    # anchors and aliases (the whole tree answers: it refuses aliases)
    "Base: &base {Type: AWS::SNS::Topic}\nResources:\n  A: *base\n  B:\n    Type: X\n",
    # numbers and booleans as logical ids (the whole tree reads them as such)
    "Resources:\n  1:\n    Type: AWS::SNS::Topic\n  Yes:\n    Type: AWS::SQS::Queue\n",
    # a resource whose body is not a mapping
    "Resources:\n  A: !Ref Other\n  B:\n    Type: AWS::SQS::Queue\n",
]

JSON_TEMPLATES = [
    '{\n  "Resources": {\n    "A": {\n      "Type": "AWS::EC2::Instance",\n      '
    '"Properties": {"ImageId": "ami-1", "Count": 2, "On": true, "None": null}\n    },\n'
    '    "B": {"Type": "AWS::SNS::Topic"}\n  },\n  "Outputs": {"A": {"Value": {"Ref": "A"}}}\n}\n',
    '{"Resources":{"A":{"Type":"AWS::SNS::Topic","Properties":{"X":[1,2.5,"\\u00e9"]}},'
    '"B":{"Type":"AWS::SQS::Queue"}}}',
    '\ufeff{"Resources": {"A": {"Type": "AWS::SNS::Topic"}}}',
    '{"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": {"X": NaN}}}}',
    '{"Resources": {"A": {"Type": "AWS::SNS::Topic"}, "A": {"Type": "AWS::SQS::Queue"}}}',
]


@pytest.mark.parametrize("source", YAML_TEMPLATES)
def test_yaml_entries_read_alone_are_the_whole_trees(source: str) -> None:
    check_entries("t.yaml", source)


@pytest.mark.parametrize("source", JSON_TEMPLATES)
def test_json_entries_read_alone_are_the_whole_trees(source: str) -> None:
    check_entries("t.json", source)


def test_entries_are_read_alone_in_the_common_cases() -> None:
    """The shortcut is taken (else the tests above would pass without testing it)."""
    assert check_entries("t.yaml", YAML_TEMPLATES[0]) == 2
    assert check_entries("t.yaml", YAML_TEMPLATES[1]) == 2
    assert check_entries("t.yaml", YAML_TEMPLATES[2]) == 2
    assert check_entries("t.yaml", YAML_TEMPLATES[3]) == 2
    assert check_entries("t.json", JSON_TEMPLATES[0]) == 2
    assert check_entries("t.json", JSON_TEMPLATES[1]) == 2
    template = Template("t.yaml", YAML_TEMPLATES[0])
    template.entry("First", front_end_spans("t.yaml", YAML_TEMPLATES[0])["First"])
    assert template._root is None  # nothing else was parsed


def test_declined_entries_leave_the_whole_tree_to_answer() -> None:
    # a document end marker; a flow-style Resources; a quoted key; a number and a boolean as
    # the whole tree reads the keys; a body that is not a mapping
    for source, declined in zip(YAML_TEMPLATES[4:7] + YAML_TEMPLATES[8:],
                                ("A", "AB", "A", "", "A"), strict=True):
        template = Template("t.yaml", source)
        spans = front_end_spans("t.yaml", source)
        assert {logical_id for logical_id, span in spans.items()
                if template.entry(logical_id, span) is None} >= set(declined)
    template = Template("t.yaml", YAML_TEMPLATES[8])
    assert template.entry("1", Span("t.yaml", 2, 3, 3, 26)) is None
    assert template.entry("Yes", Span("t.yaml", 4, 3, 5, 26)) is None
    assert template.entry("B", Span("t.yaml", 4, 3, 5, 26)) is None  # not the key there
    template = Template("t.yaml", YAML_TEMPLATES[0])
    assert template.entry("First", None) is None
    assert template.entry("First", Span("t.yaml", 1, 1, 1, 5)) is None


def fixture_templates() -> list[pathlib.Path]:
    return sorted(p for p in (FIXTURES / "aws").rglob("*")
                  if p.suffix in (".yaml", ".yml", ".json", ".template"))


def test_every_fixture_resource_read_alone_is_the_whole_trees() -> None:
    read = 0
    for path in fixture_templates():
        try:
            source = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        read += check_entries(path.name, source)
    assert read > 20


def test_a_broken_template_fails_at_once_with_its_message() -> None:
    with pytest.raises(NotFixable, match="does not parse"):
        Template("t.yaml", "Resources:\n  A: [\n")
    with pytest.raises(NotFixable, match="uses YAML anchors and aliases"):
        Template("t.yaml", "Base: &b {Type: X}\nResources:\n  A: *b\n")
    with pytest.raises(NotFixable, match="is not a template mapping"):
        Template("t.yaml", "- a\n")
    with pytest.raises(NotFixable, match="does not parse"):
        Template("t.json", '{"Resources": {"A": 1},}')


# ---------------------------------------------------------------- any text written

BASE = """Parameters:
  P: {Type: String}
Resources:
  A:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      Tags:
      - {Key: k, Value: v}
      UserData: |
        line
  B:
    Type: AWS::SQS::Queue
    Properties: {X: 1}
  C:
    Type: AWS::SNS::Topic
Outputs:
  O: {Value: !Ref A}
"""
JSON_BASE = ('{\n  "Resources": {\n    "A": {\n      "Type": "AWS::EC2::Instance",\n'
             '      "Properties": {"ImageId": "ami-1", "Tags": [{"Key": "k"}]}\n    },\n'
             '    "B": {"Type": "AWS::SQS::Queue"}\n  },\n  "Outputs": {}\n}\n')
SNIPPETS = ("\n", "  ", "    ", "\t", "- ", ": ", "'", '"', "#", "x", "\n  A: 1", "\nB: 2",
            "\n  D:\n    Type: X\n", "\n    New: 1", "|", "|-\n", ">", "{", "}", "[", "]", ",",
            "---\n", "...\n", "%TAG ! x\n", "&a ", "*a", "!Ref ", "!!str ", "? ", "\r\n", "\r",
            "1", "\ufeff", "\u2028", '"\\', "[[[[[[", "{a: ", "Resources:\n")


@settings(max_examples=700, deadline=None)
@given(is_json=st.booleans(),
       cuts=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 6),
                               st.lists(st.sampled_from(SNIPPETS), max_size=3)), max_size=3))
def test_entries_read_alone_match_the_whole_tree_for_any_text_written(
        is_json: bool, cuts: list[tuple[float, int, list[str]]]) -> None:
    source = JSON_BASE if is_json else BASE
    for where, length, written in cuts:
        start = int(where * len(source))
        source = source[:start] + "".join(written) + source[start + length:]
    rel = "t.json" if is_json else "t.yaml"
    try:
        template = Template(rel, source)
    except NotFixable:
        return
    if template._root is None:  # ``_surely_parses``: the whole tree must parse
        assert parse(rel, source, template.is_json) is not None
    check_entries(rel, source)


@settings(max_examples=500, deadline=None)
@given(is_json=st.booleans(), where=st.tuples(st.floats(0, 1), st.integers(0, 8)),
       written=st.lists(st.sampled_from(SNIPPETS), max_size=4),
       allowed=st.sets(st.sampled_from(("New", "ImageId", "X", "Tags", "A"))))
def test_verify_from_entries_read_alone_answers_as_the_full_comparison(
        is_json: bool, where: tuple[float, int], written: list[str], allowed: set[str]) -> None:
    rel, source = ("t.json", JSON_BASE) if is_json else ("t.yaml", BASE)
    template = Template(rel, source)
    entries = [template.entry(logical_id, span)
               for logical_id, span in front_end_spans(rel, source).items()]
    assert all(isinstance(entry, Entry) for entry in entries)
    start = int(where[0] * len(source))
    end = min(len(source), start + where[1])
    after = source[:start] + "".join(written) + source[end:]
    edits = [template.text.edit(start, end, "".join(written))]
    assert verify(template, after, allowed, edits) == full_verify(template, after, allowed)


def test_verify_from_entries_read_alone_checks_each_entry_edited() -> None:
    template = Template("t.yaml", BASE)
    for logical_id, span in front_end_spans("t.yaml", BASE).items():
        template.entry(logical_id, span)
    source = BASE
    a_end = source.index("  B:\n")
    b_end = source.index("  C:\n")
    new, new_b = "      New: 1\n", "    New: 1\n"
    edits = [template.text.edit(a_end, a_end, new), template.text.edit(b_end, b_end, new_b)]
    after = source[:a_end] + new + source[a_end:b_end] + new_b + source[b_end:]
    assert verify(template, after, {"New"}, edits) is None
    assert template._root is None  # answered from the entries
    wrong = "    Type: AWS::SNS::Topic\n"
    edits = [template.text.edit(a_end, a_end, new), template.text.edit(b_end, b_end, wrong)]
    after = source[:a_end] + new + source[a_end:b_end] + wrong + source[b_end:]
    assert verify(template, after, {"New"}, edits) == full_verify(template, after, {"New"})
    assert verify(template, after, {"New"}, edits) is not None


# ---------------------------------------------------------------- plans


def planned(monkeypatch: pytest.MonkeyPatch, alone: bool) -> list[Any]:
    if not alone:
        monkeypatch.setattr(Template, "entry", lambda self, logical_id, span: None)
    result = scan([str(FIXTURES)], ScanOptions(fixes=True), root=FIXTURES)
    monkeypatch.undo()
    return [(f.rule_id, f.address, f.span, f.fix) for f in result.findings]


def test_fixes_planned_from_entries_read_alone_are_those_planned_from_the_whole_tree(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []
    real = cfn._yaml_entry

    def counted(*args: Any) -> Entry | None:
        found = real(*args)
        calls.append(found is not None)
        return found

    monkeypatch.setattr(cfn, "_yaml_entry", counted)
    with_entries = planned(monkeypatch, alone=True)
    assert any(calls)  # entries were read alone
    assert with_entries == planned(monkeypatch, alone=False)
    assert any(fix is not None and fix.edits for *_rest, fix in with_entries)
