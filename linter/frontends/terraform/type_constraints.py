"""Terraform type constraints (``variable { type = ... }``) and the conversion of a value to one.

``parse_type`` reads a type expression from the syntax tree; ``convert`` applies Terraform's
conversion rules (string ↔ number ↔ bool, tuple → list/set, object attribute selection with
``optional(type, default)`` defaults). A value that cannot be converted raises ``EvalError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field

from linter.frontends.terraform.hcl_ast import (
    Expr,
    FunctionCall,
    Literal,
    ObjectExpr,
    Template,
    Traversal,
    TupleExpr,
)
from linter.frontends.terraform.values import (
    EvalError,
    PartialObject,
    Value,
    as_set,
    to_bool,
    to_number,
    to_string,
    type_name,
)
from linter.model import Unknown
from linter.records import record

PRIMITIVES = ("string", "number", "bool")


@record
class TfType:
    """``kind``: any, string, number, bool, list, set, map, object, tuple."""

    kind: str
    element: TfType | None = None  # list / set / map
    attributes: Mapping[str, ObjectAttribute] = field(default_factory=dict)  # object
    elements: tuple[TfType, ...] = ()  # tuple

    @property
    def is_primitive(self) -> bool:
        return self.kind in PRIMITIVES

    def __str__(self) -> str:
        if self.element is not None:
            return f"{self.kind}({self.element})"
        if self.kind == "object":
            inner = ", ".join(f"{k}={a.type}" for k, a in self.attributes.items())
            return f"object({{{inner}}})"
        if self.kind == "tuple":
            return f"tuple([{', '.join(str(e) for e in self.elements)}])"
        return self.kind


@record
class ObjectAttribute:
    type: TfType
    optional: bool = False
    default: Value = None  # already evaluated; None = null default


ANY = TfType("any")

ConstEvaluator = Callable[[Expr], Value]


def parse_type(expr: Expr, evaluate_const: ConstEvaluator) -> TfType:
    """The type constraint written in ``expr``; raises ``EvalError`` for a malformed one."""
    if isinstance(expr, Traversal) and not expr.steps:
        if expr.root in (*PRIMITIVES, "any"):
            return TfType(expr.root)
        raise EvalError(f"unknown type {expr.root!r}")
    if isinstance(expr, (Literal, Template)):  # legacy quoted types: "string", "list", "map"
        legacy = {"string": TfType("string"), "list": TfType("list", ANY),
                  "map": TfType("map", ANY)}
        text = expr.text.strip('"')
        if text in legacy:
            return legacy[text]
        raise EvalError(f"unknown type {expr.text}")
    if isinstance(expr, FunctionCall):
        return _parse_type_call(expr, evaluate_const)
    raise EvalError(f"invalid type constraint {expr.text}")


def _parse_type_call(expr: FunctionCall, evaluate_const: ConstEvaluator) -> TfType:
    name, args = expr.name, expr.args
    if name in ("list", "set", "map") and len(args) == 1:
        return TfType(name, parse_type(args[0], evaluate_const))
    if name == "tuple" and len(args) == 1 and isinstance(args[0], TupleExpr):
        return TfType("tuple", elements=tuple(parse_type(e, evaluate_const)
                                              for e in args[0].items))
    if name == "object" and len(args) == 1 and isinstance(args[0], ObjectExpr):
        attributes: dict[str, ObjectAttribute] = {}
        for item in args[0].items:
            key = item.key
            if isinstance(key, Traversal) and not key.steps:
                attr_name = key.root
            elif isinstance(key, Literal) and isinstance(key.value, str):
                attr_name = key.value
            else:
                raise EvalError(f"invalid object attribute name {key.text}")
            attributes[attr_name] = _parse_attribute(item.value, evaluate_const)
        return TfType("object", attributes=attributes)
    raise EvalError(f"invalid type constraint {expr.text}")


def _parse_attribute(expr: Expr, evaluate_const: ConstEvaluator) -> ObjectAttribute:
    if isinstance(expr, FunctionCall) and expr.name == "optional" and 1 <= len(expr.args) <= 2:
        attr_type = parse_type(expr.args[0], evaluate_const)
        default = None
        if len(expr.args) == 2:
            default = convert(evaluate_const(expr.args[1]), attr_type)
        return ObjectAttribute(attr_type, optional=True, default=default)
    return ObjectAttribute(parse_type(expr, evaluate_const))


def convert(value: Value, target: TfType) -> Value:
    """``value`` converted to ``target`` the way Terraform converts variable values."""
    if isinstance(value, Unknown) or target.kind == "any":
        return value
    if value is None:
        return None
    kind = target.kind
    if kind == "string":
        return to_string(value)
    if kind == "number":
        return to_number(value)
    if kind == "bool":
        return to_bool(value)
    if kind in ("list", "set"):
        if not isinstance(value, list):
            raise EvalError(f"a {kind} is required, got {type_name(value)}")
        assert target.element is not None
        items = [convert(v, target.element) for v in value]
        return as_set(items) if kind == "set" else items
    if kind == "map":
        if not isinstance(value, dict):
            raise EvalError(f"a map is required, got {type_name(value)}")
        assert target.element is not None
        return {k: convert(v, target.element) for k, v in value.items()}
    if kind == "tuple":
        if not isinstance(value, list) or len(value) != len(target.elements):
            raise EvalError(f"a tuple of {len(target.elements)} elements is required")
        return [convert(v, t) for v, t in zip(value, target.elements, strict=True)]
    if kind == "object":
        return _convert_object(value, target)
    raise EvalError(f"unsupported type {target}")


def _convert_object(value: Value, target: TfType) -> Value:
    if not isinstance(value, dict):
        raise EvalError(f"an object is required, got {type_name(value)}")
    out: dict[str, Value] = {}
    for name, attribute in target.attributes.items():
        item = value.get(name)
        if name not in value and isinstance(value, PartialObject):
            out[name] = value.missing(name, None)
            continue
        if item is None:
            if name not in value and not attribute.optional:
                raise EvalError(f"attribute {name!r} is required")
            if attribute.optional:
                item = attribute.default
        out[name] = convert(item, attribute.type)
    return out
