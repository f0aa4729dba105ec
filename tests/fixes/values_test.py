from __future__ import annotations

import pytest
import yaml

from linter.fixes import values


@pytest.mark.parametrize(("value", "style", "written"), [
    ("required", "", "required"),
    ("required", "'", "'required'"),
    ("required", '"', '"required"'),
    ("2", "", '"2"'),  # plain 2 would be a number
    ("yes", "", '"yes"'),  # plain yes would be a boolean in YAML 1.1
    ("a: b", "", '"a: b"'),
    (1, "", "1"),
    (True, "", "true"),
])
def test_yaml_scalars_read_back_as_the_value(value: object, style: str, written: str) -> None:
    assert values.yaml_value(value, style) == written
    assert yaml.safe_load(f"k: {written}") == {"k": value}


def test_hcl_values() -> None:
    assert values.hcl("required") == '"required"'
    assert values.hcl(1) == "1"
    assert values.hcl(False) == "false"
    assert values.hcl("a${b}") == '"a$${b}"'  # a literal, never an interpolation


def test_a_number_replacing_a_quoted_string_stays_a_string() -> None:
    assert values.same_type(1, was_string=True) == "1"
    assert values.same_type(1, was_string=False) == 1
    assert values.same_type("required", was_string=False) == "required"
    assert values.json_value("é") == '"é"'
