"""The fast decoder against cfn-lint's: the same tree, the same marks, the same evaluation.

``marked_yaml.load`` must give exactly what ``cfnlint.decode.decode_str`` gives (node kinds,
values, the marks of every mapping, list, string and key), report a repeated key as cfn-lint
does, and hand everything else to cfn-lint (``Unsupported``). Then every CloudFormation fixture
and corpus template is evaluated both ways and the results compared.
"""

from __future__ import annotations

import math
import pathlib
import textwrap
from typing import Any

import pytest
from cfnlint.decode import decode_str
from cfnlint.decode.node import dict_node, list_node, str_node

from linter.frontends.cloudformation import marked_yaml
from linter.frontends.cloudformation.decode import looks_like_cfn
from linter.frontends.cloudformation.template import evaluate_template
from linter.options import ScanOptions
from tests.paths import FIXTURES, SHARED

CORPUS = SHARED / "corpus"
SUFFIXES = (".yaml", ".yml", ".json", ".template")
_KINDS = {dict_node: "mapping", list_node: "list", str_node: "string",
          marked_yaml.MarkedDict: "mapping", marked_yaml.MarkedList: "list",
          marked_yaml.MarkedStr: "string"}


def templates(root: pathlib.Path) -> list[pathlib.Path]:
    if not root.is_dir():
        return []
    return [path for path in sorted(root.rglob("*"))
            if path.suffix in SUFFIXES and path.is_file() and looks_like_cfn(path.read_bytes())]


FIXTURE_TEMPLATES = templates(FIXTURES)
CORPUS_TEMPLATES = templates(CORPUS)


def kind(value: Any) -> str:
    return _KINDS.get(type(value), type(value).__name__)


def marks(value: Any) -> tuple[int, int, int, int] | None:
    start, end = getattr(value, "start_mark", None), getattr(value, "end_mark", None)
    if start is None or end is None:
        return None
    return (start.line, start.column, end.line, end.column)


def difference(expected: Any, got: Any, path: tuple[Any, ...] = ()) -> str | None:
    """Where two decoded trees differ (kinds, values, marks, keys and their marks), or None."""
    if kind(expected) != kind(got) or marks(expected) != marks(got):
        return f"{path}: {kind(expected)} {marks(expected)} != {kind(got)} {marks(got)}"
    if isinstance(expected, dict):
        if [(k, kind(k), marks(k)) for k in expected] != [(k, kind(k), marks(k)) for k in got]:
            return f"{path}: keys {list(expected)} != {list(got)}"
        if getattr(expected, "using_merge", False) != getattr(got, "using_merge", False):
            return f"{path}: using_merge"
        return next((d for k in expected
                     if (d := difference(expected[k], got[k], (*path, k))) is not None), None)
    if isinstance(expected, list):
        if len(expected) != len(got):
            return f"{path}: {len(expected)} items != {len(got)}"
        return next((d for i, (e, g) in enumerate(zip(expected, got, strict=True))
                     if (d := difference(e, g, (*path, i))) is not None), None)
    if isinstance(expected, float) and math.isnan(expected):
        return None if isinstance(got, float) and math.isnan(got) else f"{path}: {got!r}"
    return None if expected == got else f"{path}: {expected!r} != {got!r}"


def same_as_cfn_lint(text: str) -> None:
    """``marked_yaml`` decodes ``text`` as cfn-lint does, or leaves it to cfn-lint."""
    expected, matches = decode_str(text)
    problems = [(m.linenumber, m.columnnumber, m.message) for m in matches]
    reported: list[tuple[int, int, str]] | None = None
    try:
        got = marked_yaml.load(text)
    except marked_yaml.Unsupported:
        return  # cfn-lint decodes it, whatever it is
    except marked_yaml.DuplicateKeys as err:
        reported = err.problems
    if reported is not None:
        assert reported == problems
        return
    assert not problems, f"cfn-lint rejects what the fast path accepts: {problems}"
    assert difference(expected, got) is None


EDGE_CASES = {
    "short-forms": """
        Resources:
          A:
            Type: AWS::EC2::Instance
            Properties:
              R: !Ref Ami
              C: !Condition IsProd
              S: !Sub "${AWS::StackName}-x"
              S2: !Sub ["${a}", {a: !Ref B}]
              G: !GetAtt Role.Arn
              G2: !GetAtt [Role, Arn]
              G3: !GetAtt Role.Outputs.Nested
              G4: !GetAtt ""
              J: !Join [",", [!Ref A, !GetAtt B.C]]
              I: !If [IsProd, !Ref A, !Ref "AWS::NoValue"]
              F: !FindInMap {MapName: M, TopLevelKey: K, SecondLevelKey: L}
              E: !Equals [a, a]
              B: !Base64 |
                #!/bin/bash
                echo hi
              Empty: !Ref
              Odd: !Fn::Sub x
        """,
    "scalars": """
        AWSTemplateFormatVersion: 2010-09-09
        Resources:
          A:
            Type: AWS::X::Y
            Properties:
              ints: [1, -2, 0o17, 017, 0x1f, 1_000, 0b101, 190:20:30]
              floats: [1.5, -1e3, .inf, -.Inf, .nan, 6.8523015e+5, 190:20:30.15]
              bools: [true, False, yes, No, on, OFF, y, n]
              nulls: [~, null, Null, ]
              empty:
              dates: [2001-12-14t21:59:43.10-05:00, 2002-12-14]
              quoted: ["1", '2', "true", 'null', "2010-09-09"]
              tagged: [!!str 12, !!int "12", !!float "1", !!binary aGVsbG8=, !!bool "yes"]
              keys: {1: a, 2.5: b, false: c, null1: d, "": e, 2020-01-01: f}
              flow: {a: [b, {c: d}], "e": 'f'}
              folded: >
                folded
                text
              literal: |-
                keep
                  indent
        """,
    "json": '{\n  "Resources": {\n    "A": {"Type": "AWS::S3::Bucket",\n'
            '      "Properties": {"N": 1.0, "L": [1, "a", {"b": null}], "E": {}}}}\n}\n',
    "json-slash-escape": '{"Resources": {"A": {"Type": "AWS::S3::Bucket", "P": "a\\/b"}}}',
    "json-tab": '{\n\t"Resources": {\n\t\t"A": {"Type": "AWS::S3::Bucket"}\n\t}\n}\n',
    "bom-crlf-markers": "\ufeff%YAML 1.1\r\n---\r\nResources:\r\n  A:\r\n    Type: X\r\n...\r\n",
    "duplicate": "Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n",
    "duplicates-many": "Resources:\n  A:\n    Type: X\n    K: 1\n    K: 2\n    V: 1\n"
                       "    K: 3\n    V: 2\n  B: {Type: Y}\n  B: {Type: Z}\n",
    "duplicate-nested-first": "A: 1\nA: 2\nB:\n  C: 1\n  C: 2\n",
    "duplicate-non-string": "Mappings:\n  M:\n    1: a\n    1: b\n",
    "equal-keys-of-two-types": "Mappings:\n  M: {1: a, 1.0: b, true: c}\n",
    "duplicate-in-short-form": "R:\n  P: !FindInMap {MapName: a, MapName: b}\n",
    "anchors": "Resources:\n  A: &a\n    Type: X\n  B: *a\n",
    "anchor-unused": "Resources:\n  A: &a\n    Type: X\n  B: {Type: 'a & b'}\n",
    "merge": "Base: &b {Type: X}\nResources:\n  A:\n    <<: *b\n    P: 1\n",
    "merge-inline": "Resources:\n  A:\n    <<: {Type: X}\n    P: 1\n",
    "value-key": "Resources:\n  =: 1\n",
    "null-key": "Resources:\n  ~: 1\n",
    "complex-key": "? [a, b]\n: c\n",
    "getatt-mapping": "A: !GetAtt {a: b}\n",
    "set": "A: !!set {a, b}\n",
    "omap": "A: !!omap [a: 1]\n",
    "python-tag": "A: !!python/object:os.system x\n",
    "bad-int": "A: !!int abc\n",
    "str-on-mapping": "A: !!str {a: 1}\n",
    "seq-on-scalar": "A: !!seq x\n",
    "tag-directive": "%TAG ! tag:example.com,2000:\n---\nA: !Ref x\n",
    "two-documents": "A: 1\n---\nB: 2\n",
    "only-comments": "# nothing here\n",
    "list-root": "- a\n- b\n",
    "scalar-root": "just text\n",
    "syntax": "Resources:\n  A: [\n",
    "bad-indent": "Resources:\n  A:\n    Type: X\n   B: 1\n",
    "control-character": "A: \"\x07\"\nB: \x07\n",
    "deep": "A: " + "[" * 300 + "]" * 300 + "\n",
}


@pytest.mark.parametrize("text", list(EDGE_CASES.values()), ids=list(EDGE_CASES))
def test_edge_cases_decode_as_cfn_lint_does(text: str) -> None:
    same_as_cfn_lint(textwrap.dedent(text).lstrip("\n") if text.startswith("\n") else text)


def test_short_forms_become_intrinsic_functions() -> None:
    tree = marked_yaml.load("A: !GetAtt Role.Arn\nB: !Ref X\nC: !Sub [x, {}]\n")
    assert tree == {"A": {"Fn::GetAtt": ["Role", "Arn"]}, "B": {"Ref": "X"},
                    "C": {"Fn::Sub": ["x", {}]}}
    assert (tree["A"].start_mark.line, tree["A"].start_mark.column) == (0, 3)


def test_what_the_fast_path_leaves_to_cfn_lint() -> None:
    for name in ("anchors", "merge", "merge-inline", "null-key", "syntax", "two-documents",
                 "only-comments", "deep", "duplicate-non-string",
                 "equal-keys-of-two-types", "complex-key"):
        with pytest.raises(marked_yaml.Unsupported):
            marked_yaml.load(EDGE_CASES[name])


def test_nodes_deep_copy_and_pickle_with_their_marks() -> None:
    import copy
    import pickle

    tree = marked_yaml.load("A:\n  B: [x, {C: y}]\n")
    for clone in (copy.deepcopy(tree), pickle.loads(pickle.dumps(tree))):
        assert difference(tree, clone) is None
    default = tree["A"].get("missing", {})
    assert marks(default) == marks(tree["A"])  # as cfn-lint's dict_node.get


@pytest.mark.parametrize("path", FIXTURE_TEMPLATES + CORPUS_TEMPLATES,
                         ids=lambda p: str(p.relative_to(p.parents[2])))
def test_templates_decode_and_evaluate_as_with_cfn_lint(
        path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pytest.skip("not UTF-8")
    same_as_cfn_lint(text)
    root, rel = path.parent, path.name
    fast = evaluate_template(root, rel, data, ScanOptions())

    def unsupported(text: str) -> Any:
        raise marked_yaml.Unsupported("forced")

    monkeypatch.setattr(marked_yaml, "load", unsupported)
    slow = evaluate_template(root, rel, data, ScanOptions())
    assert fast == slow


def test_the_corpus_is_compared_when_present() -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    assert len(CORPUS_TEMPLATES) > 50
