"""SAM templates are expanded; generated resources point back at their SAM resource."""

from __future__ import annotations

from tests.frontends.cloudformation.cfn_helpers import evaluate, only

SAM = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 3
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Policies:
        - AmazonS3ReadOnlyAccess
        - Statement:
            - Effect: Allow
              Action: "*"
              Resource: "*"
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions:
          HttpTokens: optional
"""


def test_sam_resources_are_expanded_and_mapped_back() -> None:
    result = evaluate(SAM)
    assert result.findings == []
    types = {r.address: r.type for r in result.resources}
    assert types == {"Api": "AWS::Lambda::Function", "ApiRole": "AWS::IAM::Role",
                     "Template": "AWS::EC2::LaunchTemplate"}
    role = only(result, "ApiRole")
    assert role.meta["source_resource"] == "Api"
    assert role.header.start_line == 7  # the SAM resource's logical id
    properties = role.attributes["Properties"]
    assert properties["ManagedPolicyArns"][-1] == "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    statement = properties["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert statement == {"Effect": "Allow", "Action": "*", "Resource": "*"}
    action_path = ("Properties", "Policies", 0, "PolicyDocument", "Statement", 0, "Action")
    assert role.spans[action_path].start_line == 17  # the statement line in the SAM resource
    function = only(result, "Api")
    assert function.meta["source_resource"] == "Api"
    assert function.attributes["Properties"]["Timeout"] == 3  # from Globals
    assert ("Api", "ApiRole", "Arn") in {(e.source, e.target, e.attribute) for e in result.edges}
    assert "source_resource" not in only(result, "Template").meta


def test_rejected_sam_resource_is_kept_untransformed_with_a_note() -> None:
    result = evaluate(SAM + """
  Broken:
    Type: AWS::Serverless::Function
    Properties:
      Handler: a.b
      Runtime: python3.12
      Events:
        Tick:
          Type: NoSuchEventSource
""")
    assert [f.rule_id for f in result.findings] == ["IAC0004"]
    assert "Broken" in result.findings[0].message
    assert result.findings[0].span.start_line == 26
    assert only(result, "Broken").type == "AWS::Serverless::Function"
    assert only(result, "ApiRole").meta["source_resource"] == "Api"


def test_sam_failure_scans_the_untransformed_template() -> None:
    result = evaluate("""
Transform: AWS::Serverless-2016-10-31
Globals: [not, a, mapping]
Resources:
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData: {}
""")
    assert [f.rule_id for f in result.findings] == ["IAC0004"]
    assert result.findings[0].span.start_line == 1
    assert [r.address for r in result.resources] == ["Template"]
