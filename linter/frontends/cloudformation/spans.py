"""Source spans from cfn-lint decoder marks (0-based ``line``/``column``, end exclusive).

Only mappings, lists and strings carry marks; a number or boolean value is located by its key.
A block mapping or block scalar ends where the next token starts, often after blank lines and
comments that belong to the next entry: those are trimmed so a span ends on its last content line.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

import yaml

from linter.model import Span
from linter.records import record


@record
class SourceText:
    """The template's path and lines, to turn marks into spans and slice expression text."""

    rel_path: str
    lines: tuple[str, ...]
    # (start, end) marks → span: a node is asked for once per condition variant and per use
    _spans: dict[tuple[tuple[int, int], tuple[int, int]], Span] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    @staticmethod
    def of(rel_path: str, text: str) -> SourceText:
        return SourceText(rel_path, tuple(text.splitlines()))

    def span(self, node: Any, key: Any = None) -> Span | None:
        """The span of ``node`` (from the key's start when ``key`` is given), else None."""
        start = _mark(key, "start_mark") if key is not None else None
        if start is None:
            start = _mark(node, "start_mark")
            if start is None:
                return None
        end = _mark(node, "end_mark")
        if end is None:
            end = _mark(key, "end_mark") if key is not None else None
            if end is None:
                return Span(self.rel_path, start[0] + 1, start[1] + 1)
            # a number/boolean value: the key's line, to its end
            line = self.lines[start[0]] if start[0] < len(self.lines) else ""
            end_col = len(line.split(" #", 1)[0].rstrip()) + 1 if line else 0
            return Span(self.rel_path, start[0] + 1, start[1] + 1, start[0] + 1, end_col)
        known = self._spans.get((start, end))
        if known is None:
            known = self._spans[(start, end)] = self._span(start, end)
        return known

    def _span(self, start: tuple[int, int], end: tuple[int, int]) -> Span:
        end_line, end_col = end[0] + 1, end[1] + 1
        if end[0] > start[0] and self._blank_before(end):
            end_line, end_col = end[0], 0  # ends where the next entry starts: previous line
        while end_line > start[0] + 1 and end_col == 0 and self._is_filler(end_line):
            end_line -= 1
        if end_col == 0 and 0 < end_line <= len(self.lines):
            end_col = len(self.lines[end_line - 1].rstrip()) + 1
        return Span(self.rel_path, start[0] + 1, start[1] + 1, end_line, end_col)

    def _blank_before(self, mark: tuple[int, int]) -> bool:
        if mark[0] >= len(self.lines):
            return True
        return not self.lines[mark[0]][: mark[1]].strip(" \t-")

    def _is_filler(self, line: int) -> bool:
        if line > len(self.lines):
            return True
        stripped = self.lines[line - 1].strip()
        return not stripped or stripped.startswith("#")

    def text(self, node: Any, fallback: str) -> str:
        """The source text of ``node`` (``!Ref InstanceType`` / ``{"Ref": "X"}``), else fallback."""
        start, end = _mark(node, "start_mark"), _mark(node, "end_mark")
        if start is None or end is None or not self.lines:
            return fallback
        if start[0] == end[0] and start[0] < len(self.lines):
            piece = self.lines[start[0]][start[1] : end[1]]
        else:
            chunk = list(self.lines[start[0] : end[0] + 1])
            if chunk:
                if end[0] < len(self.lines):
                    chunk[-1] = chunk[-1][: end[1]]
                chunk[0] = chunk[0][start[1] :]
            piece = "\n".join(chunk)
        piece = " ".join(piece.split())
        if not piece:
            return fallback
        return piece if len(piece) <= 200 else piece[:197] + "..."


# libyaml's marks (``marked_yaml``; their ``line`` and ``column`` are C integers), if PyYAML has
# its C extension
_PARSER_MARK: Any = getattr(getattr(yaml, "_yaml", None), "Mark", None)


def _mark(node: Any, attribute: str) -> tuple[int, int] | None:
    mark: Any = getattr(node, attribute, None)
    if type(mark) is _PARSER_MARK:  # the common case, without the checks below
        return (mark.line, mark.column)
    if mark is None:
        return None
    try:
        line, column = mark.line, mark.column
    except AttributeError:
        return None
    if not isinstance(line, int) or not isinstance(column, int):
        return None
    return (line, column)
