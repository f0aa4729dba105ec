"""What every check (predicate) shares: the context it is evaluated in, its signature, and the
shape of its argument schema.

A check is ``def check(ctx: RuleContext, args: Mapping[str, Any]) -> Outcome``: ``ctx`` holds the
resource, its (derived) graph and the scan options; ``args`` is the rule's ``with:`` mapping,
its ``{param: NAME}`` references already bound to values. Its schema (a JSON Schema of ``args``)
lists the message placeholders the check fills under ``x-details``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from linter.graph.graph import Graph
from linter.model import Outcome, Resource
from linter.options import ScanOptions
from linter.records import record


@record(slots=True)
class RuleContext:
    resource: Resource
    graph: Graph
    options: ScanOptions


PredicateFn = Callable[[RuleContext, Mapping[str, Any]], Outcome]


def details_schema(*names: str, **properties: Any) -> dict[str, Any]:
    """The schema of a check taking the given ``with`` properties and filling ``names``."""
    return {"type": "object", "additionalProperties": False, "properties": dict(properties),
            "x-details": list(names)}
