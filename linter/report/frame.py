"""Code frames for the text report (rustc / ruff style), with secrets masked.

```
   |
12 |     http_tokens = "optional"
   |                   ^^^^^^^^^^
```

A span over several lines is drawn with a bracket (``/``, ``|``, ``|_^``); a long one shows its
first lines, an elision and its last line. Tabs become four spaces and control characters are
shown escaped, so what the terminal prints is exactly what the underline was measured against.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

from linter.model import Span
from linter.records import record
from linter.report.locations import SourceFiles, end_column
from linter.report.redact import redact_mapped

MAX_LINES = 6  # spans longer than this are elided
HEAD_LINES = 3
TAB = "    "

Paint = Callable[[str, str], str]  # (text, style name) → text


def _plain(text: str, style: str) -> str:
    return text


def display(text: str) -> tuple[str, list[int]]:
    """Printable text (tabs expanded, control characters escaped) and the index map into it."""
    if text.isprintable():  # no tab, control or format character: shown as it is
        return text, list(range(len(text) + 1))
    out: list[str] = []
    index_map: list[int] = []
    length = 0
    for char in text:
        index_map.append(length)
        if char == "\t":
            shown = TAB
        elif unicodedata.category(char) in ("Cc", "Cf") and char not in "\u200d":
            shown = f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
        else:
            shown = char
        out.append(shown)
        length += len(shown)
    index_map.append(length)
    return "".join(out), index_map


def printable(text: str) -> str:
    """One line of user-controlled text that cannot move the cursor or recolor the terminal."""
    if text.isprintable():
        return text
    return display(text.replace("\r\n", "\n").replace("\n", " "))[0]


def cell_width(text: str) -> int:
    """Terminal columns taken by ``text`` (wide East Asian characters take two)."""
    if text.isascii():  # no combining and no wide character: one column each
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


@record
class _Line:
    number: int
    text: str  # displayed (redacted, printable)
    start: int  # underline start/end as displayed indexes on this line
    end: int


def _shown_line(raw: str, number: int, start_col: int, end_col: int,
                secrets: Sequence[str]) -> _Line:
    redacted, redact_map = redact_mapped(raw, secrets)
    shown, display_map = display(redacted)

    def to_display(col: int) -> int:
        index = min(max(col - 1, 0), len(raw))
        return display_map[redact_map[index]]

    return _Line(number, shown, to_display(start_col), to_display(end_col))


def code_frame(span: Span, sources: SourceFiles, secrets: Sequence[str],
               paint: Paint = _plain, marker_style: str = "") -> list[str]:
    """The frame lines for ``span`` (empty when the source cannot be read)."""
    first = sources.line(span.file, span.start_line)
    if first is None:
        return []
    end_line = span.end_line if sources.line(span.file, span.end_line) is not None else (
        span.start_line)
    end_col = end_column(span, sources) if end_line == span.end_line else None
    if end_col is None:
        end_col = len(sources.line(span.file, end_line) or "") + 1
    numbers = list(range(span.start_line, end_line + 1))
    if len(numbers) > MAX_LINES:
        numbers = [*numbers[:HEAD_LINES], 0, numbers[-1]]  # 0 = elision
    lines: list[_Line | None] = []
    for number in numbers:
        if number == 0:
            lines.append(None)
            continue
        raw = sources.line(span.file, number) or ""
        start = span.start_col if number == span.start_line else 1
        end = end_col if number == end_line else len(raw) + 1
        lines.append(_shown_line(raw, number, start, end, secrets))
    width = len(str(end_line))
    gutter = paint(" " * width + " |", "gutter")

    def numbered(number: int) -> str:
        return paint(f"{number:>{width}} |", "gutter")

    out = [gutter]
    if end_line == span.start_line:
        line = lines[0]
        assert line is not None
        carets = "^" * max(cell_width(line.text[line.start:line.end]), 1)
        out.append(f"{numbered(line.number)} {line.text}".rstrip())
        out.append(f"{gutter} {' ' * cell_width(line.text[:line.start])}"
                   f"{paint(carets, marker_style)}")
        return out
    head = lines[0]
    assert head is not None
    mid_line = bool(head.text[:head.start].strip())  # the span starts after other code
    for index, line in enumerate(lines):
        if line is None:
            out.append(paint("." * (width + 2), "gutter"))
            continue
        if index == 0 and mid_line:
            out.append(f"{numbered(line.number)}   {line.text}".rstrip())
            top = " " + "_" * (cell_width(line.text[:line.start]) + 1) + "^"
            out.append(f"{gutter} {paint(top, marker_style)}")
            continue
        bracket = paint("/" if index == 0 else "|", marker_style)
        out.append(f"{numbered(line.number)} {bracket} {line.text}".rstrip())
    last = lines[-1]
    assert last is not None
    tail = "|" + "_" * (cell_width(last.text[:max(last.end - 1, 0)]) + 1) + "^"
    out.append(f"{gutter} {paint(tail, marker_style)}")
    return out
