"""Predicates about a change: the current graph compared with the base revision's (``Graph.base``,
set by ``iaclint check --diff-base REF``). Without a base graph they are FALSE.

* ``diff-profile-role-changed`` — on an instance profile that instances, launch templates or
  launch configurations use: its role was swapped for another, removed, or deleted while the
  profile stays. Running instances keep serving the old role's credentials from IMDS until they
  expire (up to six hours; about 54 minutes observed for a swap; a reboot does not refresh them).

Roles are compared by their name when the template or configuration states it (the name is what
the instance profile holds in AWS), else by their address.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from linter.checks.context import RuleContext
from linter.graph.graph import Graph
from linter.graph.identity import PROFILE_TYPES, roles_of
from linter.graph.resolve import Resolution, Status, names_of
from linter.model import Outcome, Related, Resource, Unknown
from linter.records import record

PROFILE_ROLE_CHANGED = "diff-profile-role-changed"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {},
    "x-details": ["change", "old_role", "old_role_name", "new_role", "users"],
}

SWAPPED, REMOVED, DELETED = "swapped", "removed", "deleted"


@record
class RoleChange:
    kind: str  # swapped | removed | deleted
    old: tuple[str, ...]  # role keys of the base revision that instances may still serve
    new: tuple[str, ...] = ()  # role keys now (swapped)

    def describe(self) -> str:
        old = ", ".join(self.old)
        if self.kind == SWAPPED:
            return f"swaps its role {old} for {', '.join(self.new) or 'another role'}"
        if self.kind == REMOVED:
            return f"no longer holds role {old}"
        return f"still names role {old}, which is deleted"


def role_key(role: Resource) -> str:
    names = names_of(role)
    return names[0] if names else role.address


def _keys(resolution: Resolution) -> tuple[str, ...]:
    if resolution.found:
        return tuple(sorted({role_key(r) for r in resolution.targets}))
    if resolution.status is Status.EXTERNAL:
        return tuple(sorted(_literals(resolution.value)))
    return ()


def _literals(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    return set()


def _expression(value: object) -> object:
    """A value comparable across revisions (Unknowns by their expression text)."""
    if isinstance(value, Unknown):
        return ("unknown", value.expression)
    if isinstance(value, list):
        return tuple(_expression(v) for v in value)
    return value


def compare_roles(base: Graph, old_profile: Resource, graph: Graph,
                  profile: Resource) -> RoleChange | Unknown | None:
    """How the profile's role changed between the revisions (None: it did not)."""
    before = roles_of(base, old_profile)
    after = roles_of(graph, profile)
    old_keys = _keys(before)
    if not old_keys:  # no role before (or one that cannot be known): nothing stale to serve
        return None
    if after.status is Status.ABSENT:
        return RoleChange(REMOVED, old_keys)
    new_keys = _keys(after)
    if after.status is Status.UNKNOWN:
        if _expression(before.value) == _expression(after.value):
            return None
        assert after.unknown is not None
        return after.unknown
    gone = before.found and all(r.address not in graph.resources for r in before.targets)
    if after.status is Status.DANGLING or (
        gone and not after.found and set(new_keys) <= set(old_keys)
    ):
        return RoleChange(DELETED, old_keys)
    if set(new_keys) == set(old_keys):
        return None
    stale = tuple(k for k in old_keys if k not in new_keys)
    if not stale:  # a role was added beside the old one: no credentials went stale
        return None
    return RoleChange(SWAPPED, stale, new_keys)


def _users(graph: Graph, profile: Resource) -> list[Resource]:
    found = {r.address: r for r in graph.sources(profile.address, "instance_profile")}
    return [found[a] for a in sorted(found)]


def profile_role_changed(ctx: RuleContext, args: Mapping[str, Any]) -> Outcome:
    graph, profile = ctx.graph, ctx.resource
    base = graph.base
    if base is None or profile.type not in PROFILE_TYPES:
        return Outcome.false()
    old_profile = base.resources.get(profile.address)
    if old_profile is None or old_profile.type != profile.type:
        return Outcome.false()  # a new profile: no instance has served its credentials yet
    users = _users(graph, profile)
    if not users:
        return Outcome.false()
    change = compare_roles(base, old_profile, graph, profile)
    if change is None:
        return Outcome.false()
    if isinstance(change, Unknown):
        return Outcome.unknown(change)
    path = roles_of(graph, profile).path or _role_path(profile)
    related = _related(graph, users, change)
    return Outcome.true(
        paths=(path,) if path and profile.spans.get(path) else (),
        related=related,
        details={
            "change": change.describe(),
            "old_role": ", ".join(change.old),
            "old_role_name": change.old[0],
            "new_role": ", ".join(change.new),
            "users": ", ".join(u.address for u in users),
        },
    )


def _role_path(profile: Resource) -> tuple[str, ...]:
    return ("role",) if profile.type == "aws_iam_instance_profile" else ("Properties", "Roles")


def _related(graph: Graph, users: Sequence[Resource], change: RoleChange) -> tuple[Related, ...]:
    out: list[Related] = []
    for user in users:
        path = next((e.path for e in graph.out_edges(user.address, "instance_profile")), ())
        out.append(Related(user.span_at(path),
                           f"{user.address} uses this instance profile; its running instances "
                           f"keep the credentials of {', '.join(change.old)}", user.address))
    for role in graph.of_type("aws_iam_role", "AWS::IAM::Role"):
        if change.kind == SWAPPED and role_key(role) in change.old:
            out.append(Related(role.header, f"the old role {role_key(role)}", role.address))
    return tuple(out)
