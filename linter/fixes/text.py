"""A file's text with its line index: offsets ↔ 1-based (line, column) in characters, the
newline style, applying edits and writing a unified diff."""

from __future__ import annotations

import bisect
import difflib
import itertools
from collections.abc import Iterable, Sequence

from linter.model import Edit, Span
from linter.records import record
from linter.regex import lazy

_NEWLINE = lazy("\n")


class EditConflict(ValueError):
    """Two edits overlap."""


@record
class Replacement:
    """An edit in offsets: ``text[start:end]`` becomes ``new``."""

    start: int
    end: int
    new: str


class Text:
    def __init__(self, path: str, source: str) -> None:
        self.path = path
        self.source = source
        self.starts = [0, *(m.end() for m in _NEWLINE.finditer(source))]
        self.newline = "\r\n" if "\r\n" in source else "\n"

    # -- positions

    def offset(self, line: int, col: int) -> int:
        """The offset of 1-based ``line`` and character column ``col``."""
        if line - 1 >= len(self.starts):
            return len(self.source)
        return min(self.starts[line - 1] + col - 1, len(self.source))

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(end)
        return Span(self.path, line, col, end_line, end_col)

    def span_offsets(self, span: Span) -> tuple[int, int]:
        start = self.offset(span.start_line, span.start_col)
        end = self.offset(span.end_line, span.end_col) if span.end_col else self.line_end(
            span.end_line)
        return start, end

    # -- lines

    def line_of(self, offset: int) -> int:
        """0-based line index of ``offset``."""
        return bisect.bisect_right(self.starts, offset) - 1

    def line_start(self, offset: int) -> int:
        return self.starts[self.line_of(offset)]

    def line_end(self, line: int) -> int:
        """Offset of the end of 1-based ``line`` (before its newline)."""
        if line >= len(self.starts):
            return len(self.source)
        end = self.starts[line] - 1
        if end > 0 and self.source[end - 1] == "\r":
            end -= 1
        return end

    def next_line_start(self, offset: int) -> int | None:
        """The start of the line after the one holding ``offset`` (None on the last line)."""
        index = self.line_of(offset) + 1
        return self.starts[index] if index < len(self.starts) else None

    def indentation(self, offset: int) -> str:
        """The leading whitespace of the line holding ``offset``."""
        start = self.line_start(offset)
        end = start
        while end < len(self.source) and self.source[end] in " \t":
            end += 1
        return self.source[start:end]

    def only_space_before(self, offset: int) -> bool:
        return self.source[self.line_start(offset):offset].strip() == ""

    def last_content_end(self, end: int) -> int:
        """Step back from ``end`` over whitespace: the offset just past the last character."""
        while end > 0 and self.source[end - 1] in " \t\r\n":
            end -= 1
        return end

    # -- edits

    def replacement(self, edit: Edit) -> Replacement:
        start, end = self.span_offsets(edit.span)
        return Replacement(start, end, edit.text)

    def edit(self, start: int, end: int, new: str) -> Edit:
        return Edit(self.span(start, end), new)


def apply(source: str, replacements: Iterable[Replacement]) -> str:
    """``source`` with every replacement made (each against the original text); identical
    replacements count once; overlapping different ones raise ``EditConflict``."""
    ordered = sorted(set(replacements), key=lambda r: (r.start, r.end, r.new))
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end or (after.start == before.end == after.end == before.start):
            raise EditConflict(f"edits at offsets {before.start} and {after.start} overlap")
    out: list[str] = []
    position = 0
    for item in ordered:
        out.append(source[position:item.start])
        out.append(item.new)
        position = item.end
    out.append(source[position:])
    return "".join(out)


def apply_edits(text: Text, edits: Sequence[Edit]) -> str:
    return apply(text.source, (text.replacement(e) for e in edits))


def unified_diff(path: str, before: str, after: str) -> str:
    """A ``git diff``-style unified diff of one file (``a/path`` → ``b/path``)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        fromfile=f"a/{path}", tofile=f"b/{path}")
    out: list[str] = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
