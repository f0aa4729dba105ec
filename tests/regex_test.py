"""``lazy`` stands for ``re.compile``: the same answers, the pattern compiled on first use."""

from __future__ import annotations

import copy
import re

import pytest

from linter.regex import lazy


def test_answers_as_the_compiled_pattern_does() -> None:
    source, flags = r"(?P<word>[a-z]+)-(\d+)", re.IGNORECASE
    ours, theirs = lazy(source, flags), re.compile(source, flags)
    text = "Ab-12 cd-3 x"
    assert ours.match(text).groups() == theirs.match(text).groups()  # type: ignore[union-attr]
    assert ours.search("  ab-1").span() == theirs.search("  ab-1").span()  # type: ignore[union-attr]
    assert ours.fullmatch("ab-1") is not None
    assert ours.fullmatch("ab-1 ") is None
    assert ours.findall(text) == theirs.findall(text)
    assert [m.span() for m in ours.finditer(text)] == [m.span() for m in theirs.finditer(text)]
    assert ours.sub(r"\2", text) == theirs.sub(r"\2", text)
    assert ours.subn("", text) == theirs.subn("", text)
    assert ours.split(text) == theirs.split(text)
    assert (ours.pattern, ours.flags, ours.groups, ours.groupindex) == (
        theirs.pattern, theirs.flags, theirs.groups, theirs.groupindex)
    assert lazy(rb"\x00+").search(b"a\x00\x00").span() == (1, 3)  # type: ignore[union-attr]


def test_compiles_once_on_first_use_and_raises_re_errors_then() -> None:
    broken = lazy("(unclosed")
    assert "unclosed" in repr(broken)  # made without compiling
    with pytest.raises(re.error):
        broken.match("x")
    pattern = lazy("a+")
    first = pattern.match
    assert pattern.match is first  # kept: no second compilation, no lookup through __getattr__


def test_copies_and_unknown_attributes() -> None:
    pattern = lazy("a+")
    assert copy.deepcopy(pattern).match("aa") is not None
    with pytest.raises(AttributeError):
        pattern.no_such_thing  # type: ignore[attr-defined]  # noqa: B018
