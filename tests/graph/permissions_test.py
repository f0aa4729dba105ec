from __future__ import annotations

import pathlib

import pytest

from linter.graph.graph import Graph
from linter.graph.permissions import (
    _assume_grants,
    _expression_patterns,
    _grants_on,
    admits,
    assumable_roles,
    guarded_power,
    role_permissions,
)
from linter.model import Resource, Tri, Unknown
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


def _every_role_scanned(g: Graph, source: Resource) -> list[tuple[str, str, bool, str]]:
    """What ``assumable_roles`` must answer: every role of the graph asked in turn."""
    grants = _assume_grants(role_permissions(g, source))
    out = []
    for target in g.of_type("aws_iam_role", "AWS::IAM::Role"):
        grant = _grants_on(grants, target) if target.address != source.address else None
        trust = admits(g, target, source) if grant is not None else None
        if grant is not None and trust is not None:
            out.append((target.address, grant[0].address, grant[2], trust[2]))
    return out


TRUSTS = {
    "by_reference": 'jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",'
                    ' Principal = { AWS = aws_iam_role.src[0].arn } }] })',
    "by_name": 'jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",'
               ' Principal = { AWS = "arn:aws:iam::123456789012:role/Team/SRC-0" } }] })',
    "by_short_name": 'jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:*",'
                     ' Principal = { AWS = "arn:aws:iam::123456789012:role/src-1" } }] })',
    "by_pattern": 'jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",'
                  ' Principal = { AWS = "arn:aws:iam::123456789012:role/team/src-*" } }] })',
    "by_account_arn": 'jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",'
                      ' Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.me'
                      '.account_id}:role/team/src-0" } }] })',
    "by_account_root": 'jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",'
                       ' Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.me'
                       '.account_id}:root" } }] })',
    "account": 'jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",'
               ' Principal = { AWS = "123456789012" } }] })',
    "everyone": 'jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",'
                ' Principal = "*" }] })',
    "other_role": 'jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",'
                  ' Principal = { AWS = "arn:aws:iam::123456789012:role/elsewhere" } }] })',
    "service": 'jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",'
               ' Principal = { Service = "ec2.amazonaws.com" } }] })',
    "denied": 'jsonencode({ Statement = [{ Effect = "Deny", Action = "sts:AssumeRole",'
              ' Principal = "*" }] })',
}


def test_the_trust_index_finds_what_a_scan_of_every_role_finds(tmp_path: pathlib.Path) -> None:
    """Sources (with a path, mixed case, count instances) against every shape of trust
    admission, granted by "*", by name, by pattern and by reference."""
    targets = "".join(f"""
        resource "aws_iam_role" "{name}" {{
          name               = "{name}"
          assume_role_policy = {trust}
          managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
        }}""" for name, trust in TRUSTS.items())
    g = graph(tmp_path, f"""
        data "aws_caller_identity" "me" {{}}
        resource "aws_iam_role" "src" {{
          count = 2
          name  = "src-${{count.index}}"
          path  = "/team/"
          {TRUST_EC2}
          inline_policy {{
            name   = "assume"
            policy = jsonencode({{ Statement = [
              {{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "*" }}] }})
          }}
        }}
        resource "aws_iam_role" "narrow" {{
          name = "narrow"
          {TRUST_EC2}
          inline_policy {{
            name   = "assume"
            policy = jsonencode({{ Statement = [
              {{ Effect = "Allow", Action = "sts:AssumeRole",
                 Resource = ["arn:aws:iam::123456789012:role/by_name",
                             aws_iam_role.everyone.arn, "arn:aws:iam::*:role/by_*"] }}] }})
          }}
        }}
        {targets}
        """)
    sources = [r for r in g.of_type("aws_iam_role") if not r.address.startswith("aws_iam_role.b")]
    found = {}
    for source in sources:
        hops = assumable_roles(g, source, role_permissions(g, source))
        answer = [(h.target.address, h.grant.address, h.exact_resource, h.admitted_as)
                  for h in hops]
        assert answer == _every_role_scanned(g, source), source.address
        found[source.address] = [(a, how) for a, _, _, how in answer]
    assert found["aws_iam_role.src[0]"] == [
        ("aws_iam_role.by_reference", "the role itself"),
        ("aws_iam_role.by_name", "the role itself"),
        ("aws_iam_role.by_pattern", "the whole account"),
        ("aws_iam_role.by_account_arn", "the role itself"),
        ("aws_iam_role.by_account_root", "the whole account"),
        ("aws_iam_role.account", "the whole account"),
        ("aws_iam_role.everyone", "everyone")]
    assert [a for a, _ in found["aws_iam_role.src[1]"]] == [  # a reference names every instance
        "aws_iam_role.by_reference", "aws_iam_role.by_short_name", "aws_iam_role.by_pattern",
        "aws_iam_role.by_account_root", "aws_iam_role.account", "aws_iam_role.everyone"]
    assert [a for a, _ in found["aws_iam_role.narrow"]] == [
        "aws_iam_role.by_account_root", "aws_iam_role.everyone"]
