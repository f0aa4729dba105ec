"""linter/frontends/cloudformation/spans.py: spans from decoder marks (remembered per marks)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import yaml

from linter.frontends.cloudformation import marked_yaml
from linter.frontends.cloudformation.marked_yaml import Mark
from linter.frontends.cloudformation.spans import SourceText, _mark

TEXT = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      Tags:
        - Key: a
          Value: b

      # a comment before the next entry
      Versioning: {Status: Enabled}
      Count: 3
  Script:
    Type: AWS::EC2::Instance
    Properties:
      UserData: |
        echo hi

Outputs: {}
"""


def _nodes(node: Any, key: Any = None) -> list[tuple[Any, Any]]:
    """Every (node, key) of the tree, the way the evaluator asks for spans."""
    out = [(node, key)]
    if isinstance(node, dict):
        for child_key, child in node.items():
            out.extend(_nodes(child, child_key))
    elif isinstance(node, list):
        for child in node:
            out.extend(_nodes(child))
    return out


def test_remembered_spans_are_the_spans_computed_afresh() -> None:
    """Asked again (as each condition variant asks), a node's span is the one a new source
    text computes; different nodes never share a remembered span wrongly."""
    tree = marked_yaml.load(TEXT)
    source = SourceText.of("t.yaml", TEXT)
    pairs = _nodes(tree)
    first = [source.span(node, key) for node, key in pairs]
    again = [source.span(node, key) for node, key in reversed(pairs)][::-1]
    fresh = [SourceText.of("t.yaml", TEXT).span(node, key) for node, key in pairs]
    assert first == again == fresh
    assert len({s for s in first if s is not None}) > 10
    assert source == SourceText.of("t.yaml", TEXT)  # the memo is no part of equality


def _mark_with_getattr(node: Any, attribute: str) -> tuple[int, int] | None:
    """``spans._mark`` as it was, with ``getattr`` defaults."""
    mark = getattr(node, attribute, None)
    if mark is None:
        return None
    line, column = getattr(mark, "line", None), getattr(mark, "column", None)
    if not isinstance(line, int) or not isinstance(column, int):
        return None
    return (line, column)


def test_marks_are_read_as_with_getattr_defaults() -> None:
    class Raising:
        line = 1

        @property
        def column(self) -> int:
            raise AttributeError("column")

    marks: list[Any] = [None, Mark(2, 3), Mark(True, 0), SimpleNamespace(line=1),
                        SimpleNamespace(line="1", column=2), SimpleNamespace(column=2), Raising(),
                        _first_event_mark("a: b")]
    for mark in marks:
        node = SimpleNamespace(start_mark=mark)
        assert _mark(node, "start_mark") == _mark_with_getattr(node, "start_mark")
    assert _mark(object(), "start_mark") is None


def _first_event_mark(text: str) -> Any:
    """The start mark of libyaml's first event for ``text`` (a mark as the parser makes it)."""
    event = yaml.CSafeLoader(text).get_event()
    assert event is not None
    return event.start_mark
