from __future__ import annotations

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
