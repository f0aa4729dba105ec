# ruff: noqa: E501  (the embedded Terraform and CloudFormation sources keep one statement a line)
from __future__ import annotations

import pathlib

from linter.graph.policies import documents_in, policies_of, roles_of, trust_policy_of
from linter.iam.policy import DocKind
from tests.iam.iam_helpers import flagged, graph_of, hits, scan_files

HEREDOC = '''
resource "aws_iam_role_policy" "app" {
  role   = "app"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        "*"
      ],
      "Resource": "*"
    }
  ]
}
EOF
}
'''


def test_heredoc_findings_point_at_the_action_line(tmp_path: pathlib.Path) -> None:
    result = scan_files(tmp_path, {"main.tf": HEREDOC}, "IAC0201")
    assert hits(result, "IAC0201") == {("aws_iam_role_policy.app", 11)}


def test_cfn_block_scalar_points_at_the_action_line(tmp_path: pathlib.Path) -> None:
    template = '''
    Resources:
      User:
        Type: AWS::IAM::User
        Properties:
          Policies:
            - PolicyName: p
              PolicyDocument: |
                {
                  "Statement": [
                    {"Effect": "Allow",
                     "Action": "iam:*",
                     "Resource": "*"}
                  ]
                }
    '''
    result = scan_files(tmp_path, {"template.yaml": template}, "IAC0201")
    assert hits(result, "IAC0201") == {("User", 11)}


def test_data_document_merge_semantics(tmp_path: pathlib.Path) -> None:
    files = {"main.tf": '''
    data "aws_iam_policy_document" "base" {
      statement {
        sid       = "Admin"
        actions   = ["*"]
        resources = ["*"]
      }
    }
    data "aws_iam_policy_document" "narrowed" {
      source_policy_documents = [data.aws_iam_policy_document.base.json]
      statement {
        sid       = "Admin"
        actions   = ["s3:GetObject"]
        resources = ["*"]
      }
    }
    data "aws_iam_policy_document" "overridden" {
      statement {
        sid       = "Read"
        actions   = ["s3:GetObject"]
        resources = ["*"]
      }
      override_policy_documents = [data.aws_iam_policy_document.base.json]
    }
    '''}
    result = scan_files(tmp_path, files, "IAC0201")
    # reported once, where the statement is written; "overridden" keeps it (the override wins
    # by sid) and receives it, "narrowed" replaces it with its own statement of that sid
    assert flagged(result, "IAC0201") == {"data.aws_iam_policy_document.base"}
    (base,) = [f for f in result.findings if f.rule_id == "IAC0201"]
    assert {r.address for r in base.related} == {"data.aws_iam_policy_document.overridden"}
    graph = graph_of(result)
    merged = {doc: {a.value for d in documents_in(graph.resources[doc], graph)
                    for s in d.statements for a in s.actions or ()}
              for doc in ("data.aws_iam_policy_document.narrowed",
                          "data.aws_iam_policy_document.overridden")}
    assert merged == {"data.aws_iam_policy_document.narrowed": {"s3:GetObject"},
                      "data.aws_iam_policy_document.overridden": {"*", "s3:GetObject"}}


def test_policies_of_a_role_collects_every_source(tmp_path: pathlib.Path) -> None:
    files = {"main.tf": '''
    resource "aws_iam_role" "app" {
      name                = "app"
      assume_role_policy  = jsonencode({Statement = [{Effect = "Allow", Action = "sts:AssumeRole", Principal = {Service = "ec2.amazonaws.com"}}]})
      managed_policy_arns = ["arn:aws:iam::aws:policy/IAMFullAccess"]
      inline_policy {
        name   = "inline"
        policy = jsonencode({Statement = [{Effect = "Allow", Action = "s3:GetObject", Resource = "*"}]})
      }
    }
    resource "aws_iam_role_policy" "extra" {
      role   = aws_iam_role.app.name
      policy = jsonencode({Statement = [{Effect = "Allow", Action = "sqs:SendMessage", Resource = "*"}]})
    }
    resource "aws_iam_policy" "managed" {
      name   = "managed"
      policy = jsonencode({Statement = [{Effect = "Allow", Action = "ec2:RunInstances", Resource = "*"}]})
    }
    resource "aws_iam_role_policy_attachment" "a" {
      role       = aws_iam_role.app.name
      policy_arn = aws_iam_policy.managed.arn
    }
    resource "aws_iam_policy_attachment" "by_name" {
      name       = "x"
      roles      = ["app"]
      policy_arn = "arn:aws:iam::123456789012:policy/managed"
    }
    resource "aws_lambda_function" "f" {
      function_name = "f"
      role          = aws_iam_role.app.arn
    }
    '''}
    result = scan_files(tmp_path, files, "IAC0205")
    graph = graph_of(result)
    role = graph.resources["aws_iam_role.app"]
    docs = policies_of(role, graph)
    sources = {(d.address, d.source) for d in docs}
    assert ("aws_iam_role.app", "aws-managed") in sources
    assert ("aws_iam_role.app", "inline") in sources
    assert ("aws_iam_role_policy.extra", "inline") in sources
    assert ("aws_iam_role_policy_attachment.a", "attached") in sources
    assert ("aws_iam_policy_attachment.by_name", "attached") in sources
    assert all(d.kind is not DocKind.TRUST for d in docs)
    actions = {a.value for d in docs for s in d.statements for a in s.actions or ()}
    assert {"s3:GetObject", "sqs:SendMessage", "ec2:RunInstances", "iam:*"} <= actions
    trust = trust_policy_of(role, graph)
    assert trust is not None
    assert trust.kind is DocKind.TRUST
    function = graph.resources["aws_lambda_function.f"]
    assert [r.address for r in roles_of(function, graph)] == ["aws_iam_role.app"]
    assert len(policies_of(function, graph)) == len(docs)
    assert {"aws_iam_role.app", "aws_lambda_function.f"} <= flagged(result, "IAC0205")


def test_user_inherits_group_policies(tmp_path: pathlib.Path) -> None:
    files = {"main.tf": '''
    resource "aws_iam_user" "bob" {
      name = "bob"
    }
    resource "aws_iam_group" "ops" {
      name = "ops"
    }
    resource "aws_iam_group_policy" "ops" {
      group  = aws_iam_group.ops.name
      policy = jsonencode({Statement = [{Effect = "Allow", Action = "iam:CreateAccessKey", Resource = "*"}]})
    }
    resource "aws_iam_user_group_membership" "m" {
      user   = aws_iam_user.bob.name
      groups = [aws_iam_group.ops.name]
    }
    '''}
    result = scan_files(tmp_path, files, "IAC0205")
    # reported where it is written; the group and its member are what it reaches
    assert flagged(result, "IAC0205") == {"aws_iam_group_policy.ops"}
    (finding,) = [f for f in result.findings if f.rule_id == "IAC0205"]
    assert [r.address for r in finding.related] == ["aws_iam_group.ops", "aws_iam_user.bob"]
    graph = graph_of(result)
    user_actions = {a.value for d in policies_of(graph.resources["aws_iam_user.bob"], graph)
                    for s in d.statements for a in s.actions or ()}
    assert user_actions == {"iam:CreateAccessKey"}  # the user's effective policies have it


def test_cfn_policy_attached_by_ref_counts_for_the_role(tmp_path: pathlib.Path) -> None:
    template = '''
    Resources:
      Role:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
      Pass:
        Type: AWS::IAM::Policy
        Properties:
          PolicyName: pass
          Roles: [!Ref Role]
          PolicyDocument:
            Statement: [{Effect: Allow, Action: iam:PassRole, Resource: "*", Condition: {StringEquals: {iam:PassedToService: ec2.amazonaws.com}}}]
      Run:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          Roles: [!Ref Role]
          PolicyDocument:
            Statement: [{Effect: Allow, Action: ec2:RunInstances, Resource: "*"}]
    '''
    result = scan_files(tmp_path, {"template.yaml": template}, "IAC0205")
    assert flagged(result, "IAC0205") == {"Role"}


def test_unknown_managed_policy_and_unknown_document_are_unknown_verdicts(
        tmp_path: pathlib.Path) -> None:
    files = {"main.tf": '''
    variable "doc" {}
    resource "aws_iam_role_policy_attachment" "a" {
      role       = "app"
      policy_arn = "arn:aws:iam::aws:policy/AmazonSomethingFullAccess"
    }
    resource "aws_iam_policy" "p" {
      policy = var.doc
    }
    '''}
    result = scan_files(tmp_path, files, "IAC0201")
    assert not flagged(result, "IAC0201")
    unknown = {v.address for v in result.unknown_verdicts if v.rule_id == "IAC0201"}
    assert unknown == {"aws_iam_role_policy_attachment.a", "aws_iam_policy.p"}


def test_documents_in_kinds(tmp_path: pathlib.Path) -> None:
    files = {"main.tf": '''
    data "aws_iam_policy_document" "bucket" {
      statement {
        actions   = ["s3:GetObject"]
        resources = ["arn:aws:s3:::b/*"]
        principals {
          type        = "AWS"
          identifiers = ["*"]
        }
      }
    }
    data "aws_iam_policy_document" "trust" {
      statement {
        actions = ["sts:AssumeRole"]
        principals {
          type        = "AWS"
          identifiers = ["*"]
        }
      }
    }
    '''}
    result = scan_files(tmp_path, files, "IAC0206")
    graph = graph_of(result)
    kinds = {a: documents_in(graph.resources[a], graph)[0].kind
             for a in ("data.aws_iam_policy_document.bucket",
                       "data.aws_iam_policy_document.trust")}
    assert kinds == {"data.aws_iam_policy_document.bucket": DocKind.RESOURCE,
                     "data.aws_iam_policy_document.trust": DocKind.TRUST}
    assert flagged(result, "IAC0206") == {"data.aws_iam_policy_document.trust"}
