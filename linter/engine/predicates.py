"""The closed table of predicate conditions (``{predicate: NAME, with: {...}}``).

Each entry: name → (function, JSON schema of its ``with`` arguments). IAM predicates come from
``linter.iam.predicates``, graph/identity predicates from ``linter.graph.predicates``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from linter.engine.outcome import Outcome, RuleContext
from linter.secrets import predicate as secrets_predicate

PredicateFn = Callable[[RuleContext, Mapping[str, Any]], Outcome]

PREDICATES: dict[str, tuple[PredicateFn, dict[str, Any]]] = {
    secrets_predicate.NAME: (secrets_predicate.aws_credentials, secrets_predicate.SCHEMA),
}
