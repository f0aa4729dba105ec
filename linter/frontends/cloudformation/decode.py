"""CloudFormation front end: recognize templates by content, decode them with their marks.

* ``looks_like_cfn`` decides, from the bytes alone and without importing cfn-lint, whether a
  YAML/JSON file is a CloudFormation template (``AWSTemplateFormatVersion``, a top-level
  ``Transform``, or a top-level ``Resources`` mapping whose entries have ``Type: AWS::…``).
* ``decode_template`` decodes so that every mapping, list and string keeps its start/end mark:
  with libyaml through ``marked_yaml`` (the tree cfn-lint's decoder builds, several times
  faster), and with cfn-lint's decoder itself (imported lazily: its import costs about a second)
  for what only it handles — aliases, merge keys, JSON that is not YAML, and every broken
  template, which becomes IAC0001 findings, never an exception. UTF-8 (with or without a BOM),
  UTF-16 and UTF-32 with a BOM are read; any other encoding is an IAC0001 finding.
* ``template_comments`` lists the ``#`` comments of a YAML template (fixture annotations and
  inline suppressions live there).
"""

from __future__ import annotations

import json
import re
from typing import Any

from linter.model import Finding, Span
from linter.records import record
from linter.regex import lazy
from linter.rule import FILE_DOES_NOT_PARSE, tool_finding

_MARKERS = (b"AWSTemplateFormatVersion", b"Resources", b"Transform")
_YAML_VERSION = lazy(rb"^[\"']?AWSTemplateFormatVersion[\"']?[ \t]*:", re.MULTILINE)
_YAML_TOP_KEY = lazy(rb"^[\"']?(Resources|Transform)[\"']?[ \t]*:", re.MULTILINE)
_RESOURCE_TYPE = lazy(
    rb"[\"']?Type[\"']?[ \t]*:[ \t]*[\"']?(AWS|Custom|Alexa)::", re.MULTILINE)
_JSON_VERSION = lazy(rb"\"AWSTemplateFormatVersion\"\s*:")
_TYPE_PREFIXES = ("AWS::", "Custom::", "Alexa::")


def looks_like_cfn(data: bytes) -> bool:
    """Whether ``data`` is (meant to be) a CloudFormation template; cheap, never raises."""
    wide = _wide_encoding(data)
    if wide is not None:
        data = data.decode(wide, errors="replace").encode("utf-8")
    if not any(marker in data for marker in _MARKERS):
        return False
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return _json_looks_like_cfn(data)
    if _YAML_VERSION.search(data):
        return True
    keys = {m.group(1) for m in _YAML_TOP_KEY.finditer(data)}
    if b"Transform" in keys:
        return True
    return b"Resources" in keys and _RESOURCE_TYPE.search(data) is not None


def _json_looks_like_cfn(data: bytes) -> bool:
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # A broken JSON template still is one: decoding reports its syntax error.
        return _JSON_VERSION.search(data) is not None or (
            b'"Resources"' in data and _RESOURCE_TYPE.search(data) is not None
        )
    return isinstance(document, dict) and _is_template(document)


def _is_template(document: dict[str, Any]) -> bool:
    if "AWSTemplateFormatVersion" in document or "Transform" in document:
        return True
    resources = document.get("Resources")
    if not isinstance(resources, dict) or not resources:
        return False
    return any(
        isinstance(body, dict)
        and isinstance(body.get("Type"), str)
        and body["Type"].startswith(_TYPE_PREFIXES)
        for body in resources.values()
    )


@record
class Decoded:
    """A decoded template: a tree of dicts, lists and strings with 0-based ``start_mark`` /
    ``end_mark`` (``marked_yaml``'s nodes, or cfn-lint's ``dict_node`` / ``list_node`` /
    ``str_node``, which behave the same) plus the source text (for expression text)."""

    template: dict[str, Any]
    text: str
    rel_path: str
    is_json: bool


def decode_template(rel_path: str, data: bytes) -> tuple[Decoded | None, list[Finding]]:
    """Decode ``data`` keeping marks; broken input → (None, IAC0001 findings)."""
    text, problem, where = _text(data)
    if text is None or not text.strip():
        return None, [tool_finding(FILE_DOES_NOT_PARSE, problem or "empty template",
                                   Span(rel_path, *where))]
    from linter.frontends.cloudformation import marked_yaml  # lazy: imports yaml

    try:
        template: Any = marked_yaml.load(text)
    except marked_yaml.DuplicateKeys as err:
        return None, [tool_finding(FILE_DOES_NOT_PARSE, message, Span(rel_path, line, column))
                      for line, column, message in err.problems]
    except marked_yaml.Unsupported:
        template, findings = _decode_with_cfn_lint(rel_path, text)
        if findings:
            return None, findings
    if not isinstance(template, dict):
        return None, [tool_finding(FILE_DOES_NOT_PARSE, "a template must be a mapping",
                                   Span(rel_path, 1))]
    is_json = text.lstrip().startswith("{")
    return Decoded(template, text, rel_path, is_json), []


def _decode_with_cfn_lint(rel_path: str, text: str) -> tuple[Any, list[Finding]]:
    from cfnlint.decode import decode_str  # lazy: importing cfn-lint costs about a second

    try:
        template, matches = decode_str(text)
    except RecursionError:
        return None, [tool_finding(FILE_DOES_NOT_PARSE, "template nests too deeply",
                                   Span(rel_path, 1))]
    if matches:
        return None, [_match_finding(rel_path, match) for match in matches]
    return template, []


_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)


def _wide_encoding(data: bytes) -> str | None:
    """``utf-16`` / ``utf-32`` when ``data`` starts with that encoding's byte-order mark."""
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def _text(data: bytes) -> tuple[str | None, str, tuple[int, int]]:
    """The template's text, or None, why it cannot be read and where (line, column)."""
    wide = _wide_encoding(data)
    if wide is not None:
        try:
            return data.decode(wide), "", (1, 1)  # the codec reads the mark and drops it
        except UnicodeDecodeError as err:
            return None, f"not valid {wide.upper()}: {err.reason} at byte {err.start}", (1, 1)
    if b"\x00" in data:
        return None, "binary file (contains NUL bytes); not scanned", (1, 1)
    try:
        return data.decode("utf-8-sig"), "", (1, 1)
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        return None, (f"not valid UTF-8 (byte 0x{data[err.start]:02x} at line {line}, column "
                      f"{column}); save the template as UTF-8, or as UTF-16 or UTF-32 with a "
                      "byte-order mark"), (line, column)


def _match_finding(rel_path: str, match: Any) -> Finding:
    line = max(int(getattr(match, "linenumber", 1) or 1), 1)
    col = max(int(getattr(match, "columnnumber", 1) or 1), 1)
    message = str(getattr(match, "message", "")) or "template could not be parsed"
    return tool_finding(FILE_DOES_NOT_PARSE, message, Span(rel_path, line, col))


def template_comments(data: bytes) -> list[tuple[int, str]]:
    """(1-based line, text after ``#``) of every YAML comment; JSON templates have none.

    Uses the YAML scanner so that a ``#`` inside a quoted or block scalar (``#!/bin/bash`` in
    ``UserData``) is not taken for a comment; a file the scanner rejects is read line by line
    up to where it stopped, with a quote-aware fallback for the rest.
    """
    text = data.decode("utf-8-sig", errors="replace")
    if text.lstrip().startswith(("{", "[")):
        return []
    covered, scanned_to = _scalar_ranges(text)
    comments: list[tuple[int, str]] = []
    for index, line in enumerate(text.splitlines()):
        ranges = covered.get(index, ())
        col = _comment_start(line, ranges) if index < scanned_to else _naive_comment_start(line)
        if col is not None:
            comments.append((index + 1, line[col + 1 :].strip()))
    return comments


def _scalar_ranges(text: str) -> tuple[dict[int, list[tuple[int, int]]], int]:
    """Per 0-based line, the column ranges covered by scalar tokens; and the last line scanned."""
    import yaml

    covered: dict[int, list[tuple[int, int]]] = {}
    scanned_to = 0
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        for token in yaml.scan(text, Loader=loader):
            start, end = token.start_mark, token.end_mark
            scanned_to = max(scanned_to, end.line + 1)
            if not isinstance(token, yaml.ScalarToken):
                continue
            for line in range(start.line, end.line + 1):
                first = start.column if line == start.line else 0
                last = end.column if line == end.line else 1 << 30
                covered.setdefault(line, []).append((first, last))
    except yaml.YAMLError:
        pass
    else:
        scanned_to = 1 << 30
    return covered, scanned_to


def _comment_start(line: str, ranges: list[tuple[int, int]] | tuple[()]) -> int | None:
    position = line.find("#")
    while position >= 0:
        inside = any(first <= position < last for first, last in ranges)
        if not inside and (position == 0 or line[position - 1] in " \t"):
            return position
        position = line.find("#", position + 1)
    return None


def _naive_comment_start(line: str) -> int | None:
    quote = ""
    for position, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (position == 0 or line[position - 1] in " \t"):
            return position
    return None
