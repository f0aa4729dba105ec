"""``read_tfvars``: the values of a ``*.tfvars`` / ``*.tfvars.json`` file as facts on the graph.

A variable file is no resource, but its values feed the configuration's variables (the provider
block's ``secret_key = var.secret_key``, ``user_data = var.init_script``), so a key written there is
as leaked as one written in a resource. Each assignment becomes a ``Resource`` of type ``tfvars``
(kind ``tfvars``, address ``var.NAME``, spans for every value, inside heredocs too) that rules
judge like any other resource: the credentials rule lists ``tfvars`` among its types.
"""

from __future__ import annotations

from typing import Any

from linter.frontends.terraform import TFVARS_TYPE
from linter.frontends.terraform.hcl import parse_hcl
from linter.frontends.terraform.hcl_ast import Expr, Literal, ObjectExpr, Template, TupleExpr
from linter.json_positions import JNode, LineIndex, parse_json
from linter.model import Format, ParseResult, Path, Resource, Span

__all__ = ["TFVARS_TYPE", "read_tfvars"]


def read_tfvars(rel_path: str, data: bytes) -> ParseResult:
    """One ``tfvars`` resource per assignment. A file that does not parse yields nothing here:
    the Terraform evaluator, which reads the same file for its values, reports it."""
    try:
        variables = (_json_variables(rel_path, data) if rel_path.endswith(".json")
                     else _hcl_variables(rel_path, data))
    except Exception:
        return ParseResult(files=[rel_path])
    resources = [
        Resource(address=f"var.{name}", type=TFVARS_TYPE, format=Format.TERRAFORM,
                 kind=TFVARS_TYPE, attributes={name: value}, spans=spans, file=rel_path)
        for name, value, spans in variables
    ]
    return ParseResult(resources=resources, files=[rel_path])


_Variable = tuple[str, Any, dict[Path, Span]]


def _hcl_variables(rel_path: str, data: bytes) -> list[_Variable]:
    out: list[_Variable] = []
    for attribute in parse_hcl(rel_path, data).body.attributes:
        spans: dict[Path, Span] = {}
        value = _value(attribute.expr, (attribute.name,), spans)
        if value is not None:
            spans[()] = attribute.span
            out.append((attribute.name, value, spans))
    return out


def _json_variables(rel_path: str, data: bytes) -> list[_Variable]:
    text = data.decode("utf-8-sig")
    root = parse_json(text)
    lines = LineIndex(text)
    out: list[_Variable] = []
    for member in root.members if root.kind == "object" else ():
        spans: dict[Path, Span] = {(): lines.span(rel_path, member.key_start, member.value.end)}
        out.append((member.key, _json_value(member.value, (member.key,), spans, lines, rel_path),
                    spans))
    return out


def _json_value(node: JNode, path: Path, spans: dict[Path, Span], lines: LineIndex,
                rel_path: str) -> Any:
    spans[path] = lines.span(rel_path, node.start, node.end)
    if node.kind == "object":
        return {m.key: _json_value(m.value, (*path, m.key), spans, lines, rel_path)
                for m in node.members}
    if node.kind == "array":
        return [_json_value(item, (*path, index), spans, lines, rel_path)
                for index, item in enumerate(node.items)]
    return node.scalar


def _value(expr: Expr, path: Path, spans: dict[Path, Span]) -> Any:
    """The literal value of ``expr`` (strings, numbers, objects, tuples); None for anything else.

    A template with interpolations keeps its source text, which reads as a placeholder."""
    spans[path] = expr.span
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Template):
        if all(isinstance(part, str) for part in expr.parts):
            return "".join(str(part) for part in expr.parts)
        return expr.text
    if isinstance(expr, TupleExpr):
        return [_value(item, (*path, index), spans) for index, item in enumerate(expr.items)]
    if isinstance(expr, ObjectExpr):
        out: dict[str, Any] = {}
        for item in expr.items:
            key = item.key.value if isinstance(item.key, Literal) else None
            if isinstance(key, str):
                out[key] = _value(item.value, (*path, key), spans)
        return out
    return None
