"""Policy documents written as JSON strings: decoded, each key and item at its own line."""

from __future__ import annotations

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
