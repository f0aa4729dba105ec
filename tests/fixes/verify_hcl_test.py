"""``hcl.verify``'s shortcut (the innermost block around the edits parsed alone) gives the
answer of the check of the whole edited top-level blocks it stands in front of, for text
written anywhere, and is what a fix inside a nested block is checked by."""

from __future__ import annotations

from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from linter.fixes import hcl
from linter.fixes.hcl import HclSource, verify
from linter.model import Edit, Span

SOURCE = """\
resource "aws_launch_template" "t" {
  name = "x"
  metadata_options {
    http_tokens = "optional"
    tags        = { a = 1, b = [1, "x"] }
  }
  metadata_options {
    http_tokens = "x" # trailing
  }
  dynamic "ebs" {
    for_each = [1]
    content {
      size = 1
      inner { x = 2 }
    }
  }
  user_data = <<EOF
  block {
  EOF
}

locals {
  a = 1
}

resource "aws_launch_template" "t" {
  metadata_options {
    http_tokens = "optional"
  }
  metadata_options {
    http_tokens = "z"
  }

  /* a comment
  */
}
"""
SNIPPETS = ("\n", " ", '"', "{", "}", "[", "]", ",", "=", "#", "//", "/*", "*/", "${", "}\n",
            "x", '"required"', "1", " x = 1\n", 'http_tokens = "required"\n', "size = 2\n",
            "metadata_options {\n", "metadata_options {}\n", "inner {\n", "<<EOF\n", "EOF\n",
            "content {\n}\n", "a = 1", "locals {")
ALLOWED = st.sets(st.sampled_from(["http_tokens", "metadata_options", "x", "size", "inner",
                                   "#0", "#1", "ebs", "t"]))


def full_verify(source: HclSource, edits: list[Edit], allowed: set[str]) -> str | None:
    """``verify`` without the shortcut: every edited top-level block parsed again whole."""
    with mock.patch.object(hcl, "_inner_blocks_keep", return_value=False):
        return verify(source, edits, allowed)


@settings(max_examples=1500, deadline=None)
@given(spots=st.lists(st.tuples(st.integers(0, len(SOURCE)), st.integers(0, 4),
                                st.lists(st.sampled_from(SNIPPETS), max_size=3)),
                      min_size=1, max_size=2),
       allowed=ALLOWED)
def test_verify_answers_as_the_check_of_whole_blocks(
        spots: list[tuple[int, int, list[str]]], allowed: set[str]) -> None:
    source = HclSource("main.tf", SOURCE.encode())
    edits: list[Edit] = []
    taken: list[tuple[int, int]] = []
    for start, length, written in spots:
        end = min(len(SOURCE), start + length)
        if any((start < e and s < end) or start == s for s, e in taken):
            continue  # overlapping edits are refused before verification
        taken.append((start, end))
        edits.append(source.text.edit(start, end, "".join(written)))
    assert verify(source, edits, allowed) == full_verify(source, edits, allowed)


LINES = ("\n", "  x = 1\n", '  http_tokens = "required"\n', "  metadata_options {\n", "  }\n",
         "  metadata_options {\n    http_tokens = \"required\"\n  }\n", "  name = \"y\"\n",
         "  # c\n", "  /*\n", "  */\n", "  user_data = <<EOF\n", "EOF\n", '  a = "\n', "x\n",
         "  inner {}\n", "  dynamic \"ebs\" {\n", "  tags = { a = 1 }\n", "  }\n}\n")
LINE_STARTS = [0, *(i + 1 for i, c in enumerate(SOURCE) if c == "\n")]


@settings(max_examples=1500, deadline=None)
@given(at=st.sampled_from(LINE_STARTS), lines=st.lists(st.sampled_from(LINES), max_size=4),
       also=st.none() | st.sampled_from(LINE_STARTS), allowed=ALLOWED)
def test_verify_answers_as_the_check_of_whole_blocks_for_inserted_lines(
        at: int, lines: list[str], also: int | None, allowed: set[str]) -> None:
    source = HclSource("main.tf", SOURCE.encode())
    edits = [source.text.edit(at, at, "".join(lines))]
    if also is not None and also != at:
        edits.append(source.text.edit(also, also, "".join(reversed(lines))))
    assert verify(source, edits, allowed) == full_verify(source, edits, allowed)


def test_a_new_block_is_checked_by_parsing_its_lines() -> None:
    source = HclSource("main.tf", SOURCE.encode())
    closing = SOURCE.index("}\n\nlocals")
    new = "  metadata_options {\n    http_tokens = \"required\"\n  }\n"
    edit = source.text.edit(closing, closing, new)
    with mock.patch.object(hcl, "_verify_blocks", side_effect=AssertionError("whole block")):
        assert verify(source, [edit], {"metadata_options"}) is None
    assert verify(source, [edit], {"x"}) == full_verify(source, [edit], {"x"}) == (
        "resource.aws_launch_template.t.#0.metadata_options.#2.http_tokens would change")


def test_a_value_in_a_nested_block_is_checked_by_parsing_that_block() -> None:
    source = HclSource("main.tf", SOURCE.encode())
    edit = Edit(Span("main.tf", 4, 19, 4, 29), '"required"')
    with mock.patch.object(hcl, "_verify_blocks", side_effect=AssertionError("whole block")):
        assert verify(source, [edit], {"http_tokens"}) is None
    assert verify(source, [edit], {"x"}) == full_verify(source, [edit], {"x"}) == (
        "resource.aws_launch_template.t.#0.metadata_options.#0.http_tokens would change")
    second = Edit(Span("main.tf", 28, 19, 28, 29), '"required"')  # the namesake's block
    assert verify(source, [second], {"x"}) == (
        "resource.aws_launch_template.t.#0.metadata_options.#0.http_tokens would change")
    assert verify(source, [edit, second], {"x"}) == full_verify(source, [edit, second], {"x"})
    assert verify(source, [edit, second], {"#1"}) == full_verify(source, [edit, second], {"#1"})
    # each block's index among its namesakes is in the path: no "#0" in the second's
    name = Edit(Span("main.tf", 2, 10, 2, 13), '"y"')
    namesake = Edit(Span("main.tf", 31, 19, 31, 22), '"y"')
    assert verify(source, [name, namesake], {"#0"}) == full_verify(
        source, [name, namesake], {"#0"}) == (
        "resource.aws_launch_template.t.#1.metadata_options.#1.http_tokens would change")
