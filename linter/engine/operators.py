"""The closed set of operators of path conditions (``{path: P, <operator>: argument}``).

An operator compares one *known* value found at the path with the argument and answers
TRUE, FALSE or UNKNOWN. The condition layer (``linter.engine.conditions``) handles what is
common to all of them: an absent path (or an explicit null) makes every operator FALSE except
``exists: false``; an ``Unknown`` value makes the answer UNKNOWN; several values found at one
path (a list of nested blocks) are combined with Kleene OR.

Values follow Terraform's and CloudFormation's own conversions, never Python's:

* a number and a numeric string are the same value (``"1"`` equals ``1``, ``"2.0"`` equals ``2``);
* a bool and the strings ``"true"`` / ``"false"`` are the same value;
* ``gt`` / ``gte`` / ``lt`` / ``lte`` compare numbers only; a value that is not a number (or a
  numeric string) is a type mismatch and the answer is UNKNOWN — never a string comparison;
* ``equals`` / ``in`` / ``contains`` between values of unrelated types are simply FALSE.

=========== ================== ===============================================================
operator    argument           TRUE when the value …
=========== ================== ===============================================================
exists      true / false       is present and not null (``exists: false``: absent or null)
equals      scalar or option   equals the argument (with the conversions above)
not-equals  scalar or option   is present and differs from the argument
in          list of scalars    equals one of the items
matches     regular expression as a string, matches the whole expression (Python ``re``)
contains    scalar or option   is a list with an item equal to the argument, or a string
                               containing the argument
gt, gte     number or option   is a number greater than (or equal to) the argument
lt, lte     number or option   is a number less than (or equal to) the argument
=========== ================== ===============================================================

The ``detail`` of an operator names the message placeholder that receives the argument:
``{max}`` for ``gt``/``gte`` (the limit the value exceeds), ``{min}`` for ``lt``/``lte``,
``{expected}`` for the others.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from typing import Any

from linter.model import Tri, Unknown, contains_unknown
from linter.records import record
from linter.regex import lazy

_NUMBER = lazy(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

OperatorFn = Callable[[Any, Any], Tri]


class TypeMismatch(Exception):
    """Raised by a numeric operator on a value that is not a number: the verdict is UNKNOWN."""


@record
class Operator:
    name: str
    fn: OperatorFn
    detail: str  # message placeholder that receives the argument
    numeric: bool = False  # the argument must be a number


def as_number(value: Any) -> int | float | None:
    """The number a value stands for (``2``, ``2.5``, ``"2"``), else None (a bool is no number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else value
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = float(value)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return None


def as_text(value: Any) -> str | None:
    """The string form Terraform/CloudFormation would give a scalar (``1`` → ``"1"``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _tri(flag: bool) -> Tri:
    return Tri.TRUE if flag else Tri.FALSE


def loose_equal(value: Any, arg: Any) -> Tri:
    """Equality with Terraform's and CloudFormation's conversions between scalars."""
    if contains_unknown(value) or contains_unknown(arg):
        return Tri.UNKNOWN
    if isinstance(arg, bool) or isinstance(value, bool):
        left, right = _as_bool(value), _as_bool(arg)
        return _tri(left is not None and left == right)
    if isinstance(arg, (int, float)) or isinstance(value, (int, float)):
        left_n, right_n = as_number(value), as_number(arg)
        return _tri(left_n is not None and left_n == right_n)
    return _tri(value == arg)


def _equals(value: Any, arg: Any) -> Tri:
    return loose_equal(value, arg)


def _not_equals(value: Any, arg: Any) -> Tri:
    verdict = loose_equal(value, arg)
    return {Tri.TRUE: Tri.FALSE, Tri.FALSE: Tri.TRUE}.get(verdict, Tri.UNKNOWN)


def _in(value: Any, arg: Any) -> Tri:
    verdicts = [loose_equal(value, item) for item in arg]
    if Tri.TRUE in verdicts:
        return Tri.TRUE
    return Tri.UNKNOWN if Tri.UNKNOWN in verdicts else Tri.FALSE


@functools.lru_cache(maxsize=512)
def compile_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _matches(value: Any, arg: Any) -> Tri:
    text = as_text(value)
    if text is None:
        return Tri.FALSE
    return _tri(compile_regex(arg).fullmatch(text) is not None)


def _contains(value: Any, arg: Any) -> Tri:
    if isinstance(value, list):
        return _in(arg, value) if not isinstance(arg, list) else Tri.FALSE
    if isinstance(value, str):
        needle = as_text(arg)
        return _tri(needle is not None and needle in value)
    return Tri.FALSE


def _numeric(compare: Callable[[float, float], bool]) -> OperatorFn:
    def operator(value: Any, arg: Any) -> Tri:
        number = as_number(value)
        if number is None:
            raise TypeMismatch(f"{value!r} is not a number")
        return _tri(compare(number, arg))

    return operator


def _exists(value: Any, arg: Any) -> Tri:
    """Presence is decided by the condition layer; reaching here means a value is present."""
    return _tri(bool(arg))


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("exists", _exists, "expected"),
        Operator("equals", _equals, "expected"),
        Operator("not-equals", _not_equals, "expected"),
        Operator("in", _in, "expected"),
        Operator("matches", _matches, "expected"),
        Operator("contains", _contains, "expected"),
        Operator("gt", _numeric(lambda a, b: a > b), "max", numeric=True),
        Operator("gte", _numeric(lambda a, b: a >= b), "max", numeric=True),
        Operator("lt", _numeric(lambda a, b: a < b), "min", numeric=True),
        Operator("lte", _numeric(lambda a, b: a <= b), "min", numeric=True),
    )
}


def apply(name: str, value: Any, arg: Any) -> Tri:
    """Apply operator ``name`` to a known, present value (raises TypeMismatch for numeric ones)."""
    if isinstance(value, Unknown) or isinstance(arg, Unknown):
        return Tri.UNKNOWN
    return OPERATORS[name].fn(value, arg)
