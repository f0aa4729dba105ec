"""The same policy content written in Terraform HCL, ``.tf.json`` and CloudFormation YAML/JSON
gives the same findings (rule id and policy)."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest
import yaml

from linter.options import ScanOptions
from linter.pipeline import scan

RULES = ("IAC0201", "IAC0202", "IAC0203", "IAC0204", "IAC0205", "IAC0206", "IAC0207")


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


POLICIES: dict[str, list[dict[str, Any]]] = {
    "admin": [allow("*")],
    "fulliam": [allow("iam:*")],
    "poweruser": [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"],
                   "Resource": "*"}],
    "starscoped": [allow(["*"], "arn:aws:s3:::logs/*")],
    "servicestar": [allow("ec2:*")],
    "servicestarscoped": [allow("s3:*", "arn:aws:s3:::bucket/*")],
    "writes": [allow(["s3:ListAllMyBuckets", "s3:PutObject"])],
    "onlystar": [allow(["ec2:Describe*", "ecr:GetAuthorizationToken"])],
    "passrole": [allow("iam:PassRole")],
    "passroleservice": [allow("iam:PassRole", Condition={
        "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}})],
    "passrolecombo": [allow(["iam:PassRole", "ec2:RunInstances"])],
    "denied": [allow("iam:AttachRolePolicy"),
               {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}],
    "notresource": [{"Effect": "Allow", "Action": "s3:GetObject",
                     "NotResource": "arn:aws:s3:::secret/*"}],
    "tagscoped": [allow("ec2:TerminateInstances",
                        Condition={"StringEquals": {"aws:ResourceTag/team": "a"}})],
}


def trust(principal: Any, **extra: Any) -> list[dict[str, Any]]:
    return [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal, **extra}]


TRUSTS: dict[str, list[dict[str, Any]]] = {
    "everyone": trust("*"),
    "everyonelist": trust({"AWS": ["*"]}),
    "accountroot": trust({"AWS": "arn:aws:iam::210987654321:root"}),
    "externalid": trust({"AWS": "arn:aws:iam::210987654321:root"},
                        Condition={"StringEquals": {"sts:ExternalId": "x1"}}),
    "ec2": trust({"Service": "ec2.amazonaws.com"}),
    "config": trust({"Service": "config.amazonaws.com"}),
    "orgonly": trust("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}),
}


def document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


def hcl(value: Any, indent: str = "") -> str:
    """A value in HCL syntax (object keys quoted, strings JSON-escaped, ``${`` escaped)."""
    inner = indent + "  "
    if isinstance(value, dict):
        body = "".join(f"{inner}{json.dumps(k)} = {hcl(v, inner)}\n" for k, v in value.items())
        return "{\n" + body + indent + "}"
    if isinstance(value, list):
        return "[" + ", ".join(hcl(v, inner) for v in value) + "]"
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def write_hcl(root: pathlib.Path) -> None:
    parts = [f'resource "aws_iam_policy" "{name}" {{\n  policy = jsonencode('
             f'{hcl(document(stmts), "  ")})\n}}\n' for name, stmts in POLICIES.items()]
    parts += [f'resource "aws_iam_role" "{name}" {{\n  name = "{name}"\n  assume_role_policy = '
              f'jsonencode({hcl(document(stmts), "  ")})\n}}\n'
              for name, stmts in TRUSTS.items()]
    (root / "main.tf").write_text("\n".join(parts))


def write_tf_json(root: pathlib.Path) -> None:
    data = {"resource": {
        "aws_iam_policy": {n: {"policy": json.dumps(document(s), indent=2)}
                           for n, s in POLICIES.items()},
        "aws_iam_role": {n: {"name": n, "assume_role_policy": json.dumps(document(s))}
                         for n, s in TRUSTS.items()},
    }}
    (root / "main.tf.json").write_text(json.dumps(data, indent=2))


def template() -> dict[str, Any]:
    resources: dict[str, Any] = {}
    for name, stmts in POLICIES.items():
        resources[name] = {"Type": "AWS::IAM::ManagedPolicy",
                           "Properties": {"PolicyDocument": document(stmts)}}
    for name, stmts in TRUSTS.items():
        resources[name] = {"Type": "AWS::IAM::Role",
                           "Properties": {"AssumeRolePolicyDocument": document(stmts)}}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def write_cfn_yaml(root: pathlib.Path) -> None:
    (root / "template.yaml").write_text(yaml.safe_dump(template(), sort_keys=False))


def write_cfn_json(root: pathlib.Path) -> None:
    (root / "template.json").write_text(json.dumps(template(), indent=2))


def write_cfn_json_strings(root: pathlib.Path) -> None:
    """CloudFormation with each policy document as a JSON string (as many templates do)."""
    data = template()
    for resource in data["Resources"].values():
        props = resource["Properties"]
        for key in ("PolicyDocument", "AssumeRolePolicyDocument"):
            if key in props:
                props[key] = json.dumps(props[key])
    (root / "template.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


WRITERS = {"hcl": write_hcl, "tf.json": write_tf_json, "cfn-yaml": write_cfn_yaml,
           "cfn-json": write_cfn_json, "cfn-json-strings": write_cfn_json_strings}


def findings(root: pathlib.Path) -> set[tuple[str, str]]:
    result = scan([str(root)], ScanOptions(select=RULES, use_env_vars=False), root=root)
    out = set()
    for finding in result.findings:
        if finding.rule_id in RULES:
            out.add((finding.rule_id, finding.address.rsplit(".", 1)[-1]))
    return out


EXPECTED = {
    ("IAC0201", "admin"), ("IAC0201", "fulliam"), ("IAC0201", "poweruser"),
    ("IAC0202", "admin"), ("IAC0202", "starscoped"), ("IAC0202", "servicestar"),
    ("IAC0202", "fulliam"),
    ("IAC0203", "admin"), ("IAC0203", "fulliam"), ("IAC0203", "poweruser"),
    ("IAC0203", "servicestar"), ("IAC0203", "writes"), ("IAC0203", "passrole"),
    ("IAC0203", "passroleservice"), ("IAC0203", "passrolecombo"),
    ("IAC0204", "poweruser"), ("IAC0204", "notresource"),
    ("IAC0205", "admin"), ("IAC0205", "fulliam"), ("IAC0205", "poweruser"),
    ("IAC0205", "passrole"), ("IAC0205", "passrolecombo"),
    ("IAC0206", "everyone"), ("IAC0206", "everyonelist"), ("IAC0206", "accountroot"),
    ("IAC0207", "config"),
}


@pytest.mark.parametrize("form", sorted(WRITERS))
def test_same_findings_in_every_form(form: str, tmp_path: pathlib.Path) -> None:
    WRITERS[form](tmp_path)
    found = findings(tmp_path)
    assert found == EXPECTED, (
        f"{form}: missing {sorted(EXPECTED - found)}, unexpected {sorted(found - EXPECTED)}")
