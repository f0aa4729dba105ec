"""Identity checks: does a workload get an instance profile, does a profile hold a role.

* ``instance-without-profile`` — an instance, launch template or launch configuration whose
  instances get no IAM instance profile (templates launched only by EKS node groups excepted).
* ``profile-without-role`` — an instance profile without a role, or whose role resolves to
  nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linter.checks.context import RuleContext, details_schema
from linter.graph.identity import (
    launched_by_text,
    launched_only_by_eks,
    maybe_only_eks,
    profile_of,
    profile_paths,
    roles_of,
)
from linter.graph.launch import TEMPLATE_TYPES
from linter.graph.resolve import Resolution, Status, match_literal, names_of
from linter.model import Outcome, Related, Resource

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
    eks_maybe = maybe_only_eks(ctx.graph, resource) if resource.type in TEMPLATE_TYPES else None
    if found.status is Status.ABSENT and eks_maybe is not None:
        # used by an EKS node group (which attaches the node role) if its launch template
        # block exists, otherwise by nothing: which one is not known
        return Outcome.unknown(eks_maybe)
    if found.status is Status.ABSENT:
        via = f", nor does its launch template {link.holder.address}" if link.via else ""
        details = {"reason": f"sets no IAM instance profile{via}", "launched_by": launched_by}
        if link.via is not None:
            related = (Related(link.holder.header, "the launch template sets no instance "
                               "profile either", link.holder.address), *related)
        # a profile written as null (or left out by an argument: a module that is told not
        # to create one) is reported where it is written
        written = next((p for p in profile_paths(resource) if p in resource.spans), None)
        paths = (written,) if written is not None and link.via is None else ()
        return Outcome.true(paths=paths, details=details, related=related)
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


INSTANCE_SCHEMA = details_schema("reason", "launched_by")
PROFILE_SCHEMA = details_schema("reason", "note")
