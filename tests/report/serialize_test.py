"""The report serializer writes what the standard library would, faster."""

from __future__ import annotations

import json
from typing import Any

import pytest

from linter.report.serialize import indented_json


def standard(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("document", [
    {},
    [],
    {"findings": [], "errors": {}, "summary": {"files": 3, "ok": True, "none": None}},
    {"message": "caf\u00e9 \u2014 \U0001f511 \"quoted\" back\\slash\nnew line\ttab \x01 \u2028"},
    [[1, [2, [3, []]]], {"a": {"b": {}}}, -7, 0.5, 12.25],
    {1: "int key", "z": "insertion order", "a": "kept"},
])
def test_same_text_as_the_standard_library(document: Any) -> None:
    assert indented_json(document) == standard(document)


def test_integers_beyond_64_bits_fall_back_to_the_standard_library() -> None:
    document = {"big": 2**70, "small": 1}
    assert indented_json(document) == standard(document)


def test_what_neither_can_write_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        indented_json({"set": {1, 2}})
