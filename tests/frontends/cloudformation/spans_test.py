"""linter/frontends/cloudformation/spans.py: spans from decoder marks (remembered per marks)."""

from __future__ import annotations

from typing import Any

from linter.frontends.cloudformation import marked_yaml
from linter.frontends.cloudformation.spans import SourceText

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
