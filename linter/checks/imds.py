"""The ``imds-effective`` check: the metadata options instances of a resource really get.

``with: {check: v1-allowed | hop-limit-too-high, max_hop_limit: N}`` — the effective metadata
options (own, launch template, account default, platform default; see ``linter.graph.imds``)
allow IMDSv1 / a hop limit above the allowed maximum (``max_hop_limit``, raised per resource by
the configuration's ``hop-limit-exceptions``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linter.checks.context import RuleContext, details_schema
from linter.graph.identity import launched_by_text
from linter.graph.imds import EffectiveImds, Setting, allowed_hop_limit, effective_imds
from linter.model import Outcome, Related, Unknown

V1_ALLOWED, HOP_TOO_HIGH = "v1-allowed", "hop-limit-too-high"

MAX_HOP_LIMIT: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": 64}
IMDS_SCHEMA: dict[str, Any] = {
    **details_schema("tokens", "hop_limit", "endpoint", "source", "launched_by", "max",
                     "max_reason", "context",
                     check={"enum": [V1_ALLOWED, HOP_TOO_HIGH]}, max_hop_limit=MAX_HOP_LIMIT),
    "required": ["check"],
}
NO_ARGS: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": {}}


def _details_schema(*names: str) -> dict[str, Any]:
    return {**NO_ARGS, "x-details": list(names)}


# ------------------------------------------------------------------------ imds-effective


def _setting_related(ctx: RuleContext, setting: Setting, what: str) -> tuple[Related, ...]:
    if setting.source == "own" or setting.span is None:
        return ()
    return (Related(setting.span, f"{what} {setting.describe()}", setting.address),)


def _v1_verdict(imds: EffectiveImds) -> tuple[str, list[Unknown]]:
    endpoint, tokens = imds.endpoint.value, imds.tokens.value
    if endpoint == "disabled" or tokens == "required":
        return "false", []
    unknowns = list(dict.fromkeys(u for u in (imds.endpoint.unknown, imds.tokens.unknown)
                                  if u is not None))
    return ("unknown", unknowns) if unknowns else ("true", [])


def _hop_verdict(imds: EffectiveImds, maximum: int) -> tuple[str, list[Unknown]]:
    endpoint, hops = imds.endpoint.value, imds.hop_limit.value
    if endpoint == "disabled":
        return "false", []
    if isinstance(hops, Unknown):
        return "unknown", [hops]
    if not isinstance(hops, int) or isinstance(hops, bool):
        return "false", []  # not a number: a schema problem, not ours to judge
    if hops <= maximum:
        return "false", []
    if imds.endpoint.unknown is not None:
        return "unknown", [imds.endpoint.unknown]
    return "true", []


def imds_check(ctx: RuleContext, imds: EffectiveImds, check: str, max_hop_limit: int
               ) -> tuple[str, list[Unknown], int, str]:
    """The verdict of one IMDS check on an effective posture, with the allowed maximum."""
    maximum, reason = allowed_hop_limit(ctx.graph, ctx.resource, max_hop_limit,
                                        ctx.options.hop_limit_exceptions)
    if check == V1_ALLOWED:
        return (*_v1_verdict(imds), maximum, reason)
    return (*_hop_verdict(imds, maximum), maximum, reason)


def imds_effective(ctx: RuleContext, args: Mapping[str, Any]) -> Outcome:
    check = str(args["check"])
    imds = effective_imds(ctx.graph, ctx.resource, ctx.options)
    if not imds.judged:
        return Outcome.false()
    verdict, unknowns, maximum, reason = imds_check(ctx, imds, check,
                                                    int(args.get("max_hop_limit", 1)))
    decisive = imds.tokens if check == V1_ALLOWED else imds.hop_limit
    launched_by, launcher_related = launched_by_text(ctx.graph, ctx.resource)
    source = f"; {decisive.origin()}" if decisive.source != "own" else ""
    details = {
        "tokens": imds.tokens.describe(), "hop_limit": imds.hop_limit.describe(),
        "endpoint": imds.endpoint.describe(), "source": source, "launched_by": launched_by,
        "max": maximum, "max_reason": reason,
        "context": f"{source}{launched_by}",
    }
    paths = (decisive.path,) if decisive.source == "own" and decisive.path else ()
    related = (*_setting_related(ctx, decisive, "inherits"), *launcher_related)
    if verdict == "true":
        return Outcome.true(paths=paths, details=details, related=related)
    if verdict == "unknown":
        return Outcome.unknown(*unknowns, paths=paths, details=details, related=related)
    return Outcome.false(details=details)
