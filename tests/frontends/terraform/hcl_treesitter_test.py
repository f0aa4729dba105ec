"""``parse_tree``: every tree-sitter parse sees the blanked view and has a work budget.

tree-sitter-hcl spends one token (about 180 bytes) per non-blank character of a template
literal: a 10 MB string cost 1.8 GB and 20 s, a 15 MB ordinary file 2 GB (issue 15, row 17 and
its acceptance). Long base64-alphabet runs are blanked before any parse, and a parse that needs
more work than the syntax-nodes budget is stopped (``ParseBudgetExceeded``), whoever calls it.
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Iterator
from typing import Any

import pytest

from linter.frontends.terraform import hcl_treesitter
from linter.frontends.terraform.hcl import load_module, parse_hcl
from linter.frontends.terraform.hcl_treesitter import (
    Converter,
    FilePositions,
    Node,
    NoPositions,
    ParseBudgetExceeded,
    parse_tree,
)
from linter.frontends.terraform.tf_json import parse_tf_json
from linter.model import Span
from linter.options import Budgets
from tests.paths import REPO

BLOB = "QUJD" * 50_000  # 200 KB of base64
DASHES = "- " * 50_000  # 100 000 literal characters that are not base64


def string_file(value: str) -> bytes:
    return f'resource "aws_instance" "r" {{\n  user_data = "{value}"\n}}\n'.encode()


def test_a_base64_blob_costs_the_parser_almost_nothing() -> None:
    tree = parse_tree(string_file(BLOB), max_nodes=2_000)
    assert not tree.root_node.has_error
    parsed = parse_hcl("t.tf", string_file(BLOB), max_nodes=2_000)
    value = parsed.body.blocks[0].body.attribute("user_data")
    assert value is not None
    assert getattr(value.expr, "value", None) == BLOB


def test_a_parse_past_the_work_budget_is_stopped_and_the_parser_stays_usable() -> None:
    with pytest.raises(ParseBudgetExceeded, match=r"budget syntax-nodes \(2000\)"):
        parse_tree(string_file(DASHES), max_nodes=2_000)
    assert not parse_tree(string_file("ok"), max_nodes=2_000).root_node.has_error
    assert not parse_tree(string_file(DASHES)).root_node.has_error  # the default budget


def test_a_file_past_the_work_budget_is_a_finding_not_a_parse(tmp_path: pathlib.Path) -> None:
    parsed = parse_hcl("t.tf", string_file(DASHES), max_nodes=2_000)
    assert parsed.body.blocks == ()
    assert "needs more parsing work than 2000 syntax nodes" in parsed.problems[0].message
    (tmp_path / "t.tf").write_bytes(string_file(DASHES))
    _, findings = load_module(tmp_path, ".", Budgets(syntax_nodes=2_000))
    assert [(f.rule_id, f.span.file, f.span.start_line) for f in findings] == [
        ("IAC0001", "t.tf", 1)]
    assert "raise budgets.syntax-nodes" in findings[0].message


def test_a_tf_json_string_past_the_work_budget_is_invalid_not_a_crash(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hcl_treesitter.parse_tree, "__defaults__", (2_000,))
    data = ('{"resource": {"aws_instance": {"r": {"user_data": "${var.a}' + DASHES + '", '
            '"ami": "ami-1"}}}}').encode()
    parsed = parse_tf_json("main.tf.json", data)
    attributes = {a.name: a.expr for a in parsed.body.blocks[0].body.attributes}
    assert type(attributes["user_data"]).__name__ == "Invalid"
    assert getattr(attributes["ami"], "value", None) == "ami-1"


class _Spy:
    """Wraps the tree-sitter parser and records the longest base64 run of any input."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.longest = 0
        self.sizes: list[int] = []

    def parse(self, source: object, *args: object, **kwargs: object) -> object:
        import re

        if isinstance(source, bytes):
            data = source
        else:
            chunks, offset = [], 0
            while chunk := source(offset, None):  # type: ignore[operator]
                chunks.append(chunk)
                offset += len(chunk)
            data = b"".join(chunks)
        runs = [len(m.group()) for m in re.finditer(rb"[A-Za-z0-9+/]{64,}", data)]
        self.longest = max([self.longest, *runs])
        self.sizes.append(len(data))
        return self.real.parse(source, *args, **kwargs)  # type: ignore[attr-defined]

    def reset(self) -> None:
        self.real.reset()  # type: ignore[attr-defined]


def test_every_stage_parses_the_blanked_view(tmp_path: pathlib.Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Row 17a: the front end blanked the blob, but the fix stage (planned for every JSON or
    SARIF report) parsed the raw bytes -- 1.9 GB for a 10 MB line."""
    from linter.fixes.apply import apply_fixes
    from linter.options import ScanOptions
    from linter.pipeline import scan

    parse_tree(b"x = 1\n")  # the parser exists
    spy = _Spy(hcl_treesitter._PARSER)
    monkeypatch.setattr(hcl_treesitter, "_PARSER", spy)
    (tmp_path / "long.tf").write_text(
        'resource "aws_instance" "long_line" {\n  ami = "ami-12345678"\n'
        f'  user_data = "{BLOB}"\n  metadata_options {{\n    http_tokens = "optional"\n'
        "  }\n}\n")
    result = scan([str(tmp_path)], ScanOptions(select=("IAC0101",), fixes=True),
                  root=tmp_path)
    outcome = apply_fixes(result.root, result.findings)
    assert [c.file for c in outcome.changes] == ["long.tf"]
    assert sum(size > len(BLOB) for size in spy.sizes) >= 2  # the front end and the fix stage
    assert spy.longest == 0


FIXTURES = pathlib.Path(__file__).parents[3] / "fixtures"
COMMENT_CASES = [
    b'locals {\n  a = "arn:aws:s3:::b/*"\n  b = "x#y//z"\n}\n',
    b'locals {\n  a = "arn:aws:s3:::b/*" # trailing\n}\n',
    b'locals {\n  a = "arn:aws:s3:::b/*"\n  /* block */\n}\n',
    b'locals {\n  a = <<EOT\n  x # no /* no\nEOT\n  // yes\n}\n',
    b'locals {\n  a = "${var.x}/*#"\n}\n',
    b'locals {\n  a = "${var.x}" // c\n}\n',
    b'locals {\n  a = "unclosed\n# after\n',
    b'# only\n',
    b'locals {\n' + b'  a = "/*"\n' * 300 + b'}\n',
]


@pytest.mark.parametrize("data", [
    *COMMENT_CASES,
    *(p.read_bytes() for p in sorted(FIXTURES.rglob("*.tf"))),
])
def test_may_have_comments_is_false_only_without_comments(data: bytes) -> None:
    """The shortcut that skips the comment query never hides a comment the query finds."""
    root = parse_tree(data).root_node
    if not hcl_treesitter.may_have_comments(root, data):
        assert hcl_treesitter.comment_nodes(root) == []


def test_may_have_comments_skips_markers_in_strings_only() -> None:
    skipped = [d for d in COMMENT_CASES
               if not hcl_treesitter.may_have_comments(parse_tree(d).root_node, d)]
    assert skipped == [COMMENT_CASES[0], COMMENT_CASES[4]]


def _attribute_nodes(node: hcl_treesitter.Node) -> list[hcl_treesitter.Node]:
    found = [node] if node.type == "attribute" else []
    for child in node.children:
        found.extend(_attribute_nodes(child))
    return found


@pytest.mark.parametrize("source", [
    'a = 1\n  bb   = "x"\nresource "t" "n" {\n\tccc = [1]\n  d_e-f = { g = 2 }\n}\n',
    'x = 1\ny\n', 'broken = \n', 'é = "unicode name"\nafter = 1\n', 'k = "é"\nafter = 1\n',
    'a /* c */ = 1\nb = # c\n 2\n',
])
def test_an_attribute_name_span_is_the_span_of_its_name_node(source: str) -> None:
    """The name span taken from the attribute's own start is the one the tree gives."""
    data = source.encode()
    converter = hcl_treesitter.Converter(data, hcl_treesitter.FilePositions("t.tf", data))
    for node in _attribute_nodes(parse_tree(data).root_node):
        attribute = converter.attribute(node)
        assert attribute.name_span == converter.span(node.children[0]), attribute.name


def _nodes_of(node: hcl_treesitter.Node, kind: str) -> list[hcl_treesitter.Node]:
    found = [node] if node.type == kind else []
    for child in node.children:
        found.extend(_nodes_of(child, kind))
    return found


@pytest.mark.parametrize("source", [
    'a = "x"\nb = ""\nc = "é\\n\\u00e9 $${x} %%{y}"\nresource "t" "n" {}\n',
    'd = ["a", "b\\"c"]\ne = { "k" = "v" }\n', 'f = "open\n', 'g = "a" "b"\n',
])
def test_a_string_literal_is_read_between_its_quotes(source: str) -> None:
    """The text between a clean string literal's first and last byte is the text between its
    quote nodes."""
    data = source.encode()
    converter = hcl_treesitter.Converter(data, hcl_treesitter.FilePositions("t.tf", data))
    literals = _nodes_of(parse_tree(data).root_node, "string_lit")
    assert literals
    for node in literals:
        children = node.children
        end = children[-1].start_byte if len(children) > 1 else node.end_byte
        expected = hcl_treesitter._unescape_quoted(converter.slice(children[0].end_byte, end))
        assert converter._string_lit(node) == expected


# ---------------------------------------------------------------- the values-only tree


def _without_spans(value: Any) -> Any:
    """``value`` with every span inside it the values-only tree's placeholder."""
    if isinstance(value, Span):
        return NoPositions.PLACEHOLDER
    if isinstance(value, tuple):
        return tuple(_without_spans(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{
            f.name: _without_spans(getattr(value, f.name)) for f in dataclasses.fields(value)
            if f.init})
    return value


_TF_FIXTURES = sorted((REPO / "fixtures").rglob("*.tf"))


@pytest.mark.parametrize("path", _TF_FIXTURES, ids=lambda p: str(p.relative_to(REPO)))
def test_a_module_file_is_the_full_parse_without_comments(path: pathlib.Path) -> None:
    data = path.read_bytes()
    full = parse_hcl(path.name, data)
    loaded = {f.path: f for f in load_module(path.parent, ".")[0]}[path.name]
    assert loaded == parse_hcl(path.name, data, with_comments=False)
    assert loaded == dataclasses.replace(full, comments=(), comment_details=())


@pytest.mark.parametrize("path", _TF_FIXTURES, ids=lambda p: str(p.relative_to(REPO)))
def test_a_values_only_tree_is_the_full_tree_without_positions(path: pathlib.Path) -> None:
    data = path.read_bytes()
    full = parse_hcl("main.tf", data)
    values = parse_hcl("main.tf", data, values_only=True)
    assert values.body == _without_spans(full.body)
    assert values.problems == full.problems  # a syntax problem keeps its position
    assert values.comments == ()


def test_a_values_only_tree_of_a_broken_and_non_ascii_source() -> None:
    data = ('# é\nresource "a" "b" {\n  x = "é${var.y}"\n  z = [1, {k = f(2)}]\n'
            '  w = a ? b : c\n  v = [for i in l : i if i > 0]\n}\nbroken {\n').encode()
    full = parse_hcl("main.tf", data)
    values = parse_hcl("main.tf", data, values_only=True)
    assert full.problems
    assert values.problems == full.problems
    assert values.body == _without_spans(full.body)


# ---------------------------------------------------------------- clean trees


_BROKEN = [b'resource "a" "b" {\n  x = \n}\n', b'a = [1, 2\n', b'a = "x\n', b'a = {k = 1\n',
           b'b {\n  c = f(1,\n}\n', b'x = ${\n', b'a = 1 +\n', b'a = <<EOF\nx\n']


def _nodes(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from _nodes(child)


@pytest.mark.parametrize("data", _BROKEN)
def test_a_missing_or_error_node_marks_every_ancestor(data: bytes) -> None:
    """What ``Converter(clean=True)`` relies on: a root without ``has_error`` has no ERROR or
    MISSING node below it."""
    root = parse_tree(data).root_node
    flagged = [n for n in _nodes(root) if n.is_missing or n.type == "ERROR"]
    assert flagged
    for flagged_node in flagged:
        node: Node | None = flagged_node
        while node is not None:
            assert node.has_error
            node = node.parent


@pytest.mark.parametrize("path", _TF_FIXTURES, ids=lambda p: str(p.relative_to(REPO)))
def test_a_clean_tree_converts_the_same_without_reading_error_flags(path: pathlib.Path) -> None:
    data = path.read_bytes()
    root = parse_tree(data).root_node
    body = next((c for c in root.children if c.type == "body"), None)
    if root.has_error or body is None:
        pytest.skip("not a clean tree")
    positions = FilePositions("main.tf", data)
    assert Converter(data, positions, clean=True).body(body, top_level=True) == Converter(
        data, positions).body(body, top_level=True)
