from __future__ import annotations

import pytest

from linter.engine.messages import format_value, placeholders, render
from linter.model import Unknown


def test_placeholders() -> None:
    assert placeholders("{address} is {value}; {{literal}}") == ["address", "value"]
    for bad in ("{a.b}", "{0}", "{}", "{a!r}", "{a:>3}", "{a[0]}", "{unclosed"):
        with pytest.raises(ValueError):  # noqa: PT011 - each kind has its own message
            placeholders(bad)


def test_render_quotes_configuration_values_only() -> None:
    values = {"address": "aws_instance.web", "value": "optional", "expected": "required",
              "max": 1, "role": "aws_iam_role.admin"}
    assert render("{address}: {value} not {expected} (max {max}); {role} {{x}}", values) == (
        'aws_instance.web: "optional" not "required" (max 1); aws_iam_role.admin {x}')


def test_render_missing_and_special_values() -> None:
    assert render("{value}", {"value": None}) == "not set"
    assert render("{value}", {"value": Unknown("var.tokens")}) == "var.tokens"
    assert render("{value}", {"value": True}) == "true"
    assert render("{value}", {"value": 2.0}) == "2"
    assert render("{role}", {}) == "(unknown)"


def test_format_value_is_compact_json_and_truncated() -> None:
    assert format_value({"a": [1, "b"]}) == '{"a": [1, "b"]}'
    assert format_value(["x", Unknown("var.y")]) == '["x", "${var.y}"]'
    long = format_value("x" * 200)
    assert len(long) == 80
    assert long.endswith("…")
