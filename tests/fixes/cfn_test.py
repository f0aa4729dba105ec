from __future__ import annotations

import pathlib

import pytest

from linter.fixes.cfn import Node, Template, find_in_map, intrinsic, ref_name, to_python, verify
from linter.fixes.sites import NotFixable
from tests.fixes.fix_helpers import fix_files, notes

HEADER = "AWSTemplateFormatVersion: '2010-09-09'\n"


def node(template: Template, *keys: str) -> Node:
    found: Node | None = template.root
    for key in keys:
        assert found is not None
        found = found.get(key)
    assert found is not None
    return found


def test_nodes_keep_tags_styles_and_offsets() -> None:
    source = HEADER + "Resources:\n  A:\n    Type: AWS::EC2::Instance\n    Properties:\n" \
        "      X: !Ref P\n      Y: {Ref: P}\n      Z: !FindInMap [M, a, b]\n      Q: 'q'\n"
    template = Template("t.yaml", source)
    properties = node(template, "Resources", "A", "Properties")
    x, y, z, q = (node(template, "Resources", "A", "Properties", k) for k in "XYZQ")
    assert properties.kind == "map"
    assert ref_name(x) == "P"
    assert source[x.start:x.end] == "!Ref P"
    assert ref_name(y) == "P"
    assert intrinsic(y) == "Ref"
    assert [n.value for n in find_in_map(z) or []] == ["M", "a", "b"]
    assert (q.style, q.value) == ("'", "q")
    assert to_python(x) == {"!Ref": "P"}


def test_a_bom_and_json_offsets_point_into_the_file() -> None:
    source = '\ufeff{"Resources": {"A": {"Type": "AWS::EC2::Instance"}}}'
    template = Template("t.json", source)
    assert template.is_json
    kind = node(template, "Resources", "A", "Type")
    assert source[kind.start:kind.end] == '"AWS::EC2::Instance"'


def test_anchors_and_aliases_are_not_rewritten() -> None:
    with pytest.raises(NotFixable, match="anchors and aliases"):
        Template("t.yaml", "Base: &base {HttpTokens: optional}\nResources:\n  A: *base\n")


def test_verify_refuses_a_change_of_anything_else() -> None:
    before = "A:\n  B: |+\n    text\n\nC: 1\n"
    after = "A:\n  B: |+\n    text\n  New: 1\n\nC: 1\n"  # the kept blank line left the scalar
    template = Template("t.yaml", before)
    assert verify(template, after, {"New"}) == "A.B would change"
    assert verify(template, before.replace("C: 1", "C: 2"), {"New"}) == "C would change"
    assert verify(Template("t.yaml", "A: {}\n"), "A: {New: 1}\n", {"New"}) is None


def test_a_parameter_with_a_pattern_or_range_is_checked(tmp_path: pathlib.Path) -> None:
    source = HEADER + (
        "Parameters:\n  Tokens:\n    Type: String\n    Default: optional\n"
        "    AllowedPattern: '^opt.*$'\n  Hops:\n    Type: Number\n    Default: 3\n"
        "    MinValue: 2\nResources:\n  A:\n    Type: AWS::EC2::Instance\n    Properties:\n"
        "      MetadataOptions:\n        HttpTokens: !Ref Tokens\n"
        "        HttpPutResponseHopLimit: !Ref Hops\n")
    changed, outcome, _ = fix_files(tmp_path, {"t.yaml": source})
    assert changed == {}
    assert notes(outcome) == [
        "A: Parameter Tokens's AllowedPattern does not accept required",
        "A: Parameter Hops's MinValue does not accept 1",
    ]


def test_a_parameter_given_on_the_command_line_is_not_its_default(
        tmp_path: pathlib.Path) -> None:
    source = HEADER + ("Parameters:\n  Tokens:\n    Type: String\n    Default: required\n"
                       "Resources:\n  A:\n    Type: AWS::EC2::Instance\n    Properties:\n"
                       "      MetadataOptions:\n        HttpTokens: !Ref Tokens\n")
    changed, outcome, _ = fix_files(tmp_path, {"t.yaml": source},
                                    cfn_parameters={"Tokens": "optional"})
    assert changed == {}
    assert "comes from --cfn-param" in notes(outcome)[0]


def test_a_mapping_entry_read_with_a_dynamic_key_elsewhere_is_shared(
        tmp_path: pathlib.Path) -> None:
    source = HEADER + (
        "Parameters:\n  Stage:\n    Type: String\n    Default: prod\n"
        "Mappings:\n  S:\n    dev:\n      T: optional\n    prod:\n      T: required\n"
        "Resources:\n  Dev:\n    Type: AWS::EC2::Instance\n    Properties:\n"
        "      MetadataOptions:\n        HttpTokens: !FindInMap [S, dev, T]\n"
        "  Tagged:\n    Type: AWS::EC2::Instance\n    Properties:\n"
        "      Tags:\n        - Key: mode\n          Value: !FindInMap [S, !Ref Stage, T]\n")
    changed, outcome, _ = fix_files(tmp_path, {"t.yaml": source})
    assert "    dev:\n      T: optional\n" in changed["t.yaml"]  # (Tagged gets its own options)
    assert notes(outcome) == ["Dev: Mappings S.dev.T is also used at t.yaml:23; changing it "
                              "there would change more than the flagged resources"]



def test_crlf_yaml_insertion_keeps_crlf(tmp_path: pathlib.Path) -> None:
    source = (HEADER + "Resources:\n  A:\n    Type: AWS::EC2::Instance\n    Properties:\n"
              "      ImageId: ami-1\n").replace("\n", "\r\n")
    changed, _, _ = fix_files(tmp_path, {"t.yaml": source.encode()})
    added = "      MetadataOptions:\r\n        HttpTokens: required\r\n"
    assert changed["t.yaml"] == source + added


def _tree(node: Node) -> tuple[object, ...]:
    """Everything a node says (Python value and its type included), recursively."""
    return (node.kind, node.start, node.end, repr(node.value), type(node.value).__name__,
            node.tag, node.style, node.flow, [(_tree(k), _tree(v)) for k, v in node.pairs],
            [_tree(i) for i in node.items])


_EVENT_CASES = [
    HEADER + "Resources:\n  A:\n    Type: AWS::EC2::Instance\n    Properties:\n"
    "      X: !Ref P\n      Y: {Ref: P, N: 1, B: true, F: 1.5, Z: ~}\n"
    "      G: !GetAtt [A, B]\n      S: !Sub |\n        echo ${P}\n      T: 'quoted'\n"
    "      U: \"dq\"\n      V: >\n        folded\n      W: [1, 0x1f, 0o7, .inf, -.NaN, yes, Off]\n"
    "      D: 2024-01-02\n      E: 2024-01-02T03:04:05Z\n      H: !!int 12\n      I: !!int abc\n"
    "      J: !!binary aGVsbG8=\n      K: ! 12\n      L: !!str 12\n      M: !If [C, {}, []]\n"
    "      O: !!float 1\n      P: !!null ''\n      Q:\n      R: 1_000\n      S2: 12:30:00\n",
    "\ufeffAWSTemplateFormatVersion: 2010-09-09\nResources: {A: {Type: X}}\n",
    "A: !Custom {x: 1}\nB: !Custom [1]\nC: !Custom 1\nD: !!map {a: 1}\nE: !!set {a}\n",
    "Resources:\n  A: &a {Type: X}\n  B: *a\n",  # anchors and aliases: the composer's way
    "a: 1\n---\nb: 2\n",  # two documents
    "",  # empty
    "# only a comment\n",
    "a: [1, 2\n",  # a syntax error
    "a: b: c\n",
    "a: 1\na: 2\n",  # a repeated key is kept twice
    "- 1\n- 2\n",
    "plain\n",
    "{" * 80 + "}" * 80 + "\n",  # nested past the event builder's depth
]


@pytest.mark.parametrize("source", _EVENT_CASES)
def test_the_event_builder_builds_what_the_composer_builds(source: str) -> None:
    """Read from libyaml's events or through PyYAML's composer, the tree is the same (or the
    event builder declines and the composer answers, errors and notes included)."""
    from linter.fixes import cfn

    skip = 1 if source.startswith("\ufeff") else 0
    body = source[skip:]
    fast = cfn._yaml_events(body, skip)
    try:
        slow: object = _tree(cfn._yaml_composed("t.yaml", body, skip))
    except Exception as exc:  # the composer's answer, whatever it is
        slow = repr(exc)
        assert fast is None
    if fast is not None:
        assert _tree(fast) == slow


def test_the_event_builder_takes_the_common_templates() -> None:
    from linter.fixes import cfn

    assert cfn._yaml_events(_EVENT_CASES[0], 0) is not None
    assert cfn._yaml_events(_EVENT_CASES[2], 0) is not None
    assert cfn._yaml_events(_EVENT_CASES[3], 0) is None


_JSON_CASES = [
    '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"A": {"Type": "X", "Properties":'
    ' {"N": 1, "F": -0.5E-3, "E": 1e5, "B": true, "Z": null, "L": [1, "two", [], {}],'
    ' "S": "caf\\u00e9\\n", "R": {"Ref": "P"}}}}}\n',
    ' {\n  "a" : [ ] ,\n\t"b":{ }\r\n}\n',
    '{"a": 1, "a": 2}',  # a repeated key is kept twice
    '{"a": 01}', '{"a": -}', '{"a": 1,}', '{"a" 1}', "{'a': 1}", '{"a": "\t"}', '{"a": 1} x',
    "", "   ", '"just a string"', "[1, 2]", '{"a": [1, 2}', "[" * 3000 + "]" * 3000,
]


@pytest.mark.parametrize("source", _JSON_CASES)
def test_the_direct_json_reader_builds_what_the_position_reader_builds(source: str) -> None:
    """JSON read straight into nodes, or through ``linter.json_positions``: the same tree; on
    invalid JSON the direct reader declines and ``parse_json`` says why."""
    from linter.fixes import cfn
    from linter.json_positions import parse_json

    direct = cfn._json_direct(source, 1)
    try:
        slow: object = _tree(cfn._from_json(parse_json(source), 1))
    except (ValueError, RecursionError) as exc:
        slow = repr(exc)
        assert direct is None
    if direct is not None:
        assert _tree(direct) == slow
    assert (direct is None) == isinstance(slow, str)
