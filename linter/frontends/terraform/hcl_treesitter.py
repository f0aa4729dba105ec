"""tree-sitter-hcl's concrete syntax tree → the nodes of ``linter.frontends.terraform.hcl_ast``.

The grammar (tree-sitter-hcl 1.2) inlines ``expr_term``: a traversal such as ``var.a[0].b`` is
a flat run of siblings (``variable_expr get_attr index get_attr``) inside its parent, and a
binary operation's operands are such runs on either side of the operator token. ``_term``
folds a run back into ``Traversal`` / ``Relative`` nodes. Template literal text is taken from
the source bytes between interpolations (the grammar's ``template_literal`` nodes leave out
surrounding whitespace), escapes are decoded, ``~`` strip markers and ``<<-`` heredoc
indentation are applied here, so the evaluator sees final strings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import tree_sitter
import tree_sitter_hcl

from linter.frontends.terraform.hcl_ast import (
    Attribute,
    BinaryOp,
    Block,
    Body,
    Comment,
    Conditional,
    Expr,
    ForExpr,
    FunctionCall,
    GetAttr,
    Index,
    Invalid,
    Literal,
    ObjectExpr,
    ObjectItem,
    Relative,
    Splat,
    Step,
    Template,
    TemplateFor,
    TemplateIf,
    TemplatePart,
    Traversal,
    TupleExpr,
    UnaryOp,
)
from linter.model import Span
from linter.options import Budgets
from linter.records import record
from linter.regex import lazy

Node = tree_sitter.Node
Point = tree_sitter.Point

_BINARY_OPS = frozenset({"*", "/", "%", "+", "-", ">", ">=", "<", "<=", "==", "!=", "&&", "||"})
_STEP_TYPES = frozenset({"get_attr", "index", "splat"})
TOP_LEVEL_TYPES = frozenset({
    "resource", "data", "module", "variable", "output", "locals", "provider", "terraform",
    "moved", "import", "removed", "check", "ephemeral",
})
_DIRECTIVE_TAGS = frozenset({"template_if_intro", "template_else_intro", "template_if_end",
                             "template_for_start", "template_for_end"})
_TEMPLATE_WS = " \t\r\n"
_INT = lazy(rb"[0-9]+")
_QUOTED_ESCAPE = lazy(r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)|\$\$\{|%%\{", re.DOTALL)
_TEMPLATE_ESCAPE = lazy(r"\$\$\{|%%\{")
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


# ---------------------------------------------------------------- the parser, once per process

DEFAULT_SYNTAX_NODES = Budgets().syntax_nodes
_LANGUAGE: tree_sitter.Language | None = None
_PARSER: tree_sitter.Parser | None = None
_COMMENTS: tree_sitter.Query | None = None


def _language() -> tree_sitter.Language:
    global _LANGUAGE
    if _LANGUAGE is None:
        _LANGUAGE = tree_sitter.Language(tree_sitter_hcl.language())
    return _LANGUAGE


# A long run of base64-alphabet characters (a blob in a string, a heredoc line): tree-sitter-hcl
# spends one token per character of a template literal (about 180 bytes of memory each), but
# treats spaces in one go. The parser is given a copy in which such runs are blanked inside
# (same bytes offsets, so every node keeps its place); every text is read from the real bytes.
_RUN_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_LONG_RUN = lazy(rb"[A-Za-z0-9+/]{64,}")
_KEEP_HEAD = lazy(rb"/*[A-Za-z0-9+]")  # a leading "//" (a comment's start) stays
# every byte of the alphabet above → "A", every other byte → " ": a long run is then a plain
# substring search (C speed), where the pattern retries each shorter run from every offset
_RUN_MARKS = bytes(0x41 if byte in _RUN_BYTES else 0x20 for byte in range(256))
_LONG_RUN_MARKS = b"A" * 64

# tree-sitter calls the progress callback once per 100 parse operations: about 20 (code) to 35
# (template literal characters, list elements) nodes, and 4-6 KB of memory. A parse is stopped
# after max_nodes / _NODES_PER_CHECK calls: ~180 MB for the default syntax-nodes budget, which
# still parses every file of up to ~600 000 nodes (the budget then refuses more than 500 000).
_NODES_PER_CHECK = 16
_READ_SLICE = 1024 * 1024


class ParseBudgetExceeded(Exception):
    """tree-sitter was stopped: parsing needed more work than ``max_nodes`` nodes' worth."""

    def __init__(self, max_nodes: int) -> None:
        super().__init__(f"parsing needs more than the budget syntax-nodes ({max_nodes})")
        self.max_nodes = max_nodes


def parser_view(data: bytes) -> bytes:
    """``data`` with the inside of every long base64-alphabet run replaced by spaces."""
    if len(data) < 4096 or not has_long_run(data):
        return data
    view: bytearray | None = None
    for match in _LONG_RUN.finditer(data):
        head = _KEEP_HEAD.match(data, match.start())
        start = head.end() if head else match.start() + 1
        end = match.end() - 1
        if end - start < 32:
            continue
        if view is None:
            view = bytearray(data)
        view[start:end] = b" " * (end - start)
    return bytes(view) if view is not None else data


def has_long_run(data: bytes) -> bool:
    """Whether ``data`` holds a run that ``_LONG_RUN`` matches (64 or more of its bytes)."""
    return data.translate(_RUN_MARKS).find(_LONG_RUN_MARKS) >= 0


def parse_tree(data: bytes, max_nodes: int = DEFAULT_SYNTAX_NODES) -> tree_sitter.Tree:
    """The tree-sitter tree of ``data`` (parsed as ``parser_view(data)``: read node texts from
    ``data``). ``ParseBudgetExceeded`` when the parse needs more work than about ``max_nodes``
    nodes (a hostile file: a 10 MB string costs tree-sitter 2 GB), so no caller pays for more."""
    global _PARSER
    if _PARSER is None:
        _PARSER = tree_sitter.Parser(_language())
    view = parser_view(data)
    if len(view) < 4096:
        return _PARSER.parse(view)
    checks = max(1, max_nodes // _NODES_PER_CHECK)
    calls = 0

    def read(offset: int, _point: Point) -> bytes:
        return view[offset : offset + _READ_SLICE]

    def progress(_offset: int, _has_error: bool) -> bool:
        nonlocal calls
        calls += 1
        return calls > checks

    try:
        return _PARSER.parse(read, progress_callback=progress)
    except ValueError:  # the progress callback stopped it
        _PARSER.reset()
        raise ParseBudgetExceeded(max_nodes) from None


def comment_nodes(root: Node) -> list[Node]:
    global _COMMENTS
    if _COMMENTS is None:
        _COMMENTS = tree_sitter.Query(_language(), "(comment) @comment")
    captures = tree_sitter.QueryCursor(_COMMENTS).captures(root)
    return sorted(captures.get("comment", []), key=lambda n: n.start_byte)


# ---------------------------------------------------------------- positions

class SpanMapper(Protocol):
    def span(self, start: Point, end: Point) -> Span: ...


class FilePositions:
    """tree-sitter (row, byte column) points → 1-based character spans of one file."""

    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        self._data = data
        self._ascii = data.isascii()
        self._starts: list[int] | None = None

    def column(self, row: int, byte_col: int) -> int:
        if self._ascii or byte_col == 0:
            return byte_col + 1
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer(rb"\n", self._data)]
        start = self._starts[min(row, len(self._starts) - 1)]
        return len(self._data[start : start + byte_col].decode("utf-8", "replace")) + 1

    @property
    def direct_path(self) -> str | None:
        """The path, when a column is the byte column + 1 (an ASCII file): spans then need no
        decoding."""
        return self.path if self._ascii else None

    def span(self, start: Point, end: Point) -> Span:
        if self._ascii:
            return Span(self.path, start[0] + 1, start[1] + 1, end[0] + 1, end[1] + 1)
        return Span(
            self.path,
            start.row + 1,
            self.column(start.row, start.column),
            end.row + 1,
            self.column(end.row, end.column),
        )


class NoPositions:
    """Every span one placeholder: for a tree whose values are compared and whose positions
    are never shown (``ValuesConverter``)."""

    PLACEHOLDER = Span("", 1, 1)

    def span(self, start: Point, end: Point) -> Span:
        return self.PLACEHOLDER


# ---------------------------------------------------------------- templates


@record
class _TemplateMode:
    quoted: bool  # "..." (backslash escapes) or heredoc (none)
    body_start: int = 0  # heredoc: first byte of the body
    indent: int = 0  # heredoc <<-: columns of indentation to remove from each line


def _unescape_quoted(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        seq = match.group(0)
        if seq in ("$${", "%%{"):
            return seq[1:]
        if seq[1] in "uU":
            return chr(int(seq[2:], 16))
        return _SIMPLE_ESCAPES.get(seq[1], seq)

    return _QUOTED_ESCAPE.sub(replace, text) if ("\\" in text or "{" in text) else text


def _unescape_template(text: str) -> str:
    return _TEMPLATE_ESCAPE.sub(lambda m: m.group(0)[1:], text) if "{" in text else text


def _strip_flags(node: Node) -> tuple[bool, bool]:
    """(strip before, strip after) of an interpolation or directive tag: ``${~ x ~}``."""
    children = node.children
    before = len(children) > 1 and children[1].type == "strip_marker"
    after = len(children) > 2 and children[-2].type == "strip_marker"
    return before, after


# ---------------------------------------------------------------- the converter


class Converter:
    """Turns the nodes of one parsed source into AST nodes."""

    def __init__(self, data: bytes, positions: SpanMapper, *, clean: bool = False) -> None:
        """``clean``: the tree has no ERROR or MISSING node (its root's ``has_error`` is
        False, and so is every node's): the nodes' own error flags are then not read."""
        self.data = data
        self.positions = positions
        self._clean = clean
        self._direct = positions.direct_path if isinstance(positions, FilePositions) else None
        # an ASCII source decoded once: a byte offset is then a character offset, and a node's
        # text is a slice of it (no bytes copy and decode per node)
        self._ascii = data.decode("ascii") if data.isascii() else None

    # -- helpers

    def span(self, node: Node) -> Span:
        path = self._direct
        if path is not None:
            start, end = node.start_point, node.end_point
            return Span(path, start[0] + 1, start[1] + 1, end[0] + 1, end[1] + 1)
        return self.positions.span(node.start_point, node.end_point)

    def text(self, node: Node) -> str:
        if self._ascii is not None:
            return self._ascii[node.start_byte : node.end_byte]
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def slice(self, start: int, end: int) -> str:
        """The source text between two byte offsets."""
        if self._ascii is not None:
            return self._ascii[start:end]
        return self.data[start:end].decode("utf-8", "replace")

    def _run_span(self, nodes: Sequence[Node]) -> tuple[Span, str]:
        first, last = nodes[0], nodes[-1]
        span = self.positions.span(first.start_point, last.end_point)
        return span, self.slice(first.start_byte, last.end_byte)

    def invalid(self, nodes: Sequence[Node]) -> Invalid:
        span, text = self._run_span(nodes)
        return Invalid(span, text)

    # -- structure

    def body(self, node: Node | None, top_level: bool = False) -> Body:
        attributes: list[Attribute] = []
        blocks: list[Block] = []
        if node is not None:
            self._collect(node, attributes, blocks, top_level)
        return Body(tuple(attributes), tuple(blocks))

    def _collect(self, node: Node, attributes: list[Attribute], blocks: list[Block],
                 top_level: bool) -> None:
        for child in node.children:
            kind = child.type
            if kind == "attribute":
                attributes.append(self.attribute(child))
            elif kind == "block":
                block = self.block(child)
                if top_level and not self._clean and child.has_error:
                    blocks.extend(_hoist(block))
                else:
                    blocks.append(block)
            elif kind in ("body", "ERROR"):
                # error recovery may wrap whole blocks that parsed fine in an ERROR node
                self._collect(child, attributes, blocks, top_level)

    def block(self, node: Node) -> Block:
        children = node.children
        type_name = self.text(children[0])
        labels: list[str] = []
        header_end = children[0]
        body_node: Node | None = None
        for child in children[1:]:
            kind = child.type
            if kind == "string_lit":
                labels.append(self._string_lit(child))
                header_end = child
            elif kind == "identifier":
                labels.append(self.text(child))
                header_end = child
            elif kind == "block_start":
                if self._clean or not child.is_missing:
                    header_end = child
            elif kind == "body":
                body_node = child
        header = self.positions.span(node.start_point, header_end.end_point)
        return Block(type_name, tuple(labels), self.body(body_node), self.span(node), header)

    def attribute(self, node: Node) -> Attribute:
        children = node.children
        name_node = children[0]
        if len(children) == 3 and children[2].type == "expression" and children[1].type == "=":
            span = self.span(node)
            return Attribute(self.text(name_node), self.expr(children[2]), span,
                             self._name_span(name_node, node, span))
        rest = [c for c in children[1:] if c.type not in ("=", "comment")]
        expr_nodes = [c for c in rest if c.type == "expression"]
        expr: Expr
        if len(rest) == 1 and expr_nodes:
            expr = self.expr(expr_nodes[0])
        elif rest:
            expr = self.invalid(rest)
        else:
            expr = Invalid(self.positions.span(node.end_point, node.end_point), "")
        span = self.span(node)
        return Attribute(self.text(name_node), expr, span, self._name_span(name_node, node, span))

    def _name_span(self, name_node: Node, node: Node, span: Span) -> Span:
        """The span of an attribute's name: in an ASCII file, where the attribute starts and as
        many columns on as the name has bytes (an identifier holds no line break), without
        asking the syntax tree for its two points."""
        if self._direct is None or name_node.start_byte != node.start_byte:
            return self.span(name_node)
        width = name_node.end_byte - name_node.start_byte
        return Span(span.file, span.start_line, span.start_col, span.start_line,
                    span.start_col + width)

    # -- expressions

    def expr(self, node: Node) -> Expr:
        """Any expression-level node (``expression`` or one of its alternatives)."""
        if not self._clean and (node.has_error or node.is_missing):
            return Invalid(self.span(node), self.text(node))
        if node.type == "expression":
            children = node.children
            if len(children) == 1:  # the common case: one term, no steps, no comments
                only = children[0]
                kind = only.type
                if kind == "conditional":
                    return self._conditional(only)
                if kind != "variable_expr" and kind != "(" and kind != "comment":
                    return self._single(only, kind)
            children = [c for c in children if c.type != "comment"]
            if len(children) == 1 and children[0].type == "conditional":
                return self._conditional(children[0])
            return self._term(children)
        return self._term([node])

    def _term(self, nodes: Sequence[Node]) -> Expr:
        """A run of siblings: a base term followed by traversal steps."""
        if not nodes:
            raise ValueError("empty expression")
        first = nodes[0]
        first_kind = first.type
        if first_kind == "(":
            inner = next(n for n in nodes if n.type in ("expression", "conditional"))
            close = next(i for i, n in enumerate(nodes) if n.type == ")")
            base = self.expr(inner)
            rest = nodes[close + 1 :]
            root = None
        else:
            rest = nodes[1:]
            if first_kind == "variable_expr":
                root = self.text(first)
                base = None
            else:
                base = self._single(first, first_kind)
                root = None
        steps = self._steps(rest)
        if root is not None:
            span, text = self._run_span(nodes)
            return Traversal(root, steps, span, text)
        assert base is not None
        if not steps:
            return base
        span, text = self._run_span(nodes)
        return Relative(base, steps, span, text)

    def _steps(self, nodes: Sequence[Node]) -> tuple[Step, ...]:
        steps: list[Step] = []
        for node in nodes:
            kind = node.type
            if kind == "get_attr":
                steps.append(GetAttr(self.text(node.children[-1])))
            elif kind == "index":
                steps.append(self._index(node.children[0]))
            elif kind == "splat":
                splat = node.children[0]
                steps.append(Splat(full=splat.type == "full_splat"))
                steps.extend(self._steps([c for c in splat.children if c.type in _STEP_TYPES]))
            elif kind == "new_index" or kind == "legacy_index":
                steps.append(self._index(node))
            elif kind != "comment":
                raise ValueError(f"unexpected traversal step {kind}")
        return tuple(steps)

    def _index(self, node: Node) -> Index:
        if node.type == "legacy_index":  # x.0
            digits = self.text(node)[1:]
            span = self.span(node)
            return Index(Literal(int(digits), span, digits))
        key = next(c for c in node.children if c.type == "expression")
        return Index(self.expr(key))

    def _single(self, node: Node, kind: str | None = None) -> Expr:
        if kind is None:
            kind = node.type
        if kind == "literal_value":
            return self._literal(node.children[0], node)
        if kind in ("string_lit", "numeric_lit", "bool_lit", "null_lit"):
            return self._literal(node, node)
        if kind == "template_expr":
            return self._template_expr(node.children[0])
        if kind in ("quoted_template", "heredoc_template"):
            return self._template_expr(node)
        if kind == "collection_value":
            return self._collection(node.children[0])
        if kind in ("tuple", "object"):
            return self._collection(node)
        if kind == "function_call":
            return self._function_call(node)
        if kind == "for_expr":
            return self._for(node.children[0])
        if kind == "operation":
            return self._operation(node.children[0])
        if kind in ("binary_operation", "unary_operation"):
            return self._operation(node)
        if kind == "conditional":
            return self._conditional(node)
        if kind == "expression":
            return self.expr(node)
        if kind == "variable_expr":
            return Traversal(self.text(node), (), self.span(node), self.text(node))
        return Invalid(self.span(node), self.text(node))

    def _literal(self, node: Node, outer: Node) -> Literal:
        kind = node.type
        text = self.text(outer)
        span = self.span(outer)
        if kind == "string_lit":
            return Literal(self._string_lit(node), span, text)
        if kind == "bool_lit":
            return Literal(text == "true", span, text)
        if kind == "null_lit":
            return Literal(None, span, text)
        raw = self.data[node.start_byte : node.end_byte]
        value: object
        if _INT.fullmatch(raw):
            value = int(raw)
        elif raw[:2] in (b"0x", b"0X"):
            value = int(raw[2:], 16)
        else:
            value = float(raw)
        return Literal(value, span, text)

    def _string_lit(self, node: Node) -> str:
        if self._clean or not node.has_error:
            # both quotes there: the text is between the first and last byte
            return _unescape_quoted(self.slice(node.start_byte + 1, node.end_byte - 1))
        children = node.children
        start = children[0].end_byte
        end = children[-1].start_byte if len(children) > 1 else node.end_byte
        return _unescape_quoted(self.slice(start, end))

    def _collection(self, node: Node) -> Expr:
        span, text = self.span(node), self.text(node)
        if node.type == "tuple":
            items = tuple(self.expr(c) for c in node.children if c.type == "expression")
            return TupleExpr(items, span, text)
        pairs: list[ObjectItem] = []
        for elem in node.children:
            if elem.type != "object_elem":
                continue
            parts = [c for c in elem.children if c.type == "expression"]
            if len(parts) != 2:
                continue
            key = self._object_key(parts[0])
            pairs.append(ObjectItem(key, self.expr(parts[1]), self.span(elem)))
        return ObjectExpr(tuple(pairs), span, text)

    def _object_key(self, node: Node) -> Expr:
        children = [c for c in node.children if c.type != "comment"]
        if len(children) == 1 and children[0].type == "variable_expr":
            # a bare identifier key is the literal name (``(name)`` would evaluate it)
            return Literal(self.text(children[0]), self.span(node), self.text(node))
        return self.expr(node)

    def _function_call(self, node: Node) -> FunctionCall:
        name = self.text(node.children[0])
        args: list[Expr] = []
        expand = False
        for child in node.children:
            if child.type == "function_arguments":
                for arg in child.children:
                    if arg.type == "expression":
                        args.append(self.expr(arg))
                    elif arg.type == "ellipsis":
                        expand = True
        return FunctionCall(name, tuple(args), expand, self.span(node), self.text(node))

    def _for(self, node: Node) -> ForExpr:
        intro = next(c for c in node.children if c.type == "for_intro")
        names = [self.text(c) for c in intro.children if c.type == "identifier"]
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        collection = self.expr(next(c for c in intro.children if c.type == "expression"))
        exprs = [c for c in node.children if c.type == "expression"]
        cond_node = next((c for c in node.children if c.type == "for_cond"), None)
        condition = None
        if cond_node is not None:
            condition = self.expr(next(c for c in cond_node.children if c.type == "expression"))
        is_object = node.type == "for_object_expr"
        grouping = any(c.type == "ellipsis" for c in node.children)
        key_expr = self.expr(exprs[0]) if is_object else None
        value_expr = self.expr(exprs[-1])
        return ForExpr(key_var, value_var, collection, key_expr, value_expr, condition,
                       grouping, is_object, self.span(node), self.text(node))

    def _operation(self, node: Node) -> Expr:
        children = [c for c in node.children if c.type != "comment"]
        span, text = self.span(node), self.text(node)
        if node.type == "unary_operation":
            return UnaryOp(children[0].type, self._term(children[1:]), span, text)
        split = next(i for i, c in enumerate(children) if not c.is_named and c.type in _BINARY_OPS)
        left = self._term(children[:split])
        right = self._term(children[split + 1 :])
        return BinaryOp(children[split].type, left, right, span, text)

    def _conditional(self, node: Node) -> Expr:
        """``a ? b : c ? d : e`` is ``a ? b : (c ? d : e)`` in HCL.

        tree-sitter-hcl 1.2 associates chained conditionals to the left; the operands of the
        chain are collected and re-associated to the right.
        """
        operands = _conditional_chain(node)
        result = self.expr(operands[-1])
        last = operands[-1]
        for index in range(len(operands) - 3, -1, -2):
            first = operands[index]
            span = self.positions.span(first.start_point, last.end_point)
            text = self.slice(first.start_byte, last.end_byte)
            result = Conditional(self.expr(first), self.expr(operands[index + 1]), result, span,
                                 text)
        return result

    # -- templates

    def _template_expr(self, node: Node) -> Expr:
        children = node.children
        span, text = self.span(node), self.text(node)
        if node.type == "quoted_template":
            mode = _TemplateMode(quoted=True)
            start, end = children[0].end_byte, children[-1].start_byte
        else:  # heredoc_template: heredoc_start, identifier, parts..., identifier
            idents = [c for c in children if c.type == "heredoc_identifier"]
            newline = self.data.find(b"\n", idents[0].end_byte)
            start = node.end_byte if newline == -1 else newline + 1
            closing = idents[-1].start_byte
            end = max(start, self.data.rfind(b"\n", 0, closing) + 1)
            flush = children[0].type == "heredoc_start" and self.text(children[0]) == "<<-"
            indent = self._heredoc_indent(children, start, end) if flush else 0
            mode = _TemplateMode(quoted=False, body_start=start, indent=indent)
        parts = self._parts(children, start, end, mode, False, False)
        if all(isinstance(p, str) for p in parts):
            return Literal("".join(p for p in parts if isinstance(p, str)), span, text)
        return Template(parts, span, text)

    def _parts(self, nodes: Sequence[Node], start: int, end: int, mode: _TemplateMode,
               strip_lead: bool, strip_trail: bool) -> tuple[TemplatePart, ...]:
        out: list[TemplatePart] = []
        pos = start
        strip_next = strip_lead
        for node in nodes:
            kind = node.type
            if kind not in ("template_interpolation", "template_directive"):
                continue
            if node.start_byte < start or node.end_byte > end:
                continue
            before, after, part = self._template_item(node, mode)
            gap = self._literal_text(pos, node.start_byte, mode)
            if strip_next:
                gap = gap.lstrip(_TEMPLATE_WS)
            if before:
                gap = gap.rstrip(_TEMPLATE_WS)
            out.append(gap)
            out.append(part)
            strip_next = after
            pos = node.end_byte
        gap = self._literal_text(pos, end, mode)
        if strip_next:
            gap = gap.lstrip(_TEMPLATE_WS)
        if strip_trail:
            gap = gap.rstrip(_TEMPLATE_WS)
        out.append(gap)
        merged: list[TemplatePart] = []
        for part in out:
            if isinstance(part, str):
                if not part:
                    continue
                if merged and isinstance(merged[-1], str):
                    merged[-1] = merged[-1] + part
                    continue
            merged.append(part)
        return tuple(merged)

    def _inner_expr(self, node: Node) -> Expr:
        """The expression inside ``${…}`` or a directive (the grammar lets ``${}`` be empty,
        which Terraform rejects: an Invalid expression)."""
        inner = next((c for c in node.children if c.type == "expression"), None)
        if inner is None:
            return Invalid(self.span(node), self.text(node))
        return self.expr(inner)

    def _template_item(self, node: Node, mode: _TemplateMode) -> tuple[bool, bool, TemplatePart]:
        if node.type == "template_interpolation":
            before, after = _strip_flags(node)
            return before, after, self._inner_expr(node)
        directive = node.children[0] if node.children else node
        tags = [c for c in directive.children if c.type in _DIRECTIVE_TAGS]
        if not tags:  # the grammar accepted a directive iaclint cannot take apart
            return False, False, Invalid(self.span(node), self.text(node))
        intro, closing = tags[0], tags[-1]
        before = _strip_flags(intro)[0]
        after = _strip_flags(closing)[1]
        if directive.type == "template_for":
            names = [self.text(c) for c in intro.children if c.type == "identifier"]
            if not names:
                return before, after, Invalid(self.span(node), self.text(node))
            key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
            collection = self._inner_expr(intro)
            body = self._sub_template(directive, intro, closing, mode)
            return before, after, TemplateFor(key_var, value_var, collection, body)
        condition = self._inner_expr(intro)
        else_tag = next((t for t in tags if t.type == "template_else_intro"), None)
        then = self._sub_template(directive, intro, else_tag or closing, mode)
        otherwise = self._sub_template(directive, else_tag, closing, mode) if else_tag else None
        return before, after, TemplateIf(condition, then, otherwise)

    def _sub_template(self, directive: Node, opening: Node, closing: Node,
                      mode: _TemplateMode) -> Template:
        start, end = opening.end_byte, closing.start_byte
        inner = [c for c in directive.children if start <= c.start_byte and c.end_byte <= end]
        parts = self._parts(inner, start, end, mode, _strip_flags(opening)[1],
                            _strip_flags(closing)[0])
        span = self.positions.span(opening.end_point, closing.start_point)
        text = self.slice(start, end)
        return Template(parts, span, text)

    def _literal_text(self, start: int, end: int, mode: _TemplateMode) -> str:
        if start >= end:
            return ""
        raw = self.data[start:end]
        if mode.quoted:
            return _unescape_quoted(raw.decode("utf-8", "replace"))
        if mode.indent:
            raw = self._dedent(start, end, mode)
        return _unescape_template(raw.decode("utf-8", "replace"))

    def _dedent(self, start: int, end: int, mode: _TemplateMode) -> bytes:
        data = self.data
        out = bytearray()
        pos = start
        while pos < end:
            if pos == mode.body_start or data[pos - 1] == 0x0A:
                removed = 0
                while removed < mode.indent and pos < end and data[pos] in (0x20, 0x09):
                    pos += 1
                    removed += 1
            newline = data.find(b"\n", pos, end)
            if newline == -1:
                out += data[pos:end]
                break
            out += data[pos : newline + 1]
            pos = newline + 1
        return bytes(out)

    def _heredoc_indent(self, children: Sequence[Node], start: int, end: int) -> int:
        """The smallest indentation of the non-blank lines of a ``<<-`` heredoc body."""
        opaque: list[tuple[int, int]] = []

        def collect(nodes: Sequence[Node]) -> None:
            for node in nodes:
                kind = node.type
                if kind == "template_interpolation" or kind in _DIRECTIVE_TAGS:
                    opaque.append((node.start_byte, node.end_byte))
                elif kind in ("template_directive", "template_if", "template_for"):
                    collect(node.children)

        collect(children)
        data = self.data
        best: int | None = None
        line = start
        while line < end:
            if not any(s < line < e for s, e in opaque):
                pos = line
                while pos < end and data[pos] in (0x20, 0x09):
                    pos += 1
                if pos < end and data[pos] not in (0x0A, 0x0D):
                    width = pos - line
                    best = width if best is None else min(best, width)
            newline = data.find(b"\n", line, end)
            if newline == -1:
                break
            line = newline + 1
        return best or 0


def _conditional_chain(node: Node) -> list[Node]:
    """The operands of a left-associated conditional chain, in source order."""
    parts = [c for c in node.children if c.type == "expression"]
    condition = [c for c in parts[0].children if c.type != "comment"]
    if len(condition) == 1 and condition[0].type == "conditional":
        return [*_conditional_chain(condition[0]), parts[1], parts[2]]
    return parts


def _hoist(block: Block) -> list[Block]:
    """Undo error recovery that nests the next top-level blocks inside an unclosed block.

    A block left open by a syntax error swallows the blocks after it; a nested block whose
    type only exists at the top level of a Terraform file (``resource``, ``module`` …) is
    moved back out, so every block that parsed is kept.
    """
    nested = [b for b in block.body.blocks if b.type in TOP_LEVEL_TYPES]
    if not nested:
        return [block]
    kept = tuple(b for b in block.body.blocks if b.type not in TOP_LEVEL_TYPES)
    out = [Block(block.type, block.labels, Body(block.body.attributes, kept), block.span,
                 block.header)]
    for inner in nested:
        out.extend(_hoist(inner))
    return out


class ValuesConverter(Converter):
    """A converter for comparing what a source says, not where (``linter.fixes.hcl.verify``
    parses every edited block once more): every span is ``NoPositions.PLACEHOLDER``, so no
    node's points are read."""

    def __init__(self, data: bytes, *, clean: bool = False) -> None:
        super().__init__(data, NoPositions(), clean=clean)

    def span(self, node: Node) -> Span:
        return NoPositions.PLACEHOLDER


# ---------------------------------------------------------------- comments

_COMMENT_MARKER = lazy(rb"#|//|/\*")
# a marker inside one of these leaves starts no comment (a "/*" in an ARN, a "#" in a heredoc)
_NOT_COMMENT_LEAVES = frozenset({"template_literal"})
# past this many markers the query over the whole tree is cheaper than asking at each one
_MAX_MARKER_PROBES = 256


def may_have_comments(root: Node, data: bytes) -> bool:
    """False only when ``data`` surely has no comment, so the comment query over the whole tree
    (about a millisecond for a 14 KB file) is skipped: every comment starts with ``#``, ``//``
    or ``/*``, and when each such marker lies inside a string's literal text, none starts one.
    True when unsure (many markers, or one that is not in a string)."""
    for probes, match in enumerate(_COMMENT_MARKER.finditer(data)):
        if probes >= _MAX_MARKER_PROBES:
            return True
        leaf = root.descendant_for_byte_range(match.start(), match.start() + 1)
        if leaf is None or leaf.type not in _NOT_COMMENT_LEAVES:
            return True
    return False



def comments(root: Node, data: bytes, positions: FilePositions) -> tuple[Comment, ...]:
    found: list[Comment] = []
    for node in comment_nodes(root):
        line_start = data.rfind(b"\n", 0, node.start_byte) + 1
        trailing = bool(data[line_start : node.start_byte].strip())
        text = data[node.start_byte : node.end_byte].decode("utf-8", "replace").rstrip("\r\n")
        found.append(Comment(positions.span(node.start_point, node.end_point), text, trailing))
    return tuple(found)


# ---------------------------------------------------------------- syntax errors


def first_error(node: Node) -> Node | None:
    """The first ERROR or MISSING node in document order (None when the tree is clean)."""
    if node.type == "ERROR" or node.is_missing:
        return node
    if not node.has_error:
        return None
    for child in node.children:
        found = first_error(child)
        if found is not None:
            return found
    return None
