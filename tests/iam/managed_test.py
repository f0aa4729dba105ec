from __future__ import annotations

import pytest

from linter.iam import managed
from linter.model import Unknown


@pytest.mark.parametrize(("value", "name"), [
    ("arn:aws:iam::aws:policy/AdministratorAccess", "AdministratorAccess"),
    ("arn:aws-cn:iam::aws:policy/IAMFullAccess", "IAMFullAccess"),
    ("arn:aws-us-gov:iam::aws:policy/job-function/SystemAdministrator", "SystemAdministrator"),
    (Unknown("Fn::Sub: arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess"), "PowerUserAccess"),
    (Unknown('"arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess"'),
     "AdministratorAccess"),
    ("arn:aws:iam::123456789012:policy/AdministratorAccess", None),
    ("arn:aws:iam::policy/AmazonPersonalizeFullAccess", None),
    (Unknown("aws_iam_policy.x.arn"), None),
])
def test_aws_managed_name(value: object, name: str | None) -> None:
    assert managed.aws_managed_name(value) == name


def test_shipped_documents_are_dated_and_complete() -> None:
    assert managed.data_file_date()
    assert {"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"} <= set(
        managed.known_names())
    admin = managed.lookup("AdministratorAccess")
    assert admin is not None
    assert admin.document["Statement"][0]["Action"] == "*"
    assert admin.arn("aws-cn") == "arn:aws-cn:iam::aws:policy/AdministratorAccess"
    assert managed.lookup("ReadOnlyAccess") is None


def test_view_only_policies_are_known_by_name() -> None:
    assert managed.is_view_only("ReadOnlyAccess")
    assert managed.is_view_only("ViewOnlyAccess")
    assert managed.is_view_only("SecurityAudit")
    assert not managed.is_view_only("AdministratorAccess")
    assert not managed.is_view_only("AmazonS3FullAccess")
    assert not managed.is_view_only("readonlyaccess")  # IAM names are case-sensitive
