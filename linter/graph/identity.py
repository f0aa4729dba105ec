"""The instance identity graph: what a workload launches from and which credentials it gets.

``derive(graph)`` adds derived edges to a built graph. The pipeline calls it once, right after
``build``; everything after (checks, reports) reads a derived graph:

==============================  ==================================================================
kind                            from → to
==============================  ==================================================================
``launch_template``             instance / Auto Scaling group / EKS node group / fleet → template
``possible_launch_template``    the same through a block that may not exist (a dynamic block whose
                                ``for_each`` is unknown): never counted as a launcher
``launch_configuration``        Auto Scaling group → launch configuration
``instance_profile``            instance / template / launch configuration / fleet → profile
``role``                        instance profile → role; EKS node group → node role
``policy``                      role → another resource holding or attaching a policy that reaches
                                it (``path``: the document's or the managed policy ARN's path there;
                                ``attribute``: the IAM model's label of the document)
==============================  ==================================================================

Query functions (plain, over the graph): ``launchers``, ``profile_of``, ``roles_of``,
``workload_roles``, ``policy_documents``. Effective metadata options are in
``linter.graph.imds``; effective permissions in ``linter.graph.permissions``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from linter.graph.graph import Graph
from linter.graph.launch import (
    CONFIGURATION_TYPES,
    EKS_NODE_GROUP_TYPES,
    GROUP_TYPES,
    INSTANCE_TYPES,
    TEMPLATE_TYPES,
    LaunchSpec,
    expand,
    launch_specs,
    template_of,
    unknown_blocks,
    unknown_resolution,
)
from linter.graph.policies import policies_of
from linter.graph.resolve import Resolution, Status, lookup, resolve_ref
from linter.iam.policy import PolicyDocument
from linter.model import Edge, Path, Related, Resource, Unknown
from linter.records import record

POSSIBLE_LAUNCH_TEMPLATE = "possible_launch_template"
PROFILE_TYPES = ("aws_iam_instance_profile", "AWS::IAM::InstanceProfile")
ROLE_TYPES = ("aws_iam_role", "AWS::IAM::Role")
# everything whose instances get credentials from an instance profile or a node role
WORKLOAD_TYPES = (*INSTANCE_TYPES, *TEMPLATE_TYPES, *CONFIGURATION_TYPES, *GROUP_TYPES)

# where each type names its instance profile ("*" = every list element)
_PROFILE_PATHS: dict[str, tuple[Path, ...]] = {
    "aws_instance": (("iam_instance_profile",),),
    "aws_launch_template": (("iam_instance_profile", "*", "arn"),
                            ("iam_instance_profile", "*", "name")),
    "aws_launch_configuration": (("iam_instance_profile",),),
    "aws_spot_fleet_request": (("launch_specification", "*", "iam_instance_profile_arn"),
                               ("launch_specification", "*", "iam_instance_profile")),
    "AWS::EC2::Instance": (("Properties", "IamInstanceProfile"),),
    "AWS::EC2::LaunchTemplate": (
        ("Properties", "LaunchTemplateData", "IamInstanceProfile", "Arn"),
        ("Properties", "LaunchTemplateData", "IamInstanceProfile", "Name")),
    "AWS::AutoScaling::LaunchConfiguration": (("Properties", "IamInstanceProfile"),),
    "AWS::EC2::SpotFleet": (
        ("Properties", "SpotFleetRequestConfigData", "LaunchSpecifications", "*",
         "IamInstanceProfile", "Arn"),),
}
_NODE_ROLE_PATHS: dict[str, Path] = {
    "aws_eks_node_group": ("node_role_arn",),
    "AWS::EKS::Nodegroup": ("Properties", "NodeRole"),
}
_PROFILE_ROLE_PATHS: dict[str, Path] = {
    "aws_iam_instance_profile": ("role",),
    "AWS::IAM::InstanceProfile": ("Properties", "Roles"),
}


# ----------------------------------------------------------------------------- launchers


def launchers(graph: Graph, template: Resource) -> list[Resource]:
    """Every scanned resource that launches instances from ``template`` (a launch template or
    launch configuration), in address order; once the identity edges it reads are derived,
    computed once per graph and template (the metadata and profile checks each ask)."""
    if not graph.derived:
        return _launchers(graph, template)
    return list(graph.remembered("launchers", template, lambda: _launchers(graph, template)))


def _launchers(graph: Graph, template: Resource) -> list[Resource]:
    seen = {r.address: r for kind in ("launch_template", "launch_configuration")
            for r in graph.sources(template.address, kind)}
    return [seen[a] for a in sorted(seen)]


def launched_only_by_eks(graph: Graph, template: Resource) -> bool:
    """A template every launcher of which is an EKS managed node group (EKS adds the profile)."""
    found = launchers(graph, template)
    return bool(found) and all(r.type in EKS_NODE_GROUP_TYPES for r in found)


def possible_launchers(graph: Graph, template: Resource) -> list[Resource]:
    """Resources that launch from ``template`` if a block whose existence is unknown exists
    (a ``dynamic "launch_template"`` with an unknown ``for_each``), in address order."""
    seen = {r.address: r for r in graph.sources(template.address, POSSIBLE_LAUNCH_TEMPLATE)}
    return [seen[a] for a in sorted(seen)]


def maybe_only_eks(graph: Graph, template: Resource) -> Unknown | None:
    """Why it is unknown whether ``template`` is used only by EKS managed node groups: it
    has no definite launcher, and every possible one is a node group whose launch template
    block may not exist. None when that is not the situation."""
    if launchers(graph, template):
        return None
    possible = possible_launchers(graph, template)
    if not possible or any(r.type not in EKS_NODE_GROUP_TYPES for r in possible):
        return None
    for group in possible:
        for spec in launch_specs(graph, group):
            if spec.maybe and spec.target.unknown is not None and template.address in (
                    r.address for r in spec.target.candidates):
                return spec.target.unknown
    return None


def launched_by_text(graph: Graph, template: Resource) -> tuple[str, tuple[Related, ...]]:
    """"; launched by X, Y" for a template or launch configuration with launchers, and a
    related location at each launcher's specification ("" and () otherwise)."""
    if template.type not in (*TEMPLATE_TYPES, *CONFIGURATION_TYPES):
        return "", ()
    groups = launchers(graph, template)
    if not groups:
        return "", ()
    related = []
    for group in groups:
        path = next((e.path for e in graph.out_edges(group.address)
                     if e.target == template.address
                     and e.kind in ("launch_template", "launch_configuration")), ())
        related.append(Related(group.span_at(path), f"{group.address} launches instances from "
                               f"{template.address}", group.address))
    return "; launched by " + addresses(groups), tuple(related)


# ---------------------------------------------------------------------- instance profiles


@record
class ProfileLink:
    """How a workload gets its instance profile."""

    resolution: Resolution  # ABSENT: none anywhere; FOUND: the profile(s); …
    holder: Resource  # the resource that names the profile (the workload or its template)
    via: LaunchSpec | None = None  # set when inherited from the workload's launch template

    @property
    def status(self) -> Status:
        return self.resolution.status


def _own_profile(graph: Graph, resource: Resource) -> Resolution | None:
    """The profile ``resource`` names itself (None: the type cannot name one); computed once
    per graph and resource (deriving the identity edges and the profile checks ask). It
    reads resources and reference edges only, which deriving leaves as they are."""
    patterns = _PROFILE_PATHS.get(resource.type)
    if patterns is None:
        return None
    return graph.remembered("own_profile", resource,
                            lambda: _named_profile(graph, resource, patterns))


def _named_profile(graph: Graph, resource: Resource, patterns: Sequence[Path]) -> Resolution:
    fallback: Resolution | None = None
    for pattern in patterns:
        for path in expand(resource.attributes, pattern):
            found = resolve_ref(graph, resource, path, PROFILE_TYPES)
            if found.found:
                return found
            if found.status is not Status.ABSENT and fallback is None:
                fallback = found
    if fallback is None:
        # a profile block that may or may not exist (dynamic, unknown for_each) is unknown,
        # not absent
        for pattern in patterns:
            for path, unknown in unknown_blocks(resource.attributes, pattern):
                return unknown_resolution(graph, resource, path, unknown, PROFILE_TYPES)
    return fallback or Resolution(Status.ABSENT)


def profile_paths(resource: Resource) -> list[Path]:
    """Where ``resource`` would name its instance profile (the attribute or block)."""
    out: list[Path] = []
    for pattern in _PROFILE_PATHS.get(resource.type, ()):
        for cut, key in enumerate(pattern):
            if key == "*":
                break
            if isinstance(key, str) and "instanceprofile" in key.replace("_", "").lower():
                out.append(pattern[: cut + 1])
                break
    return list(dict.fromkeys(out))


def profile_of(graph: Graph, workload: Resource) -> ProfileLink | None:
    """The instance profile of an instance, template, launch configuration or Spot Fleet —
    an instance without its own inherits its launch template's. None for other types."""
    own = _own_profile(graph, workload)
    if own is None:
        return None
    if own.status is not Status.ABSENT or workload.type not in INSTANCE_TYPES:
        return ProfileLink(own, workload)
    spec = template_of(graph, workload)
    if spec is None:
        return ProfileLink(own, workload)
    if spec.target.found:
        template = spec.target.targets[0]
        inherited = _own_profile(graph, template) or Resolution(Status.ABSENT)
        return ProfileLink(inherited, template, spec)
    if spec.target.status is Status.UNKNOWN and spec.target.unknown is not None:
        unknown = spec.target.unknown  # which template, if any, is not known
    else:
        unknown = Unknown(
            _describe_value(spec.target.value),
            "the launch template is not in this scan, so its instance profile is unknown",
            spec.target.span,
            spec.target.unknown.refs if spec.target.unknown is not None else ())
    return ProfileLink(Resolution(Status.UNKNOWN, value=unknown, unknown=unknown), workload, spec)


def _describe_value(value: object) -> str:
    if isinstance(value, Unknown):
        return value.expression
    return repr(value)


def roles_of(graph: Graph, profile: Resource) -> Resolution:
    """The role(s) an instance profile holds."""
    path = _PROFILE_ROLE_PATHS.get(profile.type)
    if path is None:
        return Resolution(Status.ABSENT)
    return resolve_ref(graph, profile, path, ROLE_TYPES)


@record
class RoleChain:
    """workload → (template) → profile → role: every hop with its location."""

    workload: Resource
    role: Resource
    profile: Resource | None = None  # None for EKS node groups (node role)
    link: ProfileLink | None = None
    # the EKS managed node group that launches from the workload (a launch template) and
    # gives its instances the node role
    launcher: Resource | None = None

    def hops(self) -> list[tuple[Resource, Path, str]]:
        """(resource, attribute path, what it is) for each hop, in order."""
        out: list[tuple[Resource, Path, str]] = []
        if self.launcher is not None:
            spec: Path = (("Properties", "LaunchTemplate") if self.launcher.type.startswith("AWS::")
                          else ("launch_template",))
            out.append((self.launcher, spec, f"launches from {self.workload.address}"))
            out.append((self.launcher, _NODE_ROLE_PATHS.get(self.launcher.type, ()),
                        f"node role {self.role.address}"))
            return out
        if self.link is not None and self.link.via is not None:
            out.append((self.workload, self.link.via.path,
                        f"launches from {self.link.holder.address}"
                        f" ({self.link.via.describe() or 'default version'})"))
        if self.profile is not None and self.link is not None:
            out.append((self.link.holder, self.link.resolution.path,
                        f"uses instance profile {self.profile.address}"))
            out.append((self.profile, _PROFILE_ROLE_PATHS.get(self.profile.type, ()),
                        f"holds role {self.role.address}"))
        else:
            out.append((self.workload, _NODE_ROLE_PATHS.get(self.workload.type, ()),
                        f"node role {self.role.address}"))
        return out


def workload_roles(graph: Graph, workload: Resource) -> tuple[list[RoleChain], list[Unknown]]:
    """The roles whose credentials the instances of ``workload`` receive, with the chain that
    leads there, and the unknowns that hide further roles. A launch template that EKS managed
    node groups launch from gives its instances their node roles."""
    node_role = _NODE_ROLE_PATHS.get(workload.type)
    if node_role is not None:
        found = resolve_ref(graph, workload, node_role, ROLE_TYPES)
        return ([RoleChain(workload, role) for role in found.targets],
                [found.unknown] if found.unknown is not None else [])
    link = profile_of(graph, workload)
    if link is None:
        return [], []
    chains: list[RoleChain] = []
    unknowns: list[Unknown] = []
    if workload.type in TEMPLATE_TYPES:
        for group in launchers(graph, workload):
            path = _NODE_ROLE_PATHS.get(group.type)
            if path is None:
                continue
            found = resolve_ref(graph, group, path, ROLE_TYPES)
            if found.unknown is not None:
                unknowns.append(found.unknown)
            chains.extend(RoleChain(workload, role, launcher=group) for role in found.targets)
    if link.resolution.unknown is not None:
        unknowns.append(link.resolution.unknown)
    for profile in link.resolution.targets:
        roles = roles_of(graph, profile)
        if roles.unknown is not None:
            unknowns.append(roles.unknown)
        chains.extend(RoleChain(workload, role, profile, link) for role in roles.targets)
    return chains, unknowns


def instance_roles(graph: Graph) -> list[Resource]:
    """Roles reachable from a workload (through a profile or as an EKS node role)."""
    out: dict[str, Resource] = {}
    for profile in graph.of_type(*PROFILE_TYPES):
        for role in graph.targets(profile.address, "role"):
            out[role.address] = role
    for group in graph.of_type(*EKS_NODE_GROUP_TYPES):
        for role in graph.targets(group.address, "role"):
            out[role.address] = role
    return [out[a] for a in sorted(out)]


# ---------------------------------------------------------------------------- policies


def policy_documents(graph: Graph, role: Resource) -> list[PolicyDocument]:
    """Every identity policy reaching ``role`` (inline, attached customer managed, AWS managed
    by content), as the IAM model reads them (``linter.graph.policies.policies_of``)."""
    return policies_of(role, graph)


def _policy_edges(graph: Graph) -> Iterable[Edge]:
    for role in graph.of_type(*ROLE_TYPES):
        seen: set[tuple[str, Path]] = set()
        for doc in policies_of(role, graph):
            if doc.address == role.address or (doc.address, doc.path) in seen:
                continue
            seen.add((doc.address, doc.path))
            yield Edge(role.address, doc.address, "policy", doc.path, doc.span(), doc.label)


# ----------------------------------------------------------------------------- derive

def derive(graph: Graph) -> None:
    """Add the derived identity edges to ``graph`` (once: a derived graph is left as it is)."""
    if graph.derived:
        return
    for edge in list(_derived_edges(graph)):
        graph.add_edge(edge)
    graph.derived = True  # after the edges: views of derived edges are remembered from here


def _derived_edges(graph: Graph) -> Iterable[Edge]:
    for launcher in graph.of_type(*INSTANCE_TYPES, *GROUP_TYPES):
        for spec in launch_specs(graph, launcher):
            for target in spec.target.targets:
                yield Edge(launcher.address, target.address, spec.kind, spec.path,
                           launcher.span_at(spec.path), spec.version)
            for target in spec.target.candidates if spec.maybe else ():
                yield Edge(launcher.address, target.address, POSSIBLE_LAUNCH_TEMPLATE,
                           spec.path, launcher.span_at(spec.path), spec.version)
    for workload in graph.of_type(*_PROFILE_PATHS):
        own = _own_profile(graph, workload)
        if own is None:
            continue
        for profile in own.targets:
            yield Edge(workload.address, profile.address, "instance_profile", own.path,
                       own.span)
    for profile in graph.of_type(*PROFILE_TYPES):
        roles = roles_of(graph, profile)
        for role in roles.targets:
            yield Edge(profile.address, role.address, "role", roles.path, roles.span)
    for group in graph.of_type(*EKS_NODE_GROUP_TYPES):
        path = _NODE_ROLE_PATHS[group.type]
        found = resolve_ref(graph, group, path, ROLE_TYPES)
        for role in found.targets:
            yield Edge(group.address, role.address, "role", path, found.span)
    yield from _policy_edges(graph)


def addresses(resources: Iterable[Resource]) -> str:
    return ", ".join(r.address for r in resources)


__all__ = [
    "PROFILE_TYPES", "ROLE_TYPES", "WORKLOAD_TYPES", "ProfileLink", "RoleChain", "addresses",
    "derive", "instance_roles", "launched_by_text", "launched_only_by_eks",
    "launchers", "lookup", "maybe_only_eks", "policy_documents", "possible_launchers",
    "profile_of", "profile_paths", "roles_of", "workload_roles",
]
