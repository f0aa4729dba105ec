from __future__ import annotations

from linter.iam import catalogue


def test_lookup_is_case_insensitive_and_knows_access_levels() -> None:
    info = catalogue.lookup("IAM:passrole")
    assert info is not None
    assert info.full == "iam:PassRole"
    assert "Write" in info.access_levels
    assert info.resource_level


def test_combined_access_levels_are_split() -> None:
    info = catalogue.lookup("iam:CreatePolicyVersion")
    assert info is not None
    assert info.access_levels == {"Permissions management", "Write"} or (
        "Permissions management" in info.access_levels)


def test_actions_that_only_accept_star_have_no_resource_level() -> None:
    for action in ("s3:ListAllMyBuckets", "ecr:GetAuthorizationToken",
                   "logs:DescribeLogGroups", "xray:PutTraceSegments"):
        info = catalogue.lookup(action)
        assert info is not None, action
        assert not info.resource_level, action


def test_expand_patterns_within_one_service() -> None:
    names = {a.name for a in catalogue.expand("iam:*RolePolicy")}
    assert {"PutRolePolicy", "AttachRolePolicy", "DeleteRolePolicy"} <= names
    assert all(a.service == "iam" for a in catalogue.expand("iam:*RolePolicy"))
    assert catalogue.expand("s3:GetObject")[0].name == "GetObject"


def test_wildcard_services_are_not_expanded() -> None:
    assert catalogue.expand("*") == ()
    assert catalogue.service_is_wildcard("*")
    assert catalogue.service_is_wildcard("*:*")
    assert catalogue.service_is_wildcard("s*:Get*")
    assert not catalogue.service_is_wildcard("s3:*")


def test_unknown_actions_and_services() -> None:
    assert catalogue.lookup("some:action") is None
    assert catalogue.expand("nosuchservice:*") == ()
    assert not catalogue.is_known_pattern("iam:NoSuchAction")
    assert catalogue.is_known_pattern("iam:Pass*")
    assert catalogue.split_action("s3*") is None  # IAM needs a service prefix


def test_glob_semantics() -> None:
    assert catalogue.glob_match("iam:*Role*", "IAM:PassRole")
    assert catalogue.glob_match("s3:Get?bject", "s3:GetObject")
    assert not catalogue.glob_match("xsiam:*", "iam:PassRole")
    assert catalogue.data_version()
