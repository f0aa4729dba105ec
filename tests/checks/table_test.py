"""The table of checks: every entry names a real check, with the schema its module declares."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from linter.checks import credentials, diff, iam, identity, imds, toxic
from linter.checks.table import PREDICATES, LazyCheck
from tests.paths import REPO

# name → (the function, the schema) as the check modules define them
DECLARED: dict[str, tuple[Any, dict[str, Any]]] = {
    "imds-effective": (imds.imds_effective, imds.IMDS_SCHEMA),
    "instance-without-profile": (identity.instance_without_profile, identity.INSTANCE_SCHEMA),
    "profile-without-role": (identity.profile_without_role, identity.PROFILE_SCHEMA),
    "iam-allows-admin": (iam.allows_admin, iam.SCOPED_SCHEMA),
    "iam-wildcard-action": (iam.wildcard_action, iam.SCOPED_SCHEMA),
    "iam-wildcard-resource": (iam.wildcard_resource, iam.WILDCARD_RESOURCE_SCHEMA),
    "iam-not-action": (iam.not_action, iam.SCOPED_SCHEMA),
    "iam-privilege-escalation": (iam.privilege_escalation, iam.SCOPED_SCHEMA),
    "iam-trust-too-broad": (iam.trust_too_broad, iam.TRUST_SCHEMA),
    credentials.NAME: (credentials.aws_credentials, credentials.SCHEMA),
    "toxic-imds-admin": (toxic.toxic_imds_admin, toxic.TOXIC_SCHEMA),
    "role-chain-admin": (toxic.role_chain_admin, toxic.CHAIN_SCHEMA),
    "imds-not-restricted": (toxic.imds_not_restricted, toxic.RESTRICTION_SCHEMA),
    diff.PROFILE_ROLE_CHANGED: (diff.profile_role_changed, diff.SCHEMA),
}


def test_the_table_names_every_check_once() -> None:
    assert set(PREDICATES) == set(DECLARED)


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_each_entry_is_its_modules_check_and_schema(name: str) -> None:
    function, schema = PREDICATES[name]
    assert isinstance(function, LazyCheck)
    assert function.resolve() is DECLARED[name][0]
    assert schema == DECLARED[name][1], f"update linter/checks/schemas.py for {name}"


def test_a_check_module_is_imported_when_its_check_first_runs() -> None:
    code = ("import sys; from linter.checks.table import PREDICATES; "
            "before = 'linter.checks.diff' in sys.modules; "
            "PREDICATES['diff-profile-role-changed'][0].resolve(); "
            "print(before, 'linter.checks.diff' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False, cwd=REPO)
    assert proc.stdout.split() == ["False", "True"], proc.stderr
