from __future__ import annotations

import pathlib

import pytest

from linter.graph.graph import Graph
from linter.graph.permissions import (
    _expression_patterns,
    assumable_roles,
    guarded_power,
    role_permissions,
)
from linter.model import Tri, Unknown
from tests.iam.iam_helpers import graph_of, scan_files

TRUST_ACCOUNT = """
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                   Principal = { AWS = "arn:aws:iam::123456789012:root" } }]
  })
"""
TRUST_EC2 = """
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                   Principal = { Service = "ec2.amazonaws.com" } }]
  })
"""


def graph(tmp_path: pathlib.Path, text: str) -> Graph:
    return graph_of(scan_files(tmp_path, {"main.tf": text}, "IAC0206"))


def test_view_only_managed_policies_are_known_to_grant_nothing_privileged(
        tmp_path: pathlib.Path) -> None:
    g = graph(tmp_path, f"""
        resource "aws_iam_role" "viewer" {{
          name = "viewer"
          {TRUST_ACCOUNT}
          managed_policy_arns = ["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
                                 "arn:aws:iam::aws:policy/ReadOnlyAccess"]
        }}
        resource "aws_iam_role" "s3" {{
          name = "s3"
          {TRUST_ACCOUNT}
          managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonS3FullAccess"]
        }}
        """)
    viewer = role_permissions(g, g.resources["aws_iam_role.viewer"])
    assert viewer.is_admin is Tri.FALSE
    assert viewer.can_escalate is Tri.FALSE
    unknown = role_permissions(g, g.resources["aws_iam_role.s3"])
    assert unknown.is_admin is Tri.UNKNOWN


def test_guarded_power(tmp_path: pathlib.Path) -> None:
    g = graph(tmp_path, f"""
        resource "aws_iam_role" "admin" {{
          name = "admin"
          assume_role_policy = data.aws_iam_policy_document.trust.json
          managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
        }}
        data "aws_iam_policy_document" "trust" {{
          statement {{
            actions = ["sts:AssumeRole"]
            principals {{
              type        = "AWS"
              identifiers = ["123456789012"]
            }}
          }}
        }}
        data "aws_iam_policy_document" "unused" {{
          statement {{
            actions = ["sts:AssumeRole"]
            principals {{
              type        = "AWS"
              identifiers = ["123456789012"]
            }}
          }}
        }}
        resource "aws_iam_role" "reader" {{
          name = "reader"
          {TRUST_ACCOUNT}
          inline_policy {{
            name   = "read"
            policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = "s3:GetObject",
                                                  Resource = "arn:aws:s3:::b/*" }}] }})
          }}
        }}
        resource "aws_iam_role" "bare" {{
          name = "bare"
          {TRUST_ACCOUNT}
        }}
        """)
    admin = guarded_power(g, g.resources["aws_iam_role.admin"])
    assert admin is not None
    assert (admin.verdict, admin.what, admin.role) == (Tri.TRUE, "administrator", "")
    by_document = guarded_power(g, g.resources["data.aws_iam_policy_document.trust"])
    assert by_document is not None
    assert (by_document.verdict, by_document.role) == (Tri.TRUE, "aws_iam_role.admin")
    reader = guarded_power(g, g.resources["aws_iam_role.reader"])
    assert reader is not None
    assert reader.verdict is Tri.FALSE
    assert guarded_power(g, g.resources["aws_iam_role.bare"]) is None  # nothing known
    assert guarded_power(g, g.resources["data.aws_iam_policy_document.unused"]) is None


@pytest.mark.parametrize(("expression", "patterns"), [
    ('"arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/deploy-*"',
     ["role/deploy-*"]),
    ("Fn::Sub: arn:${AWS::Partition}:iam::${AWS::AccountId}:role/app/${Env}-admin",
     ["role/app/*-admin"]),
    ('"arn:aws:iam::${var.account}:role/${var.name}"', []),
    ('"arn:aws:iam::${var.account}:root"', []),
])
def test_expression_patterns(expression: str, patterns: list[str]) -> None:
    assert _expression_patterns([Unknown(expression)]) == patterns


def test_assumable_roles_through_patterns_and_harmless_conditions(
        tmp_path: pathlib.Path) -> None:
    g = graph(tmp_path, f"""
        data "aws_caller_identity" "me" {{}}
        resource "aws_iam_role" "web" {{
          name = "web"
          {TRUST_EC2}
          inline_policy {{
            name = "assume"
            policy = jsonencode({{ Statement = [{{
              Effect = "Allow", Action = "sts:AssumeRole",
              Resource = "arn:aws:iam::${{data.aws_caller_identity.me.account_id}}:role/deploy-*",
              Condition = {{ Bool = {{ "aws:SecureTransport" = "true" }} }} }}] }})
          }}
        }}
        resource "aws_iam_role" "tagged" {{
          name = "tagged"
          {TRUST_EC2}
          inline_policy {{
            name = "assume"
            policy = jsonencode({{ Statement = [{{
              Effect = "Allow", Action = "sts:AssumeRole", Resource = "*",
              Condition = {{ StringEquals = {{ "aws:ResourceTag/team" = "a" }} }} }}] }})
          }}
        }}
        resource "aws_iam_role" "deploy_prod" {{
          name = "deploy-prod"
          {TRUST_ACCOUNT}
        }}
        resource "aws_iam_role" "ops" {{
          name = "ops"
          {TRUST_ACCOUNT}
        }}
        """)
    web = g.resources["aws_iam_role.web"]
    hops = assumable_roles(g, web, role_permissions(g, web))
    assert [(h.target.address, h.exact_resource, h.admitted_as) for h in hops] == [
        ("aws_iam_role.deploy_prod", False, "the whole account")]
    tagged = g.resources["aws_iam_role.tagged"]
    assert assumable_roles(g, tagged, role_permissions(g, tagged)) == []


def test_trust_by_a_role_arn_built_from_the_account_id(tmp_path: pathlib.Path) -> None:
    g = graph(tmp_path, f"""
        data "aws_caller_identity" "me" {{}}
        resource "aws_iam_role" "web" {{
          name = "web"
          {TRUST_EC2}
          inline_policy {{
            name   = "assume"
            policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole",
                                                  Resource = "*" }}] }})
          }}
        }}
        resource "aws_iam_role" "admin" {{
          name = "admin"
          assume_role_policy = jsonencode({{ Statement = [{{ Effect = "Allow",
            Action = "sts:AssumeRole", Principal = {{
              AWS = "arn:aws:iam::${{data.aws_caller_identity.me.account_id}}:role/web" }} }}] }})
        }}
        """)
    web = g.resources["aws_iam_role.web"]
    hops = assumable_roles(g, web, role_permissions(g, web))
    assert [(h.target.address, h.admitted_as) for h in hops] == [
        ("aws_iam_role.admin", "the role itself")]


def test_a_role_named_in_an_arn_built_from_the_account_id_is_named_exactly(
        tmp_path: pathlib.Path) -> None:
    g = graph(tmp_path, f"""
        data "aws_caller_identity" "me" {{}}
        resource "aws_iam_role" "web" {{
          name = "web"
          {TRUST_EC2}
          inline_policy {{
            name = "assume"
            policy = jsonencode({{ Statement = [{{
              Effect = "Allow", Action = "sts:AssumeRole",
              Resource = "arn:aws:iam::${{data.aws_caller_identity.me.account_id}}:role/deployer"
            }}] }})
          }}
        }}
        resource "aws_iam_role" "deployer" {{
          name = "deployer"
          {TRUST_ACCOUNT}
        }}
        """)
    web = g.resources["aws_iam_role.web"]
    hops = assumable_roles(g, web, role_permissions(g, web))
    assert [(h.target.address, h.exact_resource) for h in hops] == [
        ("aws_iam_role.deployer", True)]
