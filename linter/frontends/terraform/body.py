"""Evaluation of a block body into the attribute tree of a ``Resource``.

Attributes become values (an attribute that evaluates to null is left out: Terraform treats it
as unset), nested blocks become lists of objects, and ``dynamic`` blocks are expanded in place
(``for_each``, ``iterator``, ``content``, nested dynamic blocks). Alongside the values, the
evaluation collects the span of every attribute, nested block and literal list element or object
key (also inside ``jsonencode(...)``), the origins of values that came from variables, and the
trace of each attribute (for graph edges).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field

from linter.frontends.terraform.expressions import Context, Trace, evaluate
from linter.frontends.terraform.hcl_ast import (
    Attribute,
    Block,
    Body,
    Expr,
    FunctionCall,
    Literal,
    ObjectExpr,
    Template,
    Traversal,
    TupleExpr,
)
from linter.frontends.terraform.values import Value, derive_unknown
from linter.model import Path, Span, Unknown
from linter.records import mutable


@mutable
class Collected:
    spans: dict[Path, Span] = field(default_factory=dict)
    origins: dict[Path, tuple[Span, ...]] = field(default_factory=dict)
    traces: list[tuple[Path, Trace]] = field(default_factory=list)

    def merge(self, other: Collected) -> None:
        for path, span in other.spans.items():
            self.spans.setdefault(path, span)
        self.origins.update(other.origins)
        self.traces.extend(other.traces)


_MEMBERS_CACHE_SIZE = 20000
_members_cache: dict[tuple[int, frozenset[str]],
                     tuple[Body, dict[str, Attribute | list[Block]]]] = {}


def body_members(body: Body, skip: Iterable[str] = ()) -> dict[str, Attribute | list[Block]]:
    """Attributes by name and blocks grouped by type (dynamic blocks under their label).

    Memoized per body (bodies are immutable; the entry keeps its body alive so that the id
    cannot be reused). The returned dict must not be modified."""
    skipped = frozenset(skip)
    key = (id(body), skipped)
    hit = _members_cache.get(key)
    if hit is not None and hit[0] is body:
        return hit[1]
    if len(_members_cache) >= _MEMBERS_CACHE_SIZE:
        _members_cache.clear()
    members = _body_members(body, skipped)
    _members_cache[key] = (body, members)
    return members


def _body_members(body: Body, skipped: frozenset[str]) -> dict[str, Attribute | list[Block]]:
    members: dict[str, Attribute | list[Block]] = {}
    for attribute in body.attributes:
        if attribute.name not in skipped:
            members.setdefault(attribute.name, attribute)
    for block in body.blocks:
        if block.type in skipped:
            continue
        if block.type == "dynamic":
            if len(block.labels) != 1:
                continue
            name = block.labels[0]
        else:
            name = block.type
        existing = members.setdefault(name, [])
        if isinstance(existing, list):
            existing.append(block)
    return members


def evaluate_member(name: str, member: Attribute | list[Block], ctx: Context, path: Path,
                    out: Collected) -> Value:
    if isinstance(member, Attribute):
        return evaluate_attribute(member, ctx, (*path, name), out)
    return evaluate_blocks(member, ctx, (*path, name), out)


def evaluate_attribute(attribute: Attribute, ctx: Context, path: Path, out: Collected) -> Value:
    expr = attribute.expr
    out.spans[path] = attribute.span
    if isinstance(expr, Literal):  # the common case, kept cheap
        return expr.value
    trace = Trace()
    value = evaluate(expr, ctx.with_trace(trace))
    structure_spans(attribute.expr, path, out.spans)
    if trace.origins:
        out.origins[path] = tuple(trace.origins)
    out.traces.append((path, trace))
    return value


def evaluate_body(body: Body, ctx: Context, path: Path, out: Collected,
                  skip: Iterable[str] = ()) -> dict[str, Value]:
    result: dict[str, Value] = {}
    for name, member in body_members(body, skip).items():
        value = evaluate_member(name, member, ctx, path, out)
        if value is not None and not (isinstance(member, list) and value == []):
            result[name] = value  # null = unset; zero blocks (dynamic) = absent
    return result


def evaluate_blocks(blocks: list[Block], ctx: Context, path: Path, out: Collected) -> Value:
    items: list[Value] = []
    for block in blocks:
        out.spans.setdefault(path, block.span)
        if block.type == "dynamic":
            expanded = _dynamic(block, ctx, path, len(items), out)
            if isinstance(expanded, Unknown):
                return expanded
            items.extend(expanded)
            continue
        item_path = (*path, len(items))
        out.spans[item_path] = block.span
        items.append(evaluate_body(block.body, ctx, item_path, out))
    return items


def _iterator_name(block: Block) -> str:
    attribute = block.body.attribute("iterator")
    if attribute is not None:
        expr = attribute.expr
        if isinstance(expr, Traversal) and not expr.steps:
            return expr.root
        if isinstance(expr, Literal) and isinstance(expr.value, str):
            return expr.value
    return block.labels[0]


def _dynamic(block: Block, ctx: Context, path: Path, start: int,
             out: Collected) -> list[Value] | Unknown:
    for_each = block.body.attribute("for_each")
    contents = block.body.blocks_of("content")
    if for_each is None or not contents:
        return []
    content = contents[0]
    trace = Trace()
    collection = evaluate(for_each.expr, ctx.with_trace(trace))
    out.traces.append((path, trace))
    if trace.origins:
        out.origins.setdefault(path, tuple(trace.origins))
    text = f'dynamic "{block.labels[0]}" for_each = {for_each.expr.text}'
    name = _iterator_name(block)
    if isinstance(collection, Unknown):
        unknown = derive_unknown(text, for_each.expr.span, [collection])
        _trace_content(content, ctx.bind({name: {"key": unknown, "value": unknown}}),
                       (*path, start), out)
        return unknown
    if collection is None:
        return []
    if isinstance(collection, dict):
        pairs: list[tuple[Value, Value]] = [(k, collection[k]) for k in sorted(collection)]
    elif isinstance(collection, list):
        pairs = list(enumerate(collection))
    else:
        return Unknown(text, "error: the for_each of a dynamic block must be a collection",
                       for_each.expr.span)
    items: list[Value] = []
    for key, value in pairs:
        item_path = (*path, start + len(items))
        out.spans[item_path] = content.span
        inner = ctx.bind({name: {"key": key, "value": value}})
        items.append(evaluate_body(content.body, inner, item_path, out))
        if trace.origins:  # the content's values come from where the collection came from
            for member in content.body.attributes:
                out.origins.setdefault((*item_path, member.name), tuple(trace.origins))
    return items


def _trace_content(content: Block, ctx: Context, path: Path, out: Collected) -> None:
    """The references of a dynamic block's content whose ``for_each`` is unknown: the block
    may or may not exist, but what it would refer to is still an edge (from the block's path),
    so that the graph can tell "unknown" from "absent". Its values and spans are dropped."""
    probe = Collected()
    evaluate_body(content.body, ctx, path, probe)
    out.traces.extend(probe.traces)


def _literal_key(expr: Expr) -> str | None:
    if isinstance(expr, Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, Template) and all(isinstance(p, str) for p in expr.parts):
        return "".join(p for p in expr.parts if isinstance(p, str))
    return None


_TRANSPARENT_FUNCTIONS = frozenset({"jsonencode", "yamlencode", "tolist", "toset", "tomap",
                                    "sensitive", "nonsensitive"})


def structure_spans(expr: Expr, path: Path, spans: dict[Path, Span]) -> None:
    """Spans of the list elements and object keys written literally in ``expr``."""
    if isinstance(expr, TupleExpr):
        for index, item in enumerate(expr.items):
            spans.setdefault((*path, index), item.span)
            structure_spans(item, (*path, index), spans)
    elif isinstance(expr, ObjectExpr):
        for entry in expr.items:
            key = _literal_key(entry.key)
            if key is not None:
                spans.setdefault((*path, key), entry.span)
                structure_spans(entry.value, (*path, key), spans)
    elif isinstance(expr, FunctionCall) and expr.name in _TRANSPARENT_FUNCTIONS and expr.args:
        structure_spans(expr.args[0], path, spans)
    elif isinstance(expr, Template) and len(expr.parts) == 1 and not isinstance(
            expr.parts[0], str):
        part = expr.parts[0]
        if isinstance(part, (TupleExpr, ObjectExpr, FunctionCall)):
            structure_spans(part, path, spans)
