"""The closed table of checks: ``{predicate: NAME, with: {...}}`` in a rule names one of these.

Each entry: name → (function, JSON Schema of its ``with`` arguments). A check lives in the module
of its domain; this table is the only place that names them all (the loader rejects any other
name with exit 2).

The loader needs the schemas (``linter.checks.schemas``) to load the rules; the functions are
needed only when a rule runs. So each function is named here by module and name and its module
is imported the first time the check runs: a scan pays only for the checks it uses (a scan of
IAM policies never imports the metadata-service or ``--diff-base`` checks).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from linter.checks import schemas
from linter.checks.context import PredicateFn, RuleContext
from linter.model import Outcome


class LazyCheck:
    """A check function named by module and name, imported when first called."""

    __slots__ = ("_function", "module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = f"linter.checks.{module}"
        self.name = name
        self._function: PredicateFn | None = None

    def resolve(self) -> PredicateFn:
        """The check function itself (importing its module)."""
        if self._function is None:
            self._function = getattr(importlib.import_module(self.module), self.name)
        return self._function

    def __call__(self, ctx: RuleContext, args: Mapping[str, Any]) -> Outcome:
        return self.resolve()(ctx, args)

    def __repr__(self) -> str:
        return f"LazyCheck({self.module}.{self.name})"


PREDICATES: dict[str, tuple[PredicateFn, dict[str, Any]]] = {
    # metadata service
    "imds-effective": (LazyCheck("imds", "imds_effective"), schemas.IMDS_SCHEMA),
    # instance identity
    "instance-without-profile": (LazyCheck("identity", "instance_without_profile"),
                                 schemas.INSTANCE_SCHEMA),
    "profile-without-role": (LazyCheck("identity", "profile_without_role"),
                             schemas.PROFILE_SCHEMA),
    # IAM policies and trust policies
    "iam-allows-admin": (LazyCheck("iam", "allows_admin"), schemas.SCOPED_SCHEMA),
    "iam-wildcard-action": (LazyCheck("iam", "wildcard_action"), schemas.SCOPED_SCHEMA),
    "iam-wildcard-resource": (LazyCheck("iam", "wildcard_resource"),
                              schemas.WILDCARD_RESOURCE_SCHEMA),
    "iam-not-action": (LazyCheck("iam", "not_action"), schemas.SCOPED_SCHEMA),
    "iam-privilege-escalation": (LazyCheck("iam", "privilege_escalation"),
                                 schemas.SCOPED_SCHEMA),
    "iam-trust-too-broad": (LazyCheck("iam", "trust_too_broad"), schemas.TRUST_SCHEMA),
    # hard-coded credentials
    "aws-credentials": (LazyCheck("credentials", "aws_credentials"),
                        schemas.CREDENTIALS_SCHEMA),
    # combinations
    "toxic-imds-admin": (LazyCheck("toxic", "toxic_imds_admin"), schemas.TOXIC_SCHEMA),
    "role-chain-admin": (LazyCheck("toxic", "role_chain_admin"), schemas.CHAIN_SCHEMA),
    "imds-not-restricted": (LazyCheck("toxic", "imds_not_restricted"),
                            schemas.RESTRICTION_SCHEMA),
    # changes against the base revision (--diff-base)
    "diff-profile-role-changed": (LazyCheck("diff", "profile_role_changed"),
                                  schemas.PROFILE_ROLE_CHANGED_SCHEMA),
}
