"""The combinations: IMDS exposure and a powerful role, and the gatekeeper role chain.

* ``toxic_imds_admin`` (IAC0501): a workload whose effective metadata options allow IMDSv1 or a
  hop limit above the allowed maximum, and whose role is admin or can escalate — directly, or
  through a role it may assume whose trust policy admits it. SSRF → 169.254.169.254 → role
  credentials → account. Every hop is a related location. When the user data limits the
  metadata service to one OS user (``linter.graph.userdata``), the finding says so and asks for
  severity ``warning`` (``details["severity"]``).
* ``role_chain_admin`` (IAC0502): an instance role that may assume an admin-capable role whose
  trust policy admits it — named, or matched by a pattern (``role/deploy-*``, ``role/*``,
  ``*``, also inside an ARN built from the account id); a pattern that matches no admin role
  passes (``linter.graph.permissions.assumable_roles``). A correct gatekeeper passes: the
  instance role's statement names the target role itself (no wildcard) and the target trusts
  exactly that role (conditions such as ``sts:ExternalId`` / ``aws:PrincipalArn`` allowed).
  ``gatekeepers:`` in the configuration (instance role → roles it may assume) makes every other
  assumable role a finding.
* ``imds_not_restricted`` (opt-in IAC0503): an admin-capable workload whose user data does not
  restrict the metadata service to one OS user.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from linter.checks.context import RuleContext, details_schema
from linter.checks.imds import MAX_HOP_LIMIT
from linter.graph.graph import Graph
from linter.graph.identity import (
    RoleChain,
    instance_roles,
    launched_by_text,
    workload_roles,
)
from linter.graph.imds import EffectiveImds, allowed_hop_limit, effective_imds
from linter.graph.permissions import (
    AssumeHop,
    assumable_roles,
    power,
    role_matches,
    role_permissions,
    unknowns_of,
)
from linter.graph.policies import trust_policy_of
from linter.graph.resolve import names_of
from linter.graph.userdata import restriction_of
from linter.iam.analysis import Hit
from linter.model import Outcome, Related, Resource, Tri, Unknown
from linter.options import ScanOptions
from linter.records import record

METADATA = "169.254.169.254"
TOXIC_SCHEMA = details_schema(
    "exposure", "power", "chain", "mitigation", "note", "severity", "launched_by",
    max_hop_limit=MAX_HOP_LIMIT)
CHAIN_SCHEMA = details_schema("targets", "chain", "reasons", gatekeepers={
    "description": "instance role (address, name or ARN pattern) → the roles it may assume",
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}}})
RESTRICTION_SCHEMA = details_schema("power", "chain")


@record
class Power:
    """How a workload's credentials reach admin: the chain, and the evidence statements."""

    chain: RoleChain
    role: Resource  # the admin-capable role (chain.role, or the role assumed)
    what: str  # "administrator" | "able to escalate to administrator"
    hits: tuple[Hit, ...]
    hop: AssumeHop | None = None

    def related(self) -> list[Related]:
        out = [Related(r.span_at(path), f"{r.address} {text}", r.address)
               for r, path, text in self.chain.hops()]
        if self.hop is not None:
            out.append(Related(self.hop.grant_span, f"{self.chain.role.address} may call "
                               f"sts:AssumeRole on {self.hop.target.address}",
                               self.hop.grant.address))
            out.append(Related(self.hop.trust_span, f"{self.hop.target.address} trusts "
                               f"{self.hop.admitted_as}", self.hop.target.address))
        for hit in self.hits[:3]:
            label = hit.document.label if hit.document is not None else "policy"
            out.append(Related(hit.spans[0], f"{label} of {self.role.address}: {hit.why}",
                               hit.statement.address))
        return out

    def text(self) -> str:
        steps = [self.chain.workload.address]
        if self.chain.link is not None and self.chain.link.via is not None:
            steps.append(self.chain.link.holder.address)
        if self.chain.profile is not None:
            steps.append(f"instance profile {self.chain.profile.address}")
        steps.append(f"role {self.chain.role.address}")
        if self.hop is not None:
            steps.append(f"sts:AssumeRole {self.hop.target.address}")
        first = self.hits[0] if self.hits else None
        if first is not None:
            steps.append(first.subject or first.why)
        return " → ".join(steps)


def _powers(graph: Graph, workload: Resource) -> tuple[list[Power], list[Unknown]]:
    chains, unknowns = workload_roles(graph, workload)
    found: list[Power] = []
    for chain in chains:
        perms = role_permissions(graph, chain.role)
        verdict, what, hits = power(perms)
        if verdict is Tri.TRUE:
            found.append(Power(chain, chain.role, what, hits))
            continue
        if verdict is Tri.UNKNOWN:
            unknowns.extend(unknowns_of(perms))
        for hop in assumable_roles(graph, chain.role, perms):
            target = role_permissions(graph, hop.target)
            verdict, what, hits = power(target)
            if verdict is Tri.TRUE:
                found.append(Power(chain, hop.target, what, hits, hop))
            elif verdict is Tri.UNKNOWN:
                unknowns.extend(unknowns_of(target))
    return found, unknowns


def _exposure(graph: Graph, workload: Resource, imds: EffectiveImds, options: ScanOptions,
              max_hop_limit: int) -> tuple[Tri, str, list[Unknown]]:
    if imds.endpoint.value == "disabled":
        return Tri.FALSE, "", []
    unknowns = [u for u in (imds.endpoint.unknown,) if u is not None]
    tokens, hops = imds.tokens.value, imds.hop_limit.value
    maximum, _ = allowed_hop_limit(graph, workload, max_hop_limit, options.hop_limit_exceptions)
    if tokens != "required" and not isinstance(tokens, Unknown):
        return (Tri.UNKNOWN if unknowns else Tri.TRUE,
                f"allows IMDSv1 (http tokens {imds.tokens.describe()})", unknowns)
    if isinstance(hops, int) and not isinstance(hops, bool) and hops > maximum:
        return (Tri.UNKNOWN if unknowns else Tri.TRUE,
                f"lets metadata responses travel {hops} network hops (more than {maximum}, "
                "so containers and forwarded requests reach the credentials)", unknowns)
    for value in (tokens, hops):
        if isinstance(value, Unknown):
            unknowns.append(value)
    return (Tri.UNKNOWN if unknowns else Tri.FALSE), "", unknowns


def _name_note(power_: Power) -> str:
    profile = power_.chain.profile
    if profile is None:
        return ""
    profile_names, role_names = names_of(profile), names_of(power_.chain.role)
    if profile_names and role_names and profile_names[0] != role_names[0]:
        return (f" Note: the instance profile is named {profile_names[0]!r} and its role "
                f"{role_names[0]!r}.")
    return ""


def toxic_imds_admin(ctx: RuleContext, args: Mapping[str, Any]) -> Outcome:
    workload = ctx.resource
    imds = effective_imds(ctx.graph, workload, ctx.options)
    if not imds.judged:
        return Outcome.false()
    exposure, exposure_text, exposure_unknowns = _exposure(
        ctx.graph, workload, imds, ctx.options, int(args.get("max_hop_limit", 1)))
    if exposure is Tri.FALSE:
        return Outcome.false()
    powers, power_unknowns = _powers(ctx.graph, workload)
    if not powers:
        unknowns = tuple(dict.fromkeys([*exposure_unknowns, *power_unknowns]))
        return Outcome.unknown(*unknowns) if unknowns else Outcome.false()
    if exposure is Tri.UNKNOWN:
        return Outcome.unknown(*exposure_unknowns)
    first = powers[0]
    launched_by, launcher_related = launched_by_text(ctx.graph, ctx.resource)
    related: list[Related] = list(launcher_related)
    setting = imds.tokens if "IMDSv1" in exposure_text else imds.hop_limit
    if setting.source != "own" and setting.span is not None:
        related.append(Related(setting.span, f"metadata option {setting.describe()}",
                               setting.address))
    for found in powers:
        related.extend(found.related())
    details: dict[str, Any] = {
        "exposure": exposure_text,
        "power": f"role {first.role.address} is {first.what}"
                 + (f" (assumed from {first.chain.role.address})" if first.hop else ""),
        "launched_by": f" (launched by {launched_by[len('; launched by '):]})"
                       if launched_by else "",
        "chain": "; ".join(dict.fromkeys(p.text() for p in powers)),
        "mitigation": "",
        "note": _name_note(first),
    }
    restriction = restriction_of(ctx.graph, workload)
    if restriction is not None:
        details["mitigation"] = (f" Mitigated: the {restriction.describe()}, so only that "
                                 "user's processes can reach the credentials; reported as a "
                                 "warning.")
        details["severity"] = "warning"
        related.append(Related(restriction.user_data.resource.span_at(restriction.user_data.path),
                               f"firewall rule: {restriction.line}",
                               restriction.user_data.resource.address))
    paths = (setting.path,) if setting.source == "own" and setting.path else ()
    return Outcome.true(paths=paths, details=details, related=tuple(dict.fromkeys(related)))


# ------------------------------------------------------------------ role-chain-admin


def _instance_role_addresses(graph: Graph) -> frozenset[str]:
    """``instance_roles`` as a set of addresses, once per graph (asked for every role)."""
    found: frozenset[str] | None = graph.memo.get(("instance_role_addresses", ""))
    if found is None:
        found = graph.memo[("instance_role_addresses", "")] = frozenset(
            r.address for r in instance_roles(graph))
    return found


def _is_instance_role(graph: Graph, role: Resource) -> bool:
    if role.address in _instance_role_addresses(graph):
        return True
    trust = trust_policy_of(role, graph)
    return trust is not None and any(
        s.allows and any(p.kind == "Service" and p.value.lower().startswith("ec2.amazonaws.com")
                         for p in s.principals or ()) for s in trust.statements)


def _allowed_targets(role: Resource, gatekeepers: Mapping[str, Sequence[str]]
                     ) -> tuple[str, ...] | None:
    for pattern, targets in gatekeepers.items():
        if role_matches(role, pattern):
            return tuple(targets)
    return None


def role_chain_admin(ctx: RuleContext, args: Mapping[str, Any]) -> Outcome:
    role = ctx.resource
    if not _is_instance_role(ctx.graph, role):
        return Outcome.false()
    perms = role_permissions(ctx.graph, role)
    allowed = _allowed_targets(role, args.get("gatekeepers") or {})
    problems: list[tuple[AssumeHop, str, tuple[Hit, ...]]] = []
    unknowns: list[Unknown] = []
    for hop in assumable_roles(ctx.graph, role, perms):
        listed = allowed is not None and any(role_matches(hop.target, p) for p in allowed)
        if allowed is not None and not listed:
            problems.append((hop, "not in the gatekeepers allow-list for this role", ()))
            continue
        verdict, what, hits = power(role_permissions(ctx.graph, hop.target))
        if verdict is Tri.UNKNOWN:
            unknowns.extend(unknowns_of(role_permissions(ctx.graph, hop.target)))
            continue
        if verdict is not Tri.TRUE:
            continue
        reasons = []
        if not hop.exact_resource:
            reasons.append("the sts:AssumeRole statement uses a wildcard instead of naming "
                           "the role")
        if hop.admitted_as != "the role itself":
            reasons.append(f"its trust policy admits {hop.admitted_as}, not only this role")
        if reasons:
            problems.append((hop, f"{what}; " + " and ".join(reasons), hits))
    if not problems:
        return Outcome.unknown(*unknowns) if unknowns else Outcome.false()
    related: list[Related] = []
    for hop, _, hits in problems:
        related.append(Related(hop.grant_span, f"{role.address} may call sts:AssumeRole on "
                               f"{hop.target.address}", hop.grant.address))
        related.append(Related(hop.trust_span, f"{hop.target.address} trusts "
                               f"{hop.admitted_as}", hop.target.address))
        for hit in hits[:2]:
            related.append(Related(hit.spans[0], f"{hop.target.address}: {hit.why}",
                                   hit.statement.address))
    details = {
        "targets": ", ".join(dict.fromkeys(h.target.address for h, _, _ in problems)),
        "chain": "; ".join(f"{role.address} → sts:AssumeRole → {h.target.address}"
                           for h, _, _ in problems),
        "reasons": "; ".join(f"{h.target.address}: {why}" for h, why, _ in problems),
    }
    own = [h.grant_node for h, _, _ in problems if h.grant.address == role.address]
    return Outcome.true(paths=tuple(own[:1]), spans=(problems[0][0].grant_span,),
                        details=details, related=tuple(dict.fromkeys(related)))


# -------------------------------------------------------------- imds-not-restricted


def imds_not_restricted(ctx: RuleContext, args: Mapping[str, Any]) -> Outcome:
    workload = ctx.resource
    imds = effective_imds(ctx.graph, workload, ctx.options)
    if not imds.judged or imds.endpoint.value == "disabled":
        return Outcome.false()
    powers, unknowns = _powers(ctx.graph, workload)
    if not powers:
        return Outcome.unknown(*unknowns) if unknowns else Outcome.false()
    if restriction_of(ctx.graph, workload) is not None:
        return Outcome.false()
    related = tuple(dict.fromkeys(r for p in powers for r in p.related()))
    return Outcome.true(details={"power": f"role {powers[0].role.address}, which is "
                                          f"{powers[0].what}",
                                 "chain": powers[0].text()}, related=related)
