from __future__ import annotations

from collections.abc import Mapping

import pytest

from linter.iam import conditions
from linter.iam.policy import Statement, split_operator
from tests.iam.iam_helpers import statements


def stmt(condition: dict[str, object]) -> Statement:
    return statements({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*",
                       "Condition": condition})[0]


@pytest.mark.parametrize(("operator", "parts"), [
    ("StringEquals", ("StringEquals", "", False)),
    ("StringLikeIfExists", ("StringLike", "", True)),
    ("ForAnyValue:StringLike", ("StringLike", "ForAnyValue", False)),
    ("forallvalues:StringEqualsIfExists", ("StringEquals", "ForAllValues", True)),
])
def test_split_operator(operator: str, parts: tuple[str, str, bool]) -> None:
    assert split_operator(operator) == parts


@pytest.mark.parametrize(("condition", "restricts"), [
    ({"StringEquals": {"aws:PrincipalOrgID": "o-1"}}, True),
    ({"StringEquals": {"AWS:principalorgid": "o-1"}}, True),  # keys are case-insensitive
    ({"StringLike": {"aws:PrincipalOrgID": "*"}}, False),
    ({"StringNotEquals": {"aws:PrincipalOrgID": "o-1"}}, False),
    ({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-1"}}, False),
    ({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-1"}}, False),
    ({"Null": {"aws:PrincipalOrgID": "false"}}, False),
    ({"StringEquals": {"aws:PrincipalTag/team": "x"}}, True),
])
def test_trust_restricting(condition: dict[str, object], restricts: bool) -> None:
    found = conditions.restricting(stmt(condition), conditions.TRUST_RESTRICTING_KEYS)
    assert bool(found) is restricts


def test_mfa() -> None:
    assert conditions.mfa_required(stmt({"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    assert not conditions.mfa_required(stmt({"Bool": {"aws:MultiFactorAuthPresent": "false"}}))
    if_exists: dict[str, object] = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}
    assert not conditions.mfa_required(stmt(if_exists))


def test_passed_to_service_values() -> None:
    condition = {"StringEqualsIfExists": {"iam:PassedToService": "ec2.amazonaws.com"}}
    s = statements({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
                    "Condition": condition})[0]
    assert conditions.values_for(s, "iam:PassedToService") == ("ec2.amazonaws.com",)


def allow(condition: Mapping[str, object], action: object = "s3:PutObject") -> Statement:
    return statements({"Effect": "Allow", "Action": action, "Resource": "*",
                       "Condition": condition})[0]


@pytest.mark.parametrize(("condition", "narrows"), [
    # the target's tags and owner
    ({"StringEquals": {"aws:ResourceTag/team": "a"}}, True),
    ({"StringEquals": {"ec2:ResourceTag/team": "a"}}, True),
    ({"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}}, True),
    ({"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "true"}}, False),
    ({"Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"}}, False),
    ({"StringEquals": {"aws:ResourceAccount": "123456789012"}}, True),
    # one service, one alias, one access path
    ({"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}}, True),
    ({"StringLike": {"iam:AWSServiceName": "*"}}, False),
    # the service a role goes to, not which roles
    ({"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}, False),
    ({"StringEquals": {"kms:RequestAlias": "alias/app"}}, True),
    ({"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}, True),
    ({"Bool": {"aws:ViaAWSService": "true"}}, True),
    ({"Bool": {"aws:ViaAWSService": "false"}}, False),
    # ARN conditions on what is reached
    ({"ArnLike": {"aws:SourceArn": "arn:aws:sns:eu-west-1:1:topic"}}, True),
    ({"ArnEquals": {"ec2:Vpc": "arn:aws:ec2:eu-west-1:1:vpc/vpc-1"}}, True),
    ({"ArnLike": {"ec2:Vpc": "arn:aws:ec2:*:*:vpc/*"}}, False),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::1:role/x"}}, False),
    ({"ArnNotEquals": {"ec2:Vpc": "arn:aws:ec2:eu-west-1:1:vpc/vpc-1"}}, False),
    # the request's circumstances narrow nothing
    ({"Bool": {"aws:SecureTransport": "true"}}, False),
    ({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}, False),
    ({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}, False),
    ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, False),
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, False),
    # …IfExists: true when the request lacks the key
    ({"StringEqualsIfExists": {"aws:ResourceTag/team": "a"}}, False),
])
def test_narrowing(condition: dict[str, object], narrows: bool) -> None:
    assert bool(conditions.narrowing(allow(condition))) is narrows


def test_request_tag_bound_to_principal_tag_narrows_create_actions_only() -> None:
    bound = {"StringEquals": {
        "aws:RequestTag/eks:eks-cluster-name": "${aws:PrincipalTag/eks:eks-cluster-name}"}}
    statement = allow(bound, ["ec2:RunInstances", "ec2:CreateTags"])
    assert conditions.narrowing(statement, "ec2:RunInstances")
    assert conditions.narrowing(statement, "ec2:CreateVolume")
    assert not conditions.narrowing(statement, "ec2:CreateTags")  # tags existing resources
    assert not conditions.narrowing(statement, "ec2:TerminateInstances")
    assert not conditions.narrowing(statement)  # not for every action
    other_key = {"StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/owner}"}}
    assert not conditions.narrowing(allow(other_key), "ec2:RunInstances")
    fixed = {"StringEquals": {"aws:RequestTag/eks:eks-cluster-name": "prod"}}
    assert not conditions.narrowing(allow(fixed), "ec2:RunInstances")


def test_service_name_if_exists_narrows_service_linked_roles_only() -> None:
    statement = allow({"StringLikeIfExists": {"iam:AWSServiceName": "eks.amazonaws.com"}},
                      "iam:CreateServiceLinkedRole")
    assert conditions.narrowing(statement, "iam:CreateServiceLinkedRole")
    assert not conditions.narrowing(statement, "ec2:RunInstances")


def test_narrowing_keys_can_be_chosen() -> None:
    vpce = allow({"StringEquals": {"aws:SourceVpce": "vpce-1"}})
    assert conditions.narrowing(vpce)
    assert not conditions.narrowing(vpce, keys=conditions.TARGET_RESTRICTING_KEYS)


@pytest.mark.parametrize(("action", "create"), [
    ("ec2:RunInstances", True), ("ec2:CreateVolume", True), ("ec2:AllocateAddress", True),
    ("elasticloadbalancing:CreateLoadBalancer", True), ("ec2:CreateTags", False),
    ("s3:PutObject", False), ("nosuch:CreateThing", False),
])
def test_is_create_action(action: str, create: bool) -> None:
    assert conditions.is_create_action(action) is create


def test_sts_external_id_guards_confused_deputies() -> None:
    statement = stmt({"StringEquals": {"sts:ExternalId": "123456789012"}})
    assert conditions.restricting(statement, conditions.CONFUSED_DEPUTY_KEYS)
