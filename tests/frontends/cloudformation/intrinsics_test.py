"""Intrinsic functions: each one's value, edges and Unknowns."""

from __future__ import annotations

from typing import Any

from linter.model import Unknown
from tests.frontends.cloudformation.cfn_helpers import evaluate, only, props

HEAD = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Name:
    Type: String
    Default: web
  Secret:
    Type: String
  Subnets:
    Type: CommaDelimitedList
    Default: "a, b,c"
Mappings:
  Region:
    us:
      Ami: ami-1
Resources:
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      InstanceProfileName: !Sub "${Name}-profile"
      Roles: [!Ref Role]
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: web-role
  Bucket:
    Type: AWS::S3::Bucket
"""


def _eval(properties: str) -> dict[str, Any]:
    body = "\n".join("      " + line for line in properties.strip("\n").splitlines())
    text = HEAD + "  Subject:\n    Type: AWS::EC2::Instance\n    Properties:\n" + body + "\n"
    result = evaluate(text)
    assert result.findings == []
    subject: dict[str, Any] = props(result, "Subject")
    return subject


def test_ref_parameter_pseudo_and_novalue() -> None:
    p = _eval("""
A: !Ref Name
B: !Ref AWS::Partition
C: !Ref AWS::URLSuffix
D: !Ref AWS::NoValue
E: [x, !Ref AWS::NoValue, y]
F: !Ref Subnets
""")
    assert p == {"A": "web", "B": "aws", "C": "amazonaws.com", "E": ["x", "y"],
                 "F": ["a", "b", "c"]}


def test_deploy_time_values_are_unknown_with_expression_text() -> None:
    p = _eval("""
Account: !Ref AWS::AccountId
Region: !Ref AWS::Region
Stack: !Ref AWS::StackName
Zones: !GetAZs ""
Imported: !ImportValue shared-vpc
Dynamic: "{{resolve:ssm:/app/tokens}}"
NoDefault: !Ref Secret
Cidr: !Cidr ["10.0.0.0/16", 4, 8]
""")
    for key in ("Account", "Region", "Stack", "Zones", "Imported", "Dynamic", "NoDefault",
                "Cidr"):
        assert isinstance(p[key], Unknown), key
    assert p["Account"].expression == "!Ref AWS::AccountId"
    assert p["Imported"].expression == "!ImportValue shared-vpc"
    assert p["Dynamic"].expression == '"{{resolve:ssm:/app/tokens}}"'
    assert p["NoDefault"].expression == "!Ref Secret"
    assert "no Default" in p["NoDefault"].reason


def test_ref_to_resources_knows_spelled_out_names_and_makes_edges() -> None:
    result = evaluate(HEAD + """
  Subject:
    Type: AWS::EC2::Instance
    DependsOn: [Bucket]
    Properties:
      IamInstanceProfile: !Ref Profile
      Role: !Ref Role
      BucketId: !Ref Bucket
      Arn: !GetAtt Role.Arn
      Arn2: !GetAtt [Profile, Arn]
""")
    p = props(result, "Subject")
    assert p["IamInstanceProfile"] == "web-profile"
    assert p["Role"] == "web-role"
    assert isinstance(p["BucketId"], Unknown)
    assert p["BucketId"].refs == ("Bucket",)
    assert isinstance(p["Arn"], Unknown)
    assert p["Arn"].refs == ("Role",)
    edges = {(e.target, e.kind, e.path, e.attribute) for e in result.edges if e.source == "Subject"}
    assert edges == {
        ("Bucket", "depends_on", ("DependsOn", 0), ""),
        ("Profile", "reference", ("Properties", "IamInstanceProfile"), ""),
        ("Role", "reference", ("Properties", "Role"), ""),
        ("Bucket", "reference", ("Properties", "BucketId"), ""),
        ("Role", "reference", ("Properties", "Arn"), "Arn"),
        ("Profile", "reference", ("Properties", "Arn2"), "Arn"),
    }
    assert ("Role", "reference") in {(e.target, e.kind) for e in result.edges
                                     if e.source == "Profile"}


def test_sub_both_forms_and_escapes() -> None:
    p = _eval("""
Plain: !Sub "${Name}-${AWS::Partition}"
Vars: !Sub
  - "${A}:${Name}"
  - A: !Ref AWS::URLSuffix
Escaped: !Sub "${!Literal}"
ResourceName: !Sub "role/${Role}"
Attr: !Sub "${Role.Arn}/x"
Unknown: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/*"
""")
    assert p["Plain"] == "web-aws"
    assert p["Vars"] == "amazonaws.com:web"
    assert p["Escaped"] == "${Literal}"
    assert p["ResourceName"] == "role/web-role"
    assert isinstance(p["Attr"], Unknown)
    assert p["Attr"].refs == ("Role",)
    assert isinstance(p["Unknown"], Unknown)
    assert p["Unknown"].expression == '!Sub "arn:${AWS::Partition}:s3:::${Bucket}/*"'
    assert p["Unknown"].refs == ("Bucket",)


def test_join_select_split_base64_findinmap() -> None:
    p = _eval("""
Join: !Join ["-", [a, !Ref Name, 3]]
Select: !Select [1, !Ref Subnets]
Split: !Split [",", "x,y"]
Nested: !Select [0, !Split ["/", !Sub "${Name}/tail"]]
UserData: !Base64 "#!/bin/bash"
Ami: !FindInMap [Region, us, Ami]
Default: !FindInMap [Region, eu, Ami, {DefaultValue: ami-0}]
JoinUnknown: !Join ["", [!Ref AWS::Region, x]]
""")
    assert p["Join"] == "a-web-3"
    assert p["Select"] == "b"
    assert p["Split"] == ["x", "y"]
    assert p["Nested"] == "web"
    assert p["UserData"] == "#!/bin/bash"
    assert p["Ami"] == "ami-1"
    assert p["Default"] == "ami-0"
    assert isinstance(p["JoinUnknown"], Unknown)


def test_malformed_and_unsupported_functions_are_unknown_not_errors() -> None:
    p = _eval("""
BadSelect: !Select [9, [a]]
BadMap: !FindInMap [Region, nowhere, Ami]
Unsupported: {"Fn::Frobnicate": 1}
UndefinedRef: !Ref Nothing
""")
    for key in ("BadSelect", "BadMap", "Unsupported", "UndefinedRef"):
        assert isinstance(p[key], Unknown), key
    assert "out of range" in p["BadSelect"].reason


def test_unknowns_are_collected_once_with_spans() -> None:
    result = evaluate(HEAD + """
  Subject:
    Type: AWS::EC2::Instance
    Properties:
      Account: !Sub "${AWS::AccountId}-${AWS::Region}"
""")
    unknown = only(result, "Subject").attributes["Properties"]["Account"]
    assert unknown in result.unknowns
    assert [u.expression for u in result.unknowns if "AccountId" in u.expression] == [
        '!Sub "${AWS::AccountId}-${AWS::Region}"']
    assert unknown.span is not None
    assert unknown.span.start_line == 31


def test_policy_document_json_strings_are_decoded_with_spans() -> None:
    result = evaluate("""
Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: |
        {
          "Version": "2012-10-17",
          "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}
          ]
        }
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: '{"Statement": [{"Effect": "Allow", "Principal": "*"}]}'
      Policies:
        - PolicyName: p
          PolicyDocument: !Sub '{"Statement": [{"Effect": "Allow",
            "Action": "${AWS::Partition}:*"}]}'
""")
    policy = only(result, "Policy")
    document = policy.attributes["Properties"]["PolicyDocument"]
    assert document["Statement"][0]["Action"] == "*"
    statement_span = policy.spans[("Properties", "PolicyDocument", "Statement", 0, "Action")]
    assert statement_span.start_line == 9
    role = only(result, "Role")
    trust = role.attributes["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == "*"
    assert role.spans[("Properties", "AssumeRolePolicyDocument", "Statement", 0,
                       "Principal")].start_line == 15
    inline = role.attributes["Properties"]["Policies"][0]["PolicyDocument"]
    assert inline["Statement"][0]["Action"] == "aws:*"


def test_an_ssm_dynamic_reference_says_which_parameter_it_reads() -> None:
    p = _eval("""
Image: "{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64}}"
Pinned: "{{resolve:ssm:/app/ami:3}}"
Secret: "{{resolve:secretsmanager:db:SecretString:password}}"
Embedded: "prefix-{{resolve:ssm:/app/name}}"
""")
    assert p["Image"].resolved_from == (
        "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64")
    assert p["Pinned"].resolved_from == "ssm:/app/ami"
    assert p["Secret"].resolved_from == ""
    assert p["Embedded"].resolved_from == ""


def test_no_value_in_to_json_string_and_as_a_whole_section() -> None:
    """Found by the fuzz job: ``Fn::ToJsonString`` of ``AWS::NoValue`` raised TypeError."""
    result = evaluate("""
        Resources:
          Box:
            Type: AWS::EC2::Instance
            Metadata: !Ref AWS::NoValue
            Properties:
              UserData: {"Fn::ToJsonString": !Ref AWS::NoValue}
        """)
    box = only(result, "Box")
    assert "Metadata" not in box.attributes
    user_data = box.attributes["Properties"]["UserData"]
    assert isinstance(user_data, Unknown)
    assert "AWS::NoValue" in user_data.reason


def test_sub_evaluates_each_variable_once_and_merges_unknowns_linearly() -> None:
    names = "".join(f"${{P{i}}}" for i in range(30))
    result = evaluate(f"""
        Resources:
          Box:
            Type: AWS::EC2::Instance
            Properties:
              A: !Sub "{'${AWS::Region}' * 500}"
              B: !Sub "{names}"
        """)
    properties = props(result, "Box")
    assert isinstance(properties["A"], Unknown)
    assert properties["A"].reason.count("AWS::Region") == 2  # expression and reason, once each
    assert "and 25 more" in properties["B"].reason


def test_an_expression_is_the_source_text_else_the_fallback_made_only_then() -> None:
    from linter.frontends.cloudformation import marked_yaml
    from linter.frontends.cloudformation.intrinsics import Evaluator, TemplateScope, _compact
    from linter.frontends.cloudformation.spans import SourceText

    text = "A: !Ref X\nB: {Fn::Join: ['', [a, b]]}\nC: '   '\nD: [1, 2]\n"
    source = SourceText.of("t.yaml", text)
    evaluator = Evaluator(TemplateScope(source, {}, {}, {}, {}), "R")
    tree = marked_yaml.load(text)
    nodes: list[Any] = [*tree.values(), 7, {"Ref": "Y"}, ["x", 1], None]
    for node in nodes:
        for fallback in ("", "!Ref Z"):
            expected = source.text(node, fallback or _compact(node))
            assert evaluator.expression(node, fallback) == expected
    assert SourceText.of("t.yaml", "").text(tree["A"], "") == ""
