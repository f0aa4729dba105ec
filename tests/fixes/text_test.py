from __future__ import annotations

import pytest

from linter.fixes.text import EditConflict, Replacement, Text, apply, unified_diff
from linter.model import Edit, Span


def test_offsets_and_positions_count_characters() -> None:
    text = Text("a.tf", 'x = "é€"\ny = 1\n')
    assert text.position(text.source.index("y")) == (2, 1)
    assert text.offset(1, 8) == text.source.index('"', 5)  # columns are characters, not bytes
    assert text.span(4, 8) == Span("a.tf", 1, 5, 1, 9)
    assert text.span_offsets(Span("a.tf", 2, 1, 2, 6)) == (9, 14)


def test_crlf_lines_keep_their_newline() -> None:
    text = Text("t.yaml", "a: 1\r\nb: 2\r\n")
    assert text.newline == "\r\n"
    assert text.line_end(1) == 4
    assert text.next_line_start(2) == 6
    assert text.indentation(7) == ""


def test_identical_edits_apply_once_and_overlapping_ones_conflict() -> None:
    same = Replacement(2, 4, "XY")
    assert apply("abcdef", [same, same, Replacement(5, 5, "!")]) == "abXYe!f"
    with pytest.raises(EditConflict):
        apply("abcdef", [Replacement(1, 4, "x"), Replacement(3, 5, "y")])
    with pytest.raises(EditConflict):  # two insertions at one point: their order is unknown
        apply("abcdef", [Replacement(3, 3, "x"), Replacement(3, 3, "y")])


def test_edit_round_trip() -> None:
    text = Text("m.tf", "line one\nline two\n")
    edit = text.edit(5, 8, "1")
    assert edit == Edit(Span("m.tf", 1, 6, 1, 9), "1")
    assert apply(text.source, [text.replacement(edit)]) == "line 1\nline two\n"


def test_unified_diff_marks_a_missing_final_newline() -> None:
    out = unified_diff("x.tf", "a\n", "a\nb")
    assert out.startswith("--- a/x.tf\n+++ b/x.tf\n")
    assert out.endswith("+b\n\\ No newline at end of file\n")
