from __future__ import annotations

from collections.abc import Sequence

import pytest

from linter.iam import analysis
from linter.iam.policy import DocKind, PolicyDocument, Statement
from linter.model import Tri
from tests.iam.iam_helpers import statements


def allow(action: object, resource: object = "*", **extra: object) -> dict[str, object]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


# ---------------------------------------------------------------- admin


@pytest.mark.parametrize("action", ["*", ["s3:GetObject", "*"], "*:*", "iam:*", "IAM:*"])
def test_admin(action: object) -> None:
    assert analysis.admin_hits(statements(allow(action))).tri is Tri.TRUE


def test_admin_points_at_the_action() -> None:
    verdict = analysis.admin_hits(statements(allow(["s3:GetObject", "*"])))
    assert verdict.hits[0].nodes[0] == ("policy", "Statement", 0, "Action", 1)


@pytest.mark.parametrize("stmts", [
    [allow("*", "arn:aws:s3:::bucket/*")],
    [allow("s3:*")],
    [allow("xsiam:*")],
    [{"Effect": "Deny", "Action": "*", "Resource": "*"}],
    [allow("*"), {"Effect": "Deny", "Action": "*", "Resource": "*"}],
])
def test_not_admin(stmts: list[dict[str, object]]) -> None:
    assert analysis.admin_hits(statements(*stmts)).tri is Tri.FALSE


def test_conditional_deny_does_not_cancel_admin() -> None:
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
    assert analysis.admin_hits(statements(allow("*"), deny)).tri is Tri.TRUE


def test_power_user_clone_is_admin_but_large_exclusions_are_not() -> None:
    clone = {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"],
             "Resource": "*"}
    assert analysis.admin_hits(statements(clone)).tri is Tri.TRUE
    many = {"Effect": "Allow", "Resource": "*",
            "NotAction": [f"{s}:*" for s in ("iam", "organizations", "account", "ec2", "s3",
                                             "lambda", "rds", "dynamodb", "kms", "sts", "sqs")]}
    assert analysis.admin_hits(statements(many)).tri is Tri.FALSE


# ---------------------------------------------------------------- wildcard action


def test_wildcard_action_star_anywhere_service_star_only_when_unscoped() -> None:
    assert analysis.wildcard_action_hits(statements(allow("*", "abc*"))).tri is Tri.TRUE
    assert analysis.wildcard_action_hits(statements(allow("s3:*"))).tri is Tri.TRUE
    assert analysis.wildcard_action_hits(statements(allow("s3:*", "arn:aws:s3:::*"))).tri \
        is Tri.TRUE
    assert analysis.wildcard_action_hits(
        statements(allow("s3:*", "arn:aws:s3:::bucket/*"))).tri is Tri.FALSE
    assert analysis.wildcard_action_hits(statements(allow("s3:Get*"))).tri is Tri.FALSE
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    assert analysis.wildcard_action_hits(statements(deny)).tri is Tri.FALSE


# ---------------------------------------------------------------- wildcard resource


@pytest.mark.parametrize(("action", "expected"), [
    ("s3:PutObject", Tri.TRUE),
    ("iam:CreatePolicyVersion", Tri.TRUE),
    ("s3:*", Tri.TRUE),
    ("s3:ListAllMyBuckets", Tri.FALSE),
    ("ec2:Describe*", Tri.FALSE),
    ("logs:DescribeLogGroups", Tri.FALSE),
    ("ecr:GetAuthorizationToken", Tri.FALSE),
    (["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Tri.FALSE),
    ("s3:Get*", Tri.FALSE),
    ("some:action", Tri.UNKNOWN),
])
def test_wildcard_resource(action: object, expected: Tri) -> None:
    assert analysis.wildcard_resource_hits(statements(allow(action))).tri is expected


def test_wildcard_resource_scoped_resource_or_tag_condition_passes() -> None:
    assert analysis.wildcard_resource_hits(
        statements(allow("s3:PutObject", "arn:aws:s3:::b/*"))).tri is Tri.FALSE
    tagged = allow("ec2:TerminateInstances",
                   Condition={"StringEquals": {"aws:ResourceTag/team": "a"}})
    assert analysis.wildcard_resource_hits(statements(tagged)).tri is Tri.FALSE
    negated = allow("ec2:TerminateInstances",
                    Condition={"StringNotEquals": {"aws:ResourceTag/team": "a"}})
    assert analysis.wildcard_resource_hits(statements(negated)).tri is Tri.TRUE


def test_wildcard_resource_read_level_is_opt_in() -> None:
    levels = frozenset({"Write", "Permissions management", "Read"})
    stmts = statements(allow("secretsmanager:GetSecretValue"))
    assert analysis.wildcard_resource_hits(stmts).tri is Tri.FALSE
    assert analysis.wildcard_resource_hits(stmts, None, levels).tri is Tri.TRUE


def test_wildcard_resource_honours_conditions_that_narrow_the_targets() -> None:
    slr = allow("iam:CreateServiceLinkedRole", Condition={
        "StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}})
    assert analysis.wildcard_resource_hits(statements(slr)).tri is Tri.FALSE
    tag_present = allow("ec2:DeleteSecurityGroup", Condition={
        "Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}})
    assert analysis.wildcard_resource_hits(statements(tag_present)).tri is Tri.FALSE
    tls = allow("ec2:DeleteSecurityGroup", Condition={"Bool": {"aws:SecureTransport": "true"}})
    assert analysis.wildcard_resource_hits(statements(tls)).tri is Tri.TRUE


def test_wildcard_resource_reports_only_what_the_condition_leaves_open() -> None:
    bound = {"StringEquals": {
        "aws:RequestTag/eks:eks-cluster-name": "${aws:PrincipalTag/eks:eks-cluster-name}"}}
    creates = allow(["ec2:CreateFleet", "ec2:RunInstances", "ec2:CreateLaunchTemplate"],
                    Condition=bound)
    assert analysis.wildcard_resource_hits(statements(creates)).tri is Tri.FALSE
    mixed = analysis.wildcard_resource_hits(statements(
        allow(["ec2:CreateVolume", "ec2:CreateTags"], Condition=bound)))
    assert mixed.tri is Tri.TRUE
    assert mixed.hits[0].subject == "`ec2:CreateTags` on `*`"
    assert mixed.hits[0].nodes[0] == ("policy", "Statement", 0, "Action", 1)


def test_wildcard_action_narrowed_service_star_passes_and_star_names_the_condition() -> None:
    tagged = {"StringEquals": {"aws:ResourceTag/team": "a"}}
    assert analysis.wildcard_action_hits(statements(allow("s3:*", Condition=tagged))).tri \
        is Tri.FALSE
    tls = {"Bool": {"aws:SecureTransport": "true"}}
    assert analysis.wildcard_action_hits(statements(allow("s3:*", Condition=tls))).tri \
        is Tri.TRUE
    star = analysis.wildcard_action_hits(statements(allow("*", Condition=tagged)))
    assert star.tri is Tri.TRUE
    assert "where its condition on `aws:ResourceTag/team` holds" in star.hits[0].why


def test_not_action_and_not_resource_narrowed_by_conditions_pass() -> None:
    tagged = {"StringEquals": {"aws:ResourceTag/team": "a"}}
    not_resource = {"Effect": "Allow", "Action": "ec2:StopInstances",
                    "NotResource": "arn:aws:ec2:*:*:instance/i-1", "Condition": tagged}
    assert analysis.not_action_hits(statements(not_resource)).tri is Tri.FALSE
    region = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
    not_action = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*", "Condition": region}
    assert analysis.not_action_hits(statements(not_action)).tri is Tri.TRUE


# ---------------------------------------------------------------- escalation


@pytest.mark.parametrize("actions", [
    ["iam:CreatePolicyVersion"], ["iam:AttachRolePolicy"], ["iam:PutUserPolicy"],
    ["iam:UpdateLoginProfile"], ["iam:AddUserToGroup"], ["iam:passrole"], ["sts:AssumeRole"],
    ["lambda:UpdateFunctionCode"], ["iam:*"], ["*"],
])
def test_escalation_primitives(actions: list[str]) -> None:
    assert analysis.escalation_hits(statements(allow(actions))).tri is Tri.TRUE


def test_escalation_needs_broad_targets() -> None:
    assert analysis.escalation_hits(statements(
        allow("iam:CreateAccessKey", "arn:aws:iam::*:user/${aws:username}"))).tri is Tri.FALSE
    assert analysis.escalation_hits(statements(
        allow("sts:AssumeRole", "arn:aws:iam::123456789012:role/reader"))).tri is Tri.FALSE
    assert analysis.escalation_hits(statements(
        allow("sts:AssumeRole", "arn:aws:iam::*:role/*"))).tri is Tri.TRUE
    assert analysis.escalation_hits(statements(
        allow("iam:PassRole", "arn:aws:sqs:us-east-2:1:queue1"))).tri is Tri.FALSE


_Grant = tuple[Statement, tuple[str | int, ...], tuple[str, ...]]  # statement, node, targets


def _escalations_one_by_one(statements: Sequence[Statement]) -> list[tuple[_Grant, ...]]:
    """The escalations ``escalation_hits`` finds, each action's grant asked again for every
    escalation (as before the grants were shared between escalations)."""
    found: list[tuple[_Grant, ...]] = []
    for escalation in analysis.ESCALATIONS:
        grants = [analysis.grant_of(statements, action, escalation.passed_to or None)
                  for action in escalation.actions]
        if all(grants):
            found.append(tuple((g.statement, g.node, g.targets) for g in grants if g))
    return found


_CONDITIONED = {"StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com"]}}


@pytest.mark.parametrize("raw", [
    [allow("*")], [allow(["iam:PassRole", "ec2:RunInstances"])],
    [allow("iam:PassRole", Condition=_CONDITIONED), allow(["lambda:*", "ec2:RunInstances"])],
    [allow("iam:PassRole", Condition=_CONDITIONED), allow("iam:PassRole", "arn:aws:iam::*:role/*"),
     allow(["lambda:CreateFunction", "lambda:InvokeFunction"])],
    [allow("iam:*"), {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}],
    [allow("iam:PassRole", Condition={"StringLike": {"iam:PassedToService": "*"}}),
     allow(["glue:*", "sagemaker:*"])],
    [allow("s3:GetObject")],
])
def test_escalations_share_grants_with_the_same_answer(raw: list[dict[str, object]]) -> None:
    policy = statements(*raw)
    hits = analysis.escalation_hits(policy).hits
    found = [tuple(zip(h.node_statements, h.nodes, strict=True)) for h in hits]
    expected = [tuple((s, n) for s, n, _ in grants) for grants in _escalations_one_by_one(policy)]
    assert found == expected


def test_passed_to_service_is_honoured_except_for_matching_combinations() -> None:
    passrole = allow("iam:PassRole",
                     Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}})
    assert analysis.escalation_hits(statements(passrole)).tri is Tri.FALSE
    combo = analysis.escalation_hits(statements(passrole, allow("ec2:RunInstances")))
    assert combo.tri is Tri.TRUE
    assert "ec2:RunInstances" in combo.hits[0].subject
    other = analysis.escalation_hits(statements(passrole, allow("lambda:CreateFunction"),
                                                allow("lambda:InvokeFunction")))
    assert other.tri is Tri.FALSE


def test_target_conditions_and_exact_denies_are_honoured() -> None:
    boundary = allow("iam:AttachRolePolicy", Condition={
        "ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}})
    assert analysis.escalation_hits(statements(boundary)).tri is Tri.FALSE
    denied = statements(allow("iam:AttachRolePolicy"),
                        {"Effect": "Deny", "Action": "iam:Attach*", "Resource": "*"})
    assert analysis.escalation_hits(denied).tri is Tri.FALSE


def test_no_escalation_for_harmless_actions() -> None:
    assert analysis.escalation_hits(statements(
        allow(["lambda:CreateFunction", "lambda:CreateEventSourceMapping",
               "dynamodb:CreateTable"]))).tri is Tri.FALSE


@pytest.mark.parametrize("resource", [
    "arn:aws:iam::*:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/*",
    "arn:aws:iam::*:role/aws-service-role/*",
    "arn:aws:iam::*:user/*",
    "arn:aws:s3:::*",
])
@pytest.mark.parametrize("action", ["iam:AttachRolePolicy", "iam:PutRolePolicy",
                                    "iam:UpdateAssumeRolePolicy", "iam:PassRole",
                                    "sts:AssumeRole"])
def test_escalation_needs_a_pattern_that_can_name_a_usable_role(action: str, resource: str
                                                               ) -> None:
    assert analysis.escalation_hits(statements(allow(action, resource))).tri is Tri.FALSE


@pytest.mark.parametrize(("resource", "own"), [
    ("*", True), ("arn:aws:iam::*:role/*", True),
    ("arn:aws:iam::*:*", True), ("arn:aws:iam::123456789012:role/teams/*", False),
])
def test_escalation_message_claims_its_own_role_only_for_every_role(resource: str, own: bool
                                                                   ) -> None:
    verdict = analysis.escalation_hits(statements(allow("iam:AttachRolePolicy", resource)))
    assert verdict.tri is Tri.TRUE
    why = verdict.hits[0].why
    assert ("(its own included)" in why) is own
    assert own or f"the roles matching `{resource}`" in why


def test_escalation_honours_conditions_that_narrow_the_targets() -> None:
    for condition in ({"Null": {"aws:ResourceTag/delegated-admin": "false"}},
                      {"StringEquals": {"iam:AWSServiceName": "eks.amazonaws.com"}},
                      {"Bool": {"aws:ViaAWSService": "true"}}):
        assert analysis.escalation_hits(statements(
            allow("iam:AttachRolePolicy", Condition=condition))).tri is Tri.FALSE
    for condition in ({"Bool": {"aws:SecureTransport": "true"}},
                      {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}):
        assert analysis.escalation_hits(statements(
            allow("sts:AssumeRole", Condition=condition))).tri is Tri.TRUE


def test_reaches_target() -> None:
    assert analysis.reaches_target("arn:aws:iam::*:role/app-*", "iam:PassRole")
    assert analysis.reaches_target("arn:aws:iam::1:*", "iam:AttachUserPolicy")
    assert not analysis.reaches_target("arn:aws:iam::1:role/*", "iam:AttachUserPolicy")
    assert analysis.reaches_target("arn:aws:lambda:*:*:function:*", "lambda:UpdateFunctionCode")
    assert not analysis.reaches_target("arn:aws:lambda:*:*:layer:*",
                                       "lambda:UpdateFunctionCode")


# ---------------------------------------------------------------- trust


def trust(principal: object, **extra: object) -> dict[str, object]:
    return {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal, **extra}


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*"]},
                                       {"AWS": "arn:aws:iam::123456789012:root"},
                                       {"AWS": "123456789012"},
                                       {"AWS": "arn:aws:iam::*:root"}])
def test_trust_too_broad(principal: object) -> None:
    assert analysis.trust_hits(statements(trust(principal))).tri is Tri.TRUE


@pytest.mark.parametrize("statement", [
    trust({"Service": "ec2.amazonaws.com"}),
    trust({"AWS": "arn:aws:iam::123456789012:role/deployer"}),
    trust({"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}),
    trust({"AWS": "arn:aws:iam::123456789012:root"},
          Condition={"StringEquals": {"sts:ExternalId": "x"}}),
    trust({"AWS": "arn:aws:iam::123456789012:root"},
          Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
    {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": "*"},
])
def test_trust_fine(statement: dict[str, object]) -> None:
    assert analysis.trust_hits(statements(statement)).tri is Tri.FALSE


@pytest.mark.parametrize("condition", [
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
    {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
])
def test_account_trust_with_conditions_that_restrict_nobody(condition: dict[str, object]
                                                             ) -> None:
    stmts = statements(trust({"AWS": "arn:aws:iam::123456789012:root"}, Condition=condition))
    assert analysis.trust_hits(stmts).tri is Tri.TRUE


def test_account_trust_is_judged_with_the_power_of_the_guarded_role() -> None:
    stmts = statements(trust({"AWS": "123456789012"}))
    admin = analysis.trust_hits(stmts, None, guarded=analysis.RolePower(Tri.TRUE,
                                                                         "administrator"))
    assert admin.tri is Tri.TRUE
    assert admin.hits[0].why.endswith("and the role is administrator")
    other = analysis.trust_hits(stmts, None, guarded=analysis.RolePower(
        Tri.TRUE, "able to escalate to administrator", "aws_iam_role.x"))
    assert other.hits[0].why.endswith(
        "and role aws_iam_role.x is able to escalate to administrator")
    view_only = analysis.RolePower(Tri.FALSE)
    assert analysis.trust_hits(stmts, None, guarded=view_only).tri is Tri.FALSE
    unknown = analysis.trust_hits(stmts, None, guarded=analysis.RolePower(Tri.UNKNOWN))
    assert unknown.tri is Tri.TRUE
    assert "the role is" not in unknown.hits[0].why
    everyone = statements(trust("*"))  # the power of the role never excuses everyone
    assert analysis.trust_hits(everyone, None, guarded=view_only).tri is Tri.TRUE


def test_trust_negated_condition_does_not_restrict() -> None:
    stmt = trust("*", Condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}})
    assert analysis.trust_hits(statements(stmt)).tri is Tri.TRUE


@pytest.mark.parametrize(("sub", "expected"), [
    ("repo:org/repo:ref:refs/heads/main", Tri.FALSE),
    ("repo:org/*", Tri.FALSE),
    ("repo:*", Tri.TRUE),
    ("repo:org*", Tri.TRUE),
    ("*", Tri.TRUE),
    ("workflow:x:repo:org/repo", Tri.TRUE),
])
def test_github_oidc_sub(sub: str, expected: Tri) -> None:
    stmt = {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/"
                                       "token.actions.githubusercontent.com"},
            "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": sub}}}
    assert analysis.trust_hits(statements(stmt)).tri is expected


def test_confused_deputy_is_a_separate_check() -> None:
    stmts = statements(trust({"Service": "config.amazonaws.com"}))
    assert analysis.trust_hits(stmts).tri is Tri.FALSE
    assert analysis.trust_hits(stmts, None, ["confused-deputy"]).tri is Tri.TRUE
    scoped = statements(trust({"Service": "config.amazonaws.com"}, Condition={
        "StringEquals": {"aws:SourceAccount": "123456789012"}}))
    assert analysis.trust_hits(scoped, None, ["confused-deputy"]).tri is Tri.FALSE
    external_id = statements(trust({"Service": "firehose.amazonaws.com"}, Condition={
        "StringEquals": {"sts:ExternalId": "123456789012"}}))
    assert analysis.trust_hits(external_id, None, ["confused-deputy"]).tri is Tri.FALSE


# ---------------------------------------------------------------- effective permissions


def test_effective_permissions_union_of_documents() -> None:
    a = PolicyDocument(statements(allow("iam:PassRole")), DocKind.IDENTITY, "x", (), "a")
    b = PolicyDocument(statements(allow("ec2:RunInstances")), DocKind.IDENTITY, "y", (), "b")
    trust_doc = PolicyDocument(statements(trust("*")), DocKind.TRUST, "z", (), "t")
    perms = analysis.effective_permissions([a, b, trust_doc])
    assert perms.can_escalate is Tri.TRUE
    assert perms.is_admin is Tri.FALSE
    assert perms.allows("ec2:RunInstances") is Tri.TRUE
    assert perms.allows("s3:GetObject") is Tri.FALSE
    assert len(perms.documents) == 2


def test_assumable_role_patterns() -> None:
    perms = analysis.effective_permissions([PolicyDocument(
        statements(allow("sts:AssumeRole", ["arn:aws:iam::1:role/a", "arn:aws:iam::*:role/b*"])),
        DocKind.IDENTITY, "x", (), "a")])
    assert perms.assumable_role_patterns == ("arn:aws:iam::1:role/a", "arn:aws:iam::*:role/b*")
