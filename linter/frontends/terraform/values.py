"""Terraform values in Python form, and the conversions Terraform applies between them.

Values are JSON-like (``None``, ``bool``, ``int``, ``float``, ``str``, ``list``, ``dict``) or an
``Unknown`` anywhere in the tree. Lists stand for Terraform lists, tuples and sets; dicts for maps
and objects. An evaluation *error* (a missing attribute, a bad conversion, a function failure) is
an ``EvalError`` exception: ``try()``/``can()`` catch it, and at the attribute level it becomes an
Unknown whose reason is the error message.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from linter.model import Span, Unknown

Value = Any


class EvalError(Exception):
    """Terraform would report an error evaluating this expression."""


# ---------------------------------------------------------------- unknowns


def iter_unknowns(value: Value) -> Iterator[Unknown]:
    """Every Unknown anywhere inside ``value``."""
    if isinstance(value, Unknown):
        return iter((value,))
    if not isinstance(value, (list, dict)):
        return iter(())
    found: list[Unknown] = []
    _collect_unknowns(value, found)
    return iter(found)


def _collect_unknowns(value: Value, found: list[Unknown]) -> None:
    for item in value.values() if isinstance(value, dict) else value:
        if isinstance(item, (list, dict)):
            _collect_unknowns(item, found)
        elif isinstance(item, Unknown):
            found.append(item)


def derive_unknown(text: str, span: Span | None, causes: Iterable[Unknown],
                   reason: str = "") -> Unknown:
    """An Unknown for an expression whose value depends on other Unknowns (``causes``).

    The reason names the innermost cause (``var.x: variable has no value``) so that a user
    reading ``--show-unknown`` sees why, and the refs of every cause are kept.
    """
    causes = list(causes)
    refs: list[str] = []
    for cause in causes:
        for ref in cause.refs:
            if ref not in refs:
                refs.append(ref)
    if not reason and causes:
        first = causes[0]
        if first.expression == text or first.reason.startswith("depends on "):
            reason = first.reason
        else:
            reason = f"depends on {first.expression}: {first.reason}"
    return Unknown(expression=text, reason=reason or "not known before apply", span=span,
                   refs=tuple(refs))


def with_ref(unknown: Unknown, address: str) -> Unknown:
    if address in unknown.refs:
        return unknown
    return Unknown(unknown.expression, unknown.reason, unknown.span, (address, *unknown.refs))


# ---------------------------------------------------------------- type names


def type_name(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, Unknown):
        return "unknown"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def is_number(value: Value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# ---------------------------------------------------------------- numbers


def normalize_number(value: int | float) -> int | float:
    """Keep integral results as ``int`` (Terraform has a single arbitrary-precision number)."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise EvalError("arithmetic result is not a finite number")
        if value.is_integer() and abs(value) < 2**63:
            return int(value)
    return value


def number_to_string(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def parse_number(text: str) -> int | float:
    stripped = text.strip()
    if stripped != text or not stripped:
        raise EvalError(f"a number is required, got {text!r}")
    try:
        if stripped.lstrip("+-").isdigit():
            return int(stripped)
        number = float(stripped)
    except ValueError:
        raise EvalError(f"a number is required, got {text!r}") from None
    if math.isnan(number) or math.isinf(number):
        raise EvalError(f"a number is required, got {text!r}")
    return normalize_number(number)


# ---------------------------------------------------------------- conversions


def to_string(value: Value) -> Value:
    """Terraform's automatic conversion to string (null and Unknown pass through)."""
    if value is None or isinstance(value, (str, Unknown)):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return number_to_string(value)
    raise EvalError(f"a string is required, got {type_name(value)}")


def to_number(value: Value) -> Value:
    if value is None or isinstance(value, Unknown) or is_number(value):
        return value
    if isinstance(value, str):
        return parse_number(value)
    raise EvalError(f"a number is required, got {type_name(value)}")


def to_bool(value: Value) -> Value:
    if value is None or isinstance(value, (bool, Unknown)):
        return value
    if isinstance(value, str):
        if value == "true":
            return True
        if value == "false":
            return False
    raise EvalError(f"a bool is required, got {type_name(value)} {render_short(value)}")


def template_string(value: Value) -> str:
    """The string an interpolation ``${...}`` inserts (errors on null and collections)."""
    if value is None:
        raise EvalError("cannot interpolate a null value into a string template")
    if isinstance(value, (list, dict)):
        raise EvalError(f"cannot interpolate a {type_name(value)} into a string template")
    result = to_string(value)
    assert isinstance(result, str)
    return result


def render_short(value: Value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---------------------------------------------------------------- equality


def tf_equal(left: Value, right: Value) -> bool:
    """Terraform ``==``: same type and value (``"1" == 1`` is false, ``1 == 1.0`` is true)."""
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if is_number(left) and is_number(right):
        return bool(left == right)
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            tf_equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(tf_equal(left[k], right[k]) for k in left)
    return False


def dedupe(values: Iterable[Value]) -> list[Value]:
    """``values`` without repeats (Terraform equality), first occurrence kept; linear time."""
    out: list[Value] = []
    seen: set[object] = set()
    for value in values:
        key = _equality_key(value)
        if key is None:  # not hashable (an Unknown inside): compare with what came before
            if not any(tf_equal(value, other) for other in out):
                out.append(value)
        elif key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _equality_key(value: Value) -> object | None:
    """A hashable key equal for two values exactly when ``tf_equal`` holds (None if there is
    none: the value holds something else, such as an Unknown)."""
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if is_number(value):
        return ("number", value)  # 1 == 1.0 and hash(1) == hash(1.0)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, list):
        items = [_equality_key(item) for item in value]
        return None if any(k is None for k in items) else ("list", tuple(items))
    if isinstance(value, dict):
        pairs = [(k, _equality_key(v)) for k, v in value.items()]
        if any(k is None for _, k in pairs):
            return None
        return ("map", frozenset(pairs))
    return None


def as_set(values: Iterable[Value]) -> list[Value]:
    """A Terraform set: unique elements; strings and numbers in Terraform's (sorted) order."""
    unique = dedupe(values)
    if unique and all(isinstance(v, str) for v in unique):
        return sorted(unique)
    if unique and all(is_number(v) for v in unique):
        return sorted(unique)
    return unique


class PartialObject(dict[str, Any]):
    """A resource's attributes as configured: an attribute it does not configure is not an
    error but a value known only after apply (``aws_iam_role.r.arn``)."""

    def __init__(self, items: dict[str, Value], address: str) -> None:
        super().__init__(items)
        self.address = address

    def missing(self, name: str, span: Span | None) -> Unknown:
        return Unknown(f"{self.address}.{name}", "not known before apply", span, (self.address,))
