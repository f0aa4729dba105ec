"""Decode a policy written as a JSON string and find where each key and value sits in the text.

A policy attribute that is a JSON string (heredoc, ``file()``, a CloudFormation ``|`` block) only
has the string's own span in the model. To point a finding at the offending action line we parse
the text a second time with PyYAML's composer (JSON is YAML; the composer keeps a mark on every
node) and map each JSON path to a (line, column) offset inside the text. ``json`` stays the
decoder of record: the positions are only a pointer, and their absence is never an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml

from linter.model import Path, Span
from linter.parse.json_positions import JNode, JsonPositionError, LineIndex, parse_json


@dataclass(frozen=True)
class TextPosition:
    """0-based line/column offsets inside the decoded text (end exclusive)."""

    line: int
    col: int
    end_line: int
    end_col: int


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def decode_json(text: str) -> tuple[Any, str]:
    """``(value, "")`` or ``(None, error message)``; never raises on user content."""
    try:
        return json.loads(text), ""
    except (ValueError, RecursionError) as exc:
        return None, str(exc)


def lenient_json(text: str) -> Any:
    """A JSON-like text IAM would reject (trailing commas, comments) read as YAML, or None."""
    try:
        value = yaml.load(text, Loader=_Loader)  # a safe loader (CSafeLoader / SafeLoader)
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


def _yaml_positions(text: str) -> dict[Path, TextPosition]:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError, ValueError):
        return {}
    out: dict[Path, TextPosition] = {}
    if root is not None:
        _walk(root, (), out, None)
    return out


def _walk(node: yaml.Node, path: Path, out: dict[Path, TextPosition],
          key: yaml.Node | None) -> None:
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
