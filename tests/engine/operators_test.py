from __future__ import annotations

from typing import Any

import pytest

from linter.engine.operators import OPERATORS, TypeMismatch, apply, as_number, as_text
from linter.model import Tri, Unknown

T, F, U = Tri.TRUE, Tri.FALSE, Tri.UNKNOWN


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), ("1", 1), (" 2 ", 2), ("2.0", 2), ("2.5", 2.5), (True, None), ("abc", None),
     ("", None), (None, None), ([1], None), (float("nan"), None), ("1e2", 100)],
)
def test_as_number_follows_terraform_conversions(value: Any, expected: Any) -> None:
    assert as_number(value) == expected


def test_as_text_gives_terraform_string_forms() -> None:
    assert [as_text(v) for v in (1, 2.0, 2.5, True, "x", None, [1])] == [
        "1", "2", "2.5", "true", "x", None, None]


@pytest.mark.parametrize(
    ("operator", "value", "arg", "expected"),
    [
        ("equals", "required", "required", T),
        ("equals", "optional", "required", F),
        ("equals", "Required", "required", F),  # AWS enums are case-sensitive
        ("equals", "1", 1, T),  # Terraform converts "1" to 1
        ("equals", 1, "1", T),
        ("equals", 2, "2.0", T),
        ("equals", "01", 1, T),
        ("equals", "one", 1, F),
        ("equals", "true", True, T),
        ("equals", True, "true", T),
        ("equals", 1, True, F),  # a bool is not a number
        ("equals", ["required"], "required", F),
        ("not-equals", "optional", "required", T),
        ("not-equals", "required", "required", F),
        ("not-equals", "1", 1, F),
        ("in", "optional", ["required", "optional"], T),
        ("in", "2", [1, 2], T),
        ("in", "x", ["a", "b"], F),
        ("matches", "arn:aws:iam::123:role/admin", r"arn:aws:iam::\d+:role/.*", T),
        ("matches", "xarn:aws", r"arn:.*", F),  # the whole value must match
        ("matches", 12, r"\d+", T),
        ("matches", {"a": 1}, r".*", F),
        ("contains", ["a", "b"], "b", T),
        ("contains", [1, 2], "2", T),
        ("contains", ["a"], "c", F),
        ("contains", "iam:PassRole", "Pass", T),
        ("contains", 5, "5", F),
        ("gt", 2, 1, T),
        ("gt", "2", 1, T),  # numeric strings are numbers
        ("gt", 1, 1, F),
        ("gt", "1", 1, F),
        ("gte", 1, 1, T),
        ("lt", "0.5", 1, T),
        ("lte", 3, 2, F),
        ("gt", "10", 9, T),  # never a string comparison ("10" < "9" as text)
    ],
)
def test_operator_semantics(operator: str, value: Any, arg: Any, expected: Tri) -> None:
    assert apply(operator, value, arg) is expected


@pytest.mark.parametrize("value", ["abc", True, [2], {"a": 2}, ""])
def test_numeric_operators_refuse_non_numbers(value: Any) -> None:
    for name in ("gt", "gte", "lt", "lte"):
        with pytest.raises(TypeMismatch):
            apply(name, value, 1)


def test_unknown_values_and_arguments_are_unknown() -> None:
    unknown = Unknown("var.tokens")
    for name in OPERATORS:
        assert apply(name, unknown, 1) is U
        assert apply(name, 1, unknown) is U
    assert apply("equals", ["a", unknown], ["a", "b"]) is U
    assert apply("contains", ["a", unknown], "b") is U
    assert apply("contains", ["b", unknown], "b") is T  # one known match decides
    assert apply("in", unknown, ["a"]) is U


def test_operator_table_is_closed_and_documented() -> None:
    assert set(OPERATORS) == {"exists", "equals", "not-equals", "in", "matches", "contains",
                              "gt", "gte", "lt", "lte"}
    assert {OPERATORS[n].detail for n in ("gt", "gte")} == {"max"}
    assert {OPERATORS[n].detail for n in ("lt", "lte")} == {"min"}
