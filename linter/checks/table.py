"""The closed table of predicate conditions (``{predicate: NAME, with: {...}}``).

Each entry: name → (function, JSON schema of its ``with`` arguments). IAM predicates come from
``linter.checks.iam``, graph/identity predicates from ``linter.checks.identity``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from linter.checks import credentials as secrets_predicate
from linter.checks.context import RuleContext
from linter.checks.diff import TABLE as DIFF_PREDICATES
from linter.checks.iam import (
    SCOPED_SCHEMA,
    TRUST_SCHEMA,
    WILDCARD_RESOURCE_SCHEMA,
    allows_admin,
    not_action,
    privilege_escalation,
    trust_too_broad,
    wildcard_action,
    wildcard_resource,
)
from linter.checks.identity import TABLE as GRAPH_PREDICATES
from linter.model import Outcome

PredicateFn = Callable[[RuleContext, Mapping[str, Any]], Outcome]

PREDICATES: dict[str, tuple[PredicateFn, dict[str, Any]]] = {
    secrets_predicate.NAME: (secrets_predicate.aws_credentials, secrets_predicate.SCHEMA),
    "iam-allows-admin": (allows_admin, SCOPED_SCHEMA),
    "iam-wildcard-action": (wildcard_action, SCOPED_SCHEMA),
    "iam-wildcard-resource": (wildcard_resource, WILDCARD_RESOURCE_SCHEMA),
    "iam-not-action": (not_action, SCOPED_SCHEMA),
    "iam-privilege-escalation": (privilege_escalation, SCOPED_SCHEMA),
    "iam-trust-too-broad": (trust_too_broad, TRUST_SCHEMA),
    **GRAPH_PREDICATES,
    **DIFF_PREDICATES,
}
