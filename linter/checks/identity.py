"""Graph predicates of the rule language: verdicts about what a resource is connected to.

Registered in ``linter.checks.table.PREDICATES`` through ``TABLE`` (name → function,
schema). Each schema lists the message placeholders it fills under ``x-details``.

* ``imds-effective`` — ``with: {check: v1-allowed | hop-limit-too-high}``: the effective
  metadata options (own, launch template, account default, platform default; see
  ``linter.graph.imds``) allow IMDSv1 / a hop limit above the allowed maximum.
* ``instance-without-profile`` — an instance, launch template or launch configuration whose
  instances get no IAM instance profile (templates launched only by EKS node groups excepted).
* ``profile-without-role`` — an instance profile without a role, or whose role resolves to
  nothing.
* ``toxic-imds-admin`` and ``role-chain-admin`` — see ``linter.checks.toxic``.
* ``imds-not-restricted`` — an admin-capable workload whose user data does not restrict the
  metadata service to one OS user (see ``linter.graph.userdata``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from linter.checks import toxic
from linter.checks.context import RuleContext
from linter.graph.identity import (
    launched_by_text,
    launched_only_by_eks,
    profile_of,
    roles_of,
)
from linter.graph.imds import (
    ENDPOINT,
    HOP_LIMIT,
    TOKENS,
    EffectiveImds,
    Setting,
    allowed_hop_limit,
    effective_imds,
)
from linter.graph.launch import TEMPLATE_TYPES
from linter.graph.resolve import Resolution, Status, match_literal, names_of
from linter.model import Outcome, Related, Resource, Unknown

PredicateFn = Callable[[RuleContext, Mapping[str, Any]], Outcome]

V1_ALLOWED, HOP_TOO_HIGH = "v1-allowed", "hop-limit-too-high"

MAX_HOP_LIMIT: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": 64}
IMDS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["check"],
    "properties": {"check": {"enum": [V1_ALLOWED, HOP_TOO_HIGH]},
                   "max_hop_limit": MAX_HOP_LIMIT},
    "x-details": ["tokens", "hop_limit", "endpoint", "source", "launched_by", "max",
                  "max_reason", "context"],
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
    unknowns = [u for u in (imds.endpoint.unknown, imds.tokens.unknown) if u is not None]
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


# ------------------------------------------------------------- instance-without-profile


def instance_without_profile(ctx: RuleContext, args: Mapping[str, Any]) -> Outcome:
    resource = ctx.resource
    if resource.type in TEMPLATE_TYPES and launched_only_by_eks(ctx.graph, resource):
        return Outcome.false()  # EKS managed node groups attach the node role themselves
    link = profile_of(ctx.graph, resource)
    if link is None:
        return Outcome.false()
    found = link.resolution
    launched_by, related = launched_by_text(ctx.graph, ctx.resource)
    if found.status is Status.ABSENT:
        via = f", nor does its launch template {link.holder.address}" if link.via else ""
        details = {"reason": f"sets no IAM instance profile{via}", "launched_by": launched_by}
        if link.via is not None:
            related = (Related(link.holder.header, "the launch template sets no instance "
                               "profile either", link.holder.address), *related)
        return Outcome.true(details=details, related=related)
    if found.status is Status.DANGLING:
        missing = ", ".join(found.missing)
        unit = "template" if resource.type.startswith("AWS::") else "configuration"
        details = {"reason": f"names instance profile {missing}, which is not declared in "
                             f"this {unit}", "launched_by": launched_by}
        paths = (found.path,) if link.holder is resource else ()
        return Outcome.true(paths=paths, details=details, related=related)
    if found.status is Status.UNKNOWN and found.unknown is not None:
        return Outcome.unknown(found.unknown)
    return Outcome.false()


# ----------------------------------------------------------------- profile-without-role


def _name_note(profile: Resource, role_value: object, roles: Resolution) -> str:
    names = names_of(profile)
    profile_name = names[0] if names else ""
    role_names = [n for r in roles.targets for n in names_of(r)]
    if isinstance(role_value, str):
        role_names.append(role_value)
    differing = [n for n in role_names if profile_name and n != profile_name]
    if not differing:
        return ""
    return (f" (note: the profile is named {profile_name!r} and the role {differing[0]!r}: "
            "EC2 takes the profile's name, IAM policies and the console show the role's)")


def profile_without_role(ctx: RuleContext, args: Mapping[str, Any]) -> Outcome:
    profile = ctx.resource
    roles = roles_of(ctx.graph, profile)
    if roles.status is Status.ABSENT:
        paths = (roles.path,) if roles.value is not None else ()
        return Outcome.true(paths=paths, details={"reason": "holds no role", "note": ""})
    if roles.status is Status.DANGLING:
        return Outcome.true(paths=(roles.path,), details={
            "reason": f"names role {', '.join(roles.missing)}, which is not declared", "note": ""})
    if roles.status is Status.EXTERNAL and isinstance(roles.value, str):
        # a role name given by hand that is the name of an instance profile of this scan and of
        # no role: the classic mix-up of the two names
        same_name = match_literal(ctx.graph, roles.value, ("aws_iam_instance_profile",
                                                           "AWS::IAM::InstanceProfile"))
        role_named = match_literal(ctx.graph, roles.value, ("aws_iam_role", "AWS::IAM::Role"))
        if same_name and not role_named and ctx.graph.of_type("aws_iam_role", "AWS::IAM::Role"):
            return Outcome.true(paths=(roles.path,), details={
                "reason": f"names role {roles.value!r}, but that is the name of instance "
                          f"profile {same_name[0].address}, and no role of that name exists "
                          "in this configuration",
                "note": " (an instance profile's name is not its role's name)"})
    if roles.status is Status.UNKNOWN and roles.unknown is not None:
        return Outcome.unknown(roles.unknown)
    return Outcome.false(details={"note": _name_note(profile, roles.value, roles)})


TABLE: dict[str, tuple[PredicateFn, dict[str, Any]]] = {
    "imds-effective": (imds_effective, IMDS_SCHEMA),
    "instance-without-profile": (instance_without_profile,
                                 _details_schema("reason", "launched_by")),
    "profile-without-role": (profile_without_role, _details_schema("reason", "note")),
    "toxic-imds-admin": (toxic.toxic_imds_admin, toxic.TOXIC_SCHEMA),
    "role-chain-admin": (toxic.role_chain_admin, toxic.CHAIN_SCHEMA),
    "imds-not-restricted": (toxic.imds_not_restricted, toxic.RESTRICTION_SCHEMA),
}

__all__ = ["ENDPOINT", "HOP_LIMIT", "TABLE", "TOKENS"]
