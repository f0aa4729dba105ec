"""JSON decoding that keeps the source position of every key and value.

The stdlib decoder (and its C scanner) does the real work for strings and numbers
(``json.decoder.scanstring``, ``json.scanner.NUMBER_RE``); this module only walks the structure
(``{ } [ ] : ,``) so that each node remembers its character offsets. Used for ``.tf.json``
files and Terraform plan JSON, where findings must point at a line.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
from dataclasses import dataclass
from typing import Any

from linter.model import Span

_WS = " \t\n\r"
_SCANSTRING = json.decoder.scanstring  # type: ignore[attr-defined]  # C-accelerated, untyped
_CONSTANTS = {"true": True, "false": False, "null": None}


class JsonPositionError(ValueError):
    """Invalid JSON: ``message`` and the character ``offset`` where it was noticed."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class JMember:
    key: str
    key_start: int  # offset of the key's opening quote
    key_end: int  # offset just past the key's closing quote
    value: JNode


@dataclass(frozen=True)
class JNode:
    """One JSON value: ``kind`` is object, array, string, number, bool or null."""

    kind: str
    start: int  # character offset of the first character
    end: int  # character offset just past the last character
    scalar: Any = None  # the decoded value of a string, number, bool or null
    members: tuple[JMember, ...] = ()  # objects (in source order, duplicates kept)
    items: tuple[JNode, ...] = ()  # arrays

    def to_python(self) -> Any:
        """The plain decoded value (later duplicate keys win, as in ``json.loads``)."""
        if self.kind == "object":
            return {m.key: m.value.to_python() for m in self.members}
        if self.kind == "array":
            return [item.to_python() for item in self.items]
        return self.scalar

    def member(self, key: str) -> JNode | None:
        found: JNode | None = None
        for m in self.members:
            if m.key == key:
                found = m.value
        return found



def parse_json(text: str) -> JNode:
    """Decode ``text`` (a whole document); raises ``JsonPositionError`` on invalid JSON."""
    pos = _skip(text, 0)
    node, pos = _value(text, pos)
    pos = _skip(text, pos)
    if pos != len(text):
        raise JsonPositionError("extra data after the JSON value", pos)
    return node


def _skip(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in _WS:
        pos += 1
    return pos


def _value(text: str, pos: int) -> tuple[JNode, int]:
    if pos >= len(text):
        raise JsonPositionError("expected a value, found the end of the file", pos)
    ch = text[pos]
    if ch == "{":
        return _object(text, pos)
    if ch == "[":
        return _array(text, pos)
    if ch == '"':
        value, end = _string(text, pos)
        return JNode("string", pos, end, value), end
    for word, constant in _CONSTANTS.items():
        if text.startswith(word, pos):
            kind = "null" if constant is None else "bool"
            return JNode(kind, pos, pos + len(word), constant), pos + len(word)
    match = json.scanner.NUMBER_RE.match(text, pos)
    if match is None:
        raise JsonPositionError(f"unexpected character {ch!r}", pos)
    integer, frac, exp = match.groups()
    number: int | float = (
        float(integer + (frac or "") + (exp or "")) if frac or exp else int(integer))
    return JNode("number", pos, match.end(), number), match.end()


def _string(text: str, pos: int) -> tuple[str, int]:
    try:
        value, end = _SCANSTRING(text, pos + 1, True)
    except json.JSONDecodeError as exc:
        raise JsonPositionError(exc.msg, exc.pos) from None
    return value, end


def _object(text: str, start: int) -> tuple[JNode, int]:
    members: list[JMember] = []
    pos = _skip(text, start + 1)
    if pos < len(text) and text[pos] == "}":
        return JNode("object", start, pos + 1), pos + 1
    while True:
        if pos >= len(text) or text[pos] != '"':
            raise JsonPositionError("expected a property name in double quotes", pos)
        key, key_end = _string(text, pos)
        colon = _skip(text, key_end)
        if colon >= len(text) or text[colon] != ":":
            raise JsonPositionError("expected ':' after the property name", colon)
        value, after = _value(text, _skip(text, colon + 1))
        members.append(JMember(key, pos, key_end, value))
        pos = _skip(text, after)
        if pos < len(text) and text[pos] == ",":
            pos = _skip(text, pos + 1)
            continue
        if pos < len(text) and text[pos] == "}":
            return JNode("object", start, pos + 1, members=tuple(members)), pos + 1
        raise JsonPositionError("expected ',' or '}' in the object", pos)


def _array(text: str, start: int) -> tuple[JNode, int]:
    items: list[JNode] = []
    pos = _skip(text, start + 1)
    if pos < len(text) and text[pos] == "]":
        return JNode("array", start, pos + 1), pos + 1
    while True:
        value, after = _value(text, pos)
        items.append(value)
        pos = _skip(text, after)
        if pos < len(text) and text[pos] == ",":
            pos = _skip(text, pos + 1)
            continue
        if pos < len(text) and text[pos] == "]":
            return JNode("array", start, pos + 1, items=tuple(items)), pos + 1
        raise JsonPositionError("expected ',' or ']' in the array", pos)


class LineIndex:
    """Character offset → 1-based (line, column) for one decoded text."""

    def __init__(self, text: str) -> None:
        self._starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            self._starts.append(pos + 1)
            pos = find("\n", pos + 1)

    def position(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self._starts, offset) - 1
        return row + 1, offset - self._starts[row] + 1

    def span(self, file: str, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(end)
        return Span(file, line, col, end_line, end_col)
