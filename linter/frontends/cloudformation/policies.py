"""Policy documents written as JSON strings are decoded into objects, keeping positions.

``PolicyDocument: '{"Statement": [...]}'`` (or a ``|`` block, or a ``!Sub`` that builds it) is
as much a policy as a YAML mapping; rules should see the same shape. Every key inside gets a
span: its own line when the string is a literal block scalar (``|``), whose lines map one to one
onto the file, else the span of the string itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from linter.json_positions import json_positions
from linter.model import Path, Span

POLICY_KEYS = frozenset({
    "PolicyDocument", "AssumeRolePolicyDocument", "KeyPolicy", "PolicyText", "AccessPolicies",
    "InlinePolicy", "ResourcePolicy", "ResourcePolicyDocument",
})


def decode_policy_strings(
    value: Any, spans: dict[Path, Span], lines: tuple[str, ...], path: Path = (),
) -> Any:
    """``value`` with every JSON string under a policy key decoded (spans added in place);
    mappings and lists are copied, other values kept (no call per leaf)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, child in value.items():
            if isinstance(child, (dict, list)):
                out[key] = decode_policy_strings(child, spans, lines, (*path, key))
            elif key in POLICY_KEYS and isinstance(child, str):
                out[key] = _decode(child, (*path, key), spans, lines)
            else:
                out[key] = child
        return out
    if isinstance(value, list):
        return [decode_policy_strings(item, spans, lines, (*path, index))
                if isinstance(item, (dict, list)) else item
                for index, item in enumerate(value)]
    return value


def _decode(text: str, path: Path, spans: dict[Path, Span], lines: tuple[str, ...]) -> Any:
    stripped = text.strip()
    if not stripped.startswith("{"):
        return text
    try:
        document = json.loads(stripped)
    except ValueError:
        return text
    outer = _nearest(spans, path)
    if outer is None:
        return document
    block = _block_scalar_offset(outer, lines, text)
    for inner_path, line in _key_lines(stripped, document):
        full = (*path, *inner_path)
        if block is not None and line is not None:
            number = block + line
            indent = len(lines[number - 1]) - len(lines[number - 1].lstrip())
            spans.setdefault(full, Span(outer.file, number, indent + 1, number,
                                        len(lines[number - 1].rstrip()) + 1))
        else:
            spans.setdefault(full, outer)
    return document


def _nearest(spans: Mapping[Path, Span], path: Path) -> Span | None:
    for cut in range(len(path), -1, -1):
        if path[:cut] in spans:
            return spans[path[:cut]]
    return None


def _block_scalar_offset(span: Span, lines: tuple[str, ...], text: str) -> int | None:
    """The 1-based line before the block scalar's first content line, when ``text`` is a
    literal block (``|``) whose lines are the file's lines; else None."""
    if not 0 < span.start_line <= len(lines):
        return None
    header = lines[span.start_line - 1].split("#", 1)[0].rstrip()
    if not header.endswith(("|", "|-", "|+")):
        return None
    first = span.start_line  # 1-based number of the header; content starts on the next line
    body = text.split("\n")
    leading = len(text) - len(text.lstrip())
    skipped = text[:leading].count("\n")
    for offset, content in enumerate(body[skipped : skipped + 4], start=skipped):
        number = first + 1 + offset
        if content.strip() and (
                number > len(lines) or content.strip() != lines[number - 1].strip()):
            return None
    return first + skipped


def _key_lines(text: str, document: Any) -> list[tuple[Path, int | None]]:
    """(path inside the document, 1-based line within ``text``) of every key and list element."""
    positions = json_positions(text)
    out: list[tuple[Path, int | None]] = []

    def walk(plain: Any, path: Path) -> None:
        children = plain.items() if isinstance(plain, dict) else (
            enumerate(plain) if isinstance(plain, list) else ())
        for key, child in children:
            at = positions.get((*path, key))
            out.append(((*path, key), at.line + 1 if at is not None else None))
            walk(child, (*path, key))

    walk(document, ())
    return out
