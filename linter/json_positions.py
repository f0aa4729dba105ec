"""JSON decoding that keeps the source position of every key and value.

The stdlib decoder (and its C scanner) does the real work for strings and numbers
(``json.decoder.scanstring``, ``json.scanner.NUMBER_RE``); this module only walks the structure
(``{ } [ ] : ,``) so that each node remembers its character offsets. Used for ``.tf.json``
files and Terraform plan JSON, where findings must point at a line.

A policy written as a JSON string inside another file (heredoc, ``file()``, a CloudFormation
``|`` block) only has the string's own span in the model: ``text_spans`` maps each JSON path of
such a text to its line in the file (strict JSON through this reader, JSON-like text IAM would
reject through YAML's node marks). ``json`` stays the decoder of record (``decode_json``,
``lenient_json``): the positions are only a pointer, and their absence is never an error.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import re
from typing import TYPE_CHECKING, Any

from linter.model import Path, Span
from linter.records import record

if TYPE_CHECKING:
    import yaml

_WS = " \t\n\r"
_SCANSTRING = json.decoder.scanstring  # type: ignore[attr-defined]  # C-accelerated, untyped
_CONSTANTS = {"true": True, "false": False, "null": None}


class JsonPositionError(ValueError):
    """Invalid JSON: ``message`` and the character ``offset`` where it was noticed."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@record
class JMember:
    key: str
    key_start: int  # offset of the key's opening quote
    key_end: int  # offset just past the key's closing quote
    value: JNode


@record
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


_WHITESPACE = re.compile(f"[{_WS}]*").match


def _skip(text: str, pos: int) -> int:
    """The offset of the first character at or after ``pos`` that is not JSON whitespace (one
    regular-expression match: indented documents have long runs of it)."""
    match = _WHITESPACE(text, pos)
    return match.end() if match is not None else pos


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
    skip = _skip
    pos = skip(text, start + 1)
    if pos < len(text) and text[pos] == "}":
        return JNode("object", start, pos + 1), pos + 1
    while True:
        if pos >= len(text) or text[pos] != '"':
            raise JsonPositionError("expected a property name in double quotes", pos)
        key, key_end = _string(text, pos)
        # ``"key": value``: the colon usually follows the key at once
        colon = key_end if text[key_end:key_end + 1] == ":" else skip(text, key_end)
        if colon >= len(text) or text[colon] != ":":
            raise JsonPositionError("expected ':' after the property name", colon)
        value, after = _value(text, skip(text, colon + 1))
        members.append(JMember(key, pos, key_end, value))
        pos = skip(text, after)
        if pos < len(text) and text[pos] == ",":
            pos = skip(text, pos + 1)
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


# ---------------------------------------------------------------- JSON text inside an attribute


@record
class TextPosition:
    """0-based line/column offsets inside the decoded text (end exclusive)."""

    line: int
    col: int
    end_line: int
    end_col: int


def decode_json(text: str) -> tuple[Any, str]:
    """``(value, "")`` or ``(None, error message)``; never raises on user content."""
    try:
        return json.loads(text), ""
    except (ValueError, RecursionError) as exc:
        return None, str(exc)


def lenient_json(text: str) -> Any:
    """A JSON-like text IAM would reject (trailing commas, comments) read as YAML, or None."""
    import yaml  # lazy: only JSON that strict parsing rejects gets here

    try:
        value = yaml.load(text, Loader=_safe_loader())
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def json_positions(text: str) -> dict[Path, TextPosition]:
    """Every JSON path of ``text`` (keys and list indexes) → position of its value node.

    A key's entry covers the key through the end of its value, so a finding on
    ``("Statement", 0, "Action")`` starts at the ``"Action"`` line. Strict JSON is read with the
    project's position-keeping JSON reader; JSON-like text IAM would reject (trailing commas,
    comments) falls back to YAML's node marks. Empty when neither can read it.
    """
    try:
        node = parse_json(text)
    except (JsonPositionError, RecursionError):
        return _yaml_positions(text)
    lines = LineIndex(text)
    out: dict[Path, TextPosition] = {}
    _walk_json(node, (), node.start, out, lines)
    return out


def _walk_json(node: JNode, path: Path, start: int, out: dict[Path, TextPosition],
               lines: LineIndex) -> None:
    line, col = lines.position(start)
    end_line, end_col = lines.position(node.end)
    out[path] = TextPosition(line - 1, col - 1, end_line - 1, end_col - 1)
    for member in node.members:
        _walk_json(member.value, (*path, member.key), member.key_start, out, lines)
    for index, item in enumerate(node.items):
        _walk_json(item, (*path, index), item.start, out, lines)


def _safe_loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml_positions(text: str) -> dict[Path, TextPosition]:
    import yaml

    try:
        root = yaml.compose(text, Loader=_safe_loader())
    except (yaml.YAMLError, RecursionError, ValueError):
        return {}
    out: dict[Path, TextPosition] = {}
    if root is not None:
        _walk(root, (), out, None)
    return out


def _walk(node: yaml.Node, path: Path, out: dict[Path, TextPosition],
          key: yaml.Node | None) -> None:
    import yaml  # imported already by the caller: a lookup

    start = key.start_mark if key is not None else node.start_mark
    out[path] = TextPosition(start.line, start.column, node.end_mark.line, node.end_mark.column)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                _walk(v, (*path, str(k.value)), out, k)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), out, None)


def text_spans(text: str, container: Span, prefix: Path) -> dict[Path, Span]:
    """Spans in the file for the JSON paths of ``text`` held by an attribute at ``container``.

    Only when the container is a multi-line string whose lines are the text's lines (a heredoc,
    a YAML block scalar, a ``file()`` reference is not: it gives an empty map): the text's line
    ``k`` is then the container's line ``start + k`` — plus one when the container starts with
    an opener line (``<<EOF``, ``|``) that holds no text. Columns are dropped: heredoc
    indentation stripping makes them unreliable, and lines are what annotations compare.
    """
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    container_lines = container.end_line - container.start_line + 1
    if lines <= 1 or container_lines < lines:
        return {}
    first = container.start_line + (1 if container_lines > lines else 0)
    out: dict[Path, Span] = {}
    for path, pos in json_positions(text).items():
        end_line = first + pos.end_line
        if pos.end_col == 0 and pos.end_line > pos.line:
            end_line -= 1  # the node ends at the start of the next line
        key: Path = prefix + path
        out[key] = Span(container.file, first + pos.line, 1, max(end_line, first + pos.line))
    return out
