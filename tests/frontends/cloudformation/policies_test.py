"""Policy documents written as JSON strings: decoded, each key and item at its own line."""

from __future__ import annotations

from typing import Any

from linter.frontends.cloudformation.policies import POLICY_KEYS, _decode, decode_policy_strings
from linter.model import Path, Span
from tests.frontends.cloudformation.cfn_helpers import evaluate, only

TEMPLATE = """
Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: |
        {
          "Statement": [
            {
              "Effect": "Allow",
              "Action": [
                "s3:GetObject",
                "iam:*"
              ],
              "Resource": "*"
            }
          ]
        }
"""


def test_keys_and_items_of_a_literal_block_get_their_own_lines() -> None:
    policy = only(evaluate(TEMPLATE), "Policy")
    statement = ("Properties", "PolicyDocument", "Statement", 0)
    assert policy.attributes["Properties"]["PolicyDocument"]["Statement"][0]["Action"] == [
        "s3:GetObject", "iam:*"]
    lines = {path[len(statement):]: span.start_line for path, span in policy.spans.items()
             if path[:len(statement)] == statement}
    assert lines == {(): 8, ("Effect",): 9, ("Action",): 10, ("Action", 0): 11,
                     ("Action", 1): 12, ("Resource",): 14}


def _decode_every_node(value: Any, spans: dict[Path, Span], lines: tuple[str, ...],
                       path: Path = ()) -> Any:
    """``decode_policy_strings`` as it was: called for every node, leaves included."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, child in value.items():
            if key in POLICY_KEYS and isinstance(child, str):
                out[key] = _decode(child, (*path, key), spans, lines)
            else:
                out[key] = _decode_every_node(child, spans, lines, (*path, key))
        return out
    if isinstance(value, list):
        return [_decode_every_node(item, spans, lines, (*path, index))
                for index, item in enumerate(value)]
    return value


def test_decoding_skips_leaves_with_the_same_result() -> None:
    document = '{"Statement": [{"Effect": "Allow", "Action": "*"}]}'
    value: dict[str, Any] = {"A": [1, "x", {"PolicyDocument": document, "B": None}, [True]],
                             "KeyPolicy": document, "PolicyText": 3,
                             "C": {"InlinePolicy": "not json"}}
    lines = ("Resources:",)
    spans: dict[Path, Span] = {(): Span("t.yaml", 1)}
    expected_spans = dict(spans)
    decoded: Any = decode_policy_strings(value, spans, lines)
    assert decoded == _decode_every_node(value, expected_spans, lines)
    assert spans == expected_spans
    assert len(spans) > 1
    assert decoded["A"] is not value["A"]
    assert decoded["A"][3] is not value["A"][3]
