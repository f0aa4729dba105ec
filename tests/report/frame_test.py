from __future__ import annotations

import pathlib
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from linter.model import Span
from linter.report.frame import cell_width, code_frame, display, printable
from linter.report.locations import SourceFiles


def _frame(tmp_path: pathlib.Path, text: str, span: Span, secrets: tuple[str, ...] = ()) -> str:
    (tmp_path / "a.tf").write_text(text, encoding="utf-8")
    return "\n".join(code_frame(span, SourceFiles(tmp_path), secrets))


def test_single_line_underline(tmp_path: pathlib.Path) -> None:
    assert _frame(tmp_path, 'x = "abc"\n', Span("a.tf", 1, 5, 1, 10)) == (
        '  |\n1 | x = "abc"\n  |     ^^^^^')


def test_tabs_and_wide_characters_keep_the_underline_aligned(tmp_path: pathlib.Path) -> None:
    out = _frame(tmp_path, '\tname = "名前"\n', Span("a.tf", 1, 9, 1, 13))
    assert out.splitlines()[1:] == ['1 |     name = "名前"', '  |            ^^^^^^']


def test_a_span_that_starts_mid_line(tmp_path: pathlib.Path) -> None:
    out = _frame(tmp_path, "a = [x,\n  y]\n", Span("a.tf", 1, 5, 2, 5))
    assert out.splitlines() == ["  |", "1 |   a = [x,", "  |  _____^", "2 | |   y]", "  | |____^"]


def test_long_spans_are_elided(tmp_path: pathlib.Path) -> None:
    text = "".join(f"line{i}\n" for i in range(1, 21))
    out = _frame(tmp_path, text, Span("a.tf", 1, 1, 20, 7)).splitlines()
    assert out[1:4] == [" 1 | / line1", " 2 | | line2", " 3 | | line3"]
    assert out[4] == "...."
    assert out[5:] == ["20 | | line20", "   | |______^"]


def test_secrets_in_the_frame_are_masked(tmp_path: pathlib.Path) -> None:
    secret = "supersecretvalue1234"
    out = _frame(tmp_path, f'k = "{secret}" # x\n', Span("a.tf", 1, 6, 1, 26), (secret,))
    assert secret not in out
    assert out.splitlines()[1:] == ['1 | k = "supe…" # x', "  |      ^^^^^"]


def test_display_escapes_control_characters() -> None:
    shown, index_map = display("a\x1bb")
    assert shown == "a\\x1bb"
    assert index_map == [0, 1, 5, 6]
    assert cell_width("名a") == 3


def test_an_ascii_text_takes_one_column_per_character_as_the_general_count_says() -> None:
    """``cell_width``'s ASCII shortcut is the per-character count's answer for every byte."""
    every = "".join(chr(code) for code in range(128))
    general = sum(0 if unicodedata.combining(c) else
                  2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in every)
    assert cell_width(every) == general == len(every)


@given(st.text(max_size=40))
def test_display_shows_each_character_as_the_reference_does(text: str) -> None:
    # printable text takes a shortcut; whatever the text, each character is shown as below
    def shown(char: str) -> str:
        if char == "\t":
            return "    "
        if unicodedata.category(char) in ("Cc", "Cf") and char != "\u200d":
            return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
        return char

    pieces = [shown(char) for char in text]
    starts = [sum(len(p) for p in pieces[:i]) for i in range(len(pieces) + 1)]
    assert display(text) == ("".join(pieces), starts)
    assert printable(text) == display(text.replace("\r\n", "\n").replace("\n", " "))[0]
