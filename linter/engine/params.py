"""Values of ``{option: NAME}`` operator arguments, resolved per resource.

``NAME`` is a scalar field of ``ScanOptions`` (``max_hop_limit``) or one of the rule's own
``options`` (its default value).

``max_hop_limit`` is per resource: ``--max-hop-limit`` is the global maximum, and
``hop_limit_exceptions`` (configuration file, selected by resource type, tags or address
pattern) allow a higher one for the resources they select — or for a launch template when every
group launching from it is selected (EKS node groups). The selector logic lives with the rest
of the effective metadata posture in ``linter.graph.imds.allowed_hop_limit``; this module only
routes the option to it, so a rule and the graph never disagree about the allowed maximum.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import Any

from linter.checks.context import RuleContext
from linter.options import ScanOptions


@functools.cache
def scan_option_names() -> dict[str, type]:
    """Scalar ScanOptions fields an operator may reference, with the type of their default."""
    defaults = ScanOptions()
    out: dict[str, type] = {}
    for f in dataclasses.fields(ScanOptions):
        value = getattr(defaults, f.name)
        if isinstance(value, (bool, int, float, str)):
            out[f.name] = type(value)
    return out


def option_value(name: str, ctx: RuleContext, rule_options: Mapping[str, Any]) -> Any:
    """The value of option ``name`` for ``ctx.resource``."""
    if name == "max_hop_limit":
        from linter.graph.imds import allowed_hop_limit

        limit, _why = allowed_hop_limit(ctx.graph, ctx.resource, ctx.options)
        return limit
    if name in scan_option_names():
        return getattr(ctx.options, name)
    return rule_options[name]
