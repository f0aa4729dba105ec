"""The closed table of checks: ``{predicate: NAME, with: {...}}`` in a rule names one of these.

Each entry: name → (function, JSON Schema of its ``with`` arguments). A check lives in the module
of its domain; this table is the only place that names them all (the loader rejects any other
name with exit 2).
"""

from __future__ import annotations

from typing import Any

from linter.checks import credentials, diff, iam, identity, imds, toxic
from linter.checks.context import PredicateFn

PREDICATES: dict[str, tuple[PredicateFn, dict[str, Any]]] = {
    # metadata service
    "imds-effective": (imds.imds_effective, imds.IMDS_SCHEMA),
    # instance identity
    "instance-without-profile": (identity.instance_without_profile, identity.INSTANCE_SCHEMA),
    "profile-without-role": (identity.profile_without_role, identity.PROFILE_SCHEMA),
    # IAM policies and trust policies
    "iam-allows-admin": (iam.allows_admin, iam.SCOPED_SCHEMA),
    "iam-wildcard-action": (iam.wildcard_action, iam.SCOPED_SCHEMA),
    "iam-wildcard-resource": (iam.wildcard_resource, iam.WILDCARD_RESOURCE_SCHEMA),
    "iam-not-action": (iam.not_action, iam.SCOPED_SCHEMA),
    "iam-privilege-escalation": (iam.privilege_escalation, iam.SCOPED_SCHEMA),
    "iam-trust-too-broad": (iam.trust_too_broad, iam.TRUST_SCHEMA),
    # hard-coded credentials
    credentials.NAME: (credentials.aws_credentials, credentials.SCHEMA),
    # combinations
    "toxic-imds-admin": (toxic.toxic_imds_admin, toxic.TOXIC_SCHEMA),
    "role-chain-admin": (toxic.role_chain_admin, toxic.CHAIN_SCHEMA),
    "imds-not-restricted": (toxic.imds_not_restricted, toxic.RESTRICTION_SCHEMA),
    # changes against the base revision (--diff-base)
    diff.PROFILE_ROLE_CHANGED: (diff.profile_role_changed, diff.SCHEMA),
}
