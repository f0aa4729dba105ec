from __future__ import annotations

from linter.fingerprint import fingerprint_of
from linter.model import Finding, Severity, Span


def _finding(message: str, line: int, fingerprint: str = "") -> Finding:
    return Finding("IAC0001", "file-does-not-parse", "tool", Severity.ERROR, message,
                   Span("a.tf", line), fingerprint=fingerprint)


def test_the_engine_fingerprint_is_kept() -> None:
    assert fingerprint_of(_finding("x", 1, "abc")) == "abc"


def test_the_fallback_survives_line_moves_but_not_other_messages() -> None:
    moved = fingerprint_of(_finding("unexpected '}' at line 3", 3))
    assert moved == fingerprint_of(_finding("unexpected '}' at line 23", 23))
    assert moved != fingerprint_of(_finding("unexpected '{' at line 3", 3))
