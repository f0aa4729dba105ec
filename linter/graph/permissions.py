"""Effective permissions of a role, and the roles it may go on to assume.

``role_permissions`` is the union of every identity policy reaching the role (the IAM model:
``linter.graph.policies.policies_of`` + ``linter.iam.analysis.effective_permissions``, with Deny
and NotAction semantics); an AWS managed policy that grants only List/Read access
(``linter.iam.managed.is_view_only``) is known to add nothing privileged although its document
is not shipped. ``assumable_roles`` follows ``sts:AssumeRole``: role A may become role B when
one of A's Allow statements covers ``sts:AssumeRole`` on B (by reference, by ARN or name
pattern — also inside an ARN built from the account id, ``arn:aws:iam::${AWS::AccountId}:role/
deploy-*`` — or by ``*``), no condition narrows it to other targets, and B's trust policy admits
A (by A's ARN / reference, by A's whole account, or by everyone). Stolen credentials of A can
make that hop too. ``guarded_power`` is the power of the role(s) a trust policy guards, for the
trust rule's account check.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import replace

from linter.graph.graph import Graph
from linter.graph.identity import ROLE_TYPES
from linter.graph.policies import policies_of, trust_policy_of
from linter.graph.resolve import names_of
from linter.iam import catalogue, conditions, managed
from linter.iam.analysis import (
    Hit,
    Permissions,
    RolePower,
    covering_item,
    effective_permissions,
    exactly_denied,
    is_any_resource,
)
from linter.iam.policy import PolicyDocument, Statement
from linter.model import Path, Resource, Span, Tri, Unknown
from linter.records import record
from linter.regex import lazy

ASSUME = "sts:AssumeRole"


def _known_view_only(doc: PolicyDocument) -> PolicyDocument:
    """An unshipped AWS managed policy that grants only List/Read: known to add nothing
    privileged (its "not in the data file" unknown is dropped)."""
    if doc.source != "aws-managed" or doc.statements or not doc.managed_arn:
        return doc
    name = managed.aws_managed_name(doc.managed_arn)
    if name is None or not managed.is_view_only(name):
        return doc
    return replace(doc, unknowns=(), label=f"AWS managed policy {name} (List and Read only)")


def role_permissions(graph: Graph, role: Resource) -> Permissions:
    """The role's effective permissions, computed once per graph and role."""
    return graph.remembered("role_permissions", role, lambda: effective_permissions(
        _known_view_only(d) for d in policies_of(role, graph)))


def power(perms: Permissions) -> tuple[Tri, str, tuple[Hit, ...]]:
    """Whether the permissions are admin or can escalate: verdict, a phrase, the evidence."""
    if perms.admin.hits:
        return Tri.TRUE, "administrator", perms.admin.hits
    if perms.escalation.hits:
        return Tri.TRUE, "able to escalate to administrator", perms.escalation.hits
    if perms.is_admin is Tri.UNKNOWN or perms.can_escalate is Tri.UNKNOWN:
        return Tri.UNKNOWN, "", ()
    return Tri.FALSE, "", ()


def unknowns_of(perms: Permissions) -> tuple[Unknown, ...]:
    return (*perms.unknowns, *perms.admin.unknowns, *perms.escalation.unknowns)


def _guarded_roles(graph: Graph, resource: Resource) -> list[Resource]:
    """The roles whose trust policy ``resource`` is (itself when it is a role)."""
    if resource.type in ROLE_TYPES:
        return [resource]
    out: dict[str, Resource] = {}
    for edge in graph.in_edges(resource.address):
        role = graph.resources.get(edge.source)
        if role is not None and role.type in ROLE_TYPES and (
                edge.path[:1] == ("assume_role_policy",)
                or edge.path[:2] == ("Properties", "AssumeRolePolicyDocument")):
            out[role.address] = role
    return list(out.values())


def guarded_power(graph: Graph, resource: Resource) -> RolePower | None:
    """How powerful the role(s) guarded by the trust policy of ``resource`` are (a role, or a
    policy document used as roles' trust policy). None when nothing is known: no role uses the
    document, or a role has no identity policy in the scan (its permissions come from
    elsewhere)."""
    roles = _guarded_roles(graph, resource)
    if not roles:
        return None
    verdicts: list[Tri] = []
    for role in roles:
        perms = role_permissions(graph, role)
        if not perms.documents:
            return None
        verdict, what, _ = power(perms)
        if verdict is Tri.TRUE:
            return RolePower(Tri.TRUE, what,
                             "" if role.address == resource.address else role.address)
        verdicts.append(verdict)
    return RolePower(Tri.UNKNOWN if Tri.UNKNOWN in verdicts else Tri.FALSE)


def role_path(role: Resource) -> str:
    value = role.get(("path",), role.get(("Properties", "Path")))
    return value if isinstance(value, str) and value.startswith("/") else "/"


@record
class AssumeHop:
    """Role ``source`` may assume role ``target``."""

    source: Resource
    target: Resource
    grant: Statement  # A's statement allowing sts:AssumeRole on the target
    grant_node: Path
    exact_resource: bool  # the statement names the target itself (no wildcard)
    trust: Statement  # B's trust statement admitting A
    trust_node: Path
    admitted_as: str  # "the role itself" | "the whole account" | "everyone"

    @property
    def grant_span(self) -> Span:
        return self.grant.span(self.grant_node)

    @property
    def trust_span(self) -> Span:
        return self.trust.span(self.trust_node)


def _refers_to(unknowns: tuple[Unknown, ...], target: Resource) -> bool:
    base = target.address.split("[")[0]
    return any(ref == target.address or ref == base or ref.startswith(base + "[")
               for u in unknowns for ref in u.refs)


def _resource_match(pattern: str, target: Resource) -> tuple[bool, bool]:
    """(matches, exactly): does an IAM resource pattern reach role ``target``?"""
    if is_any_resource(pattern):
        return True, False
    parts = pattern.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or not catalogue.glob_match(parts[2] or "*", "iam"):
        return False, False
    return _pattern_match(parts[5], target)


# ``:role/<name>`` inside an ARN the evaluator could not finish (``${AWS::AccountId}``,
# ``${data.aws_caller_identity.current.account_id}``): the role part is still known
_ROLE_IN_EXPRESSION = lazy(r":role/((?:[^\s\"'${}]|\$\{[^}]*\})+)")
_INTERPOLATION = lazy(r"\$\{[^}]*\}")


def _expression_patterns(unknowns: Iterable[Unknown]) -> list[str]:
    """Role patterns (``role/deploy-*``) written inside unknown ARNs; an interpolated part is a
    wildcard, a name that is all interpolation is no pattern."""
    out: list[str] = []
    for unknown in unknowns:
        for match in _ROLE_IN_EXPRESSION.finditer(unknown.expression):
            tail = match.group(1)
            if not _INTERPOLATION.sub("", tail).strip("/"):
                continue
            out.append("role/" + _INTERPOLATION.sub("*", tail))
    return out


def _pattern_match(resource: str, target: Resource) -> tuple[bool, bool]:
    """(matches, exactly): does the resource part ``role/…`` of a pattern name ``target``?"""
    wild = "*" in resource or "?" in resource
    names = names_of(target)
    if not names:  # a role without a literal name: only role wildcards can reach it
        return resource.rstrip("*") in ("role/", ""), False
    for name in names:
        if catalogue.glob_match(resource, f"role{role_path(target)}{name}"):
            return True, not wild
    return False, False


Grant = tuple[Statement, Path]


def _assume_grants(perms: Permissions) -> list[Grant]:
    """The Allow statements of ``perms`` that let it call ``sts:AssumeRole`` on some role, with
    the node that covers the action (nothing when an unconditional Deny takes it away): what
    does not depend on the target, worked out once per source."""
    if exactly_denied(perms.statements, ASSUME):
        return []
    out: list[Grant] = []
    for statement in perms.statements:
        if not statement.allows:
            continue
        node = covering_item(statement, ASSUME)
        if node is None:
            continue
        # conditions on the transport, the region or the time narrow nothing; the target's
        # tags, a source ARN … do (the target may not qualify)
        if statement.conditions and conditions.narrowing(statement, ASSUME):
            continue
        out.append((statement, node))
    return out


def _grants_on(grants: list[Grant], target: Resource) -> tuple[Statement, Path, bool] | None:
    """The first grant reaching ``target`` (one naming it exactly wins)."""
    best: tuple[Statement, Path, bool] | None = None
    for statement, node in grants:
        if statement.not_resources is not None:
            found = (statement, node, False)
        elif _refers_to(statement.unknowns, target):
            return statement, _resource_key(statement) or node, True
        else:
            found = None
            for item in statement.resources or ():
                matches, exact = _resource_match(item.value, target)
                if matches:
                    found = (statement, item.path, exact)
                    if exact:
                        return found
            if found is None:
                for pattern in _expression_patterns(statement.unknowns):
                    matches, exact = _pattern_match(pattern, target)
                    if matches:  # exact: the role is named, only the account is interpolated
                        found = (statement, _resource_key(statement) or node, exact)
                        if exact:
                            return found
                        break
        if found is not None and best is None:
            best = found
    return best


def _resource_key(statement: Statement) -> Path | None:
    """The path of the statement's ``Resource`` element (where a reference to the role sits)."""
    for path in statement.spans:
        if (len(path) == len(statement.path) + 1 and isinstance(path[-1], str)
                and path[-1].lower() == "resource"):
            return path
    return None


def _may_assume(statement: Statement) -> bool:
    if statement.actions is None:
        return statement.not_actions is not None and covering_item(statement, ASSUME) is not None
    return any(catalogue.glob_match(i.value, ASSUME) for i in statement.actions)


SAME_ACCOUNT_ROOT = lazy(
    r"(?:\$\{AWS::AccountId\}|aws_caller_identity\.[\w-]+\.account_id\}?):root\b")


def admits(graph: Graph, target: Resource, source: Resource) -> tuple[Statement, Path, str] | None:
    """The statement of ``target``'s trust policy admitting role ``source``, and how."""
    trust = trust_policy_of(target, graph)
    if trust is None:
        return None
    best: tuple[Statement, Path, str] | None = None
    names = names_of(source)
    for statement in trust.statements:
        if not statement.allows or not _may_assume(statement):
            continue
        if _refers_to(statement.unknowns, source):
            return statement, statement.path, "the role itself"
        for principal in statement.principals or ():
            value = principal.value.strip()
            if principal.kind == "*" or (principal.kind == "AWS" and value == "*"):
                best = best or (statement, principal.path, "everyone")
            elif principal.kind != "AWS":
                continue
            elif value.endswith(":root") or (value.isdigit() and len(value) == 12):
                best = best or (statement, principal.path, "the whole account")
            elif ":role/" in value:
                tail = value.split(":role/", 1)[1]
                if any(catalogue.glob_match(tail, f"{role_path(source)[1:]}{n}") or
                       catalogue.glob_match(tail, n) for n in names):
                    if "*" in tail or "?" in tail:
                        best = best or (statement, principal.path, "the whole account")
                    else:
                        return statement, principal.path, "the role itself"
        if any(_pattern_match(p, source) == (True, True)
               for p in _expression_patterns(statement.unknowns)):
            # arn:aws:iam::${AWS::AccountId}:role/web: the role itself, by its name
            return statement, statement.path, "the role itself"
        if best is None and any(SAME_ACCOUNT_ROOT.search(u.expression) for u in statement.unknowns):
            # arn:${AWS::Partition}:iam::${AWS::AccountId}:root (or Terraform's
            # aws_caller_identity account_id): the account id is unknown, but it is this account
            best = (statement, statement.path, "the whole account")
    return best


@record
class TrustIndex:
    """Who may assume whom, from the trust side: built once per graph.

    ``open`` holds the roles whose trust policy may admit any role of the account (everyone,
    the account root or id, a role name pattern, the account root inside an ARN built from the
    account id); ``named`` maps what a source role is known by — the base of its address
    (``ref:``), its name with or without its path (``name:``), ``role/<path><name>`` (``arn:``)
    — to the roles whose trust policy names it. Candidates for a source are ``open`` plus its
    names' entries, a superset of the roles that admit it (``admits`` still decides, so the
    answer is the same as asking every role)."""

    roles: tuple[Resource, ...]  # every role of the graph, in graph order
    open: frozenset[int]  # positions in ``roles``
    named: dict[str, tuple[int, ...]]

    def candidates(self, source: Resource) -> list[Resource]:
        keys = _source_keys(source)
        if keys is None:
            return list(self.roles)
        positions = set(self.open)
        for key in keys:
            positions.update(self.named.get(key, ()))
        return [self.roles[i] for i in sorted(positions)]


def _source_keys(source: Resource) -> list[str] | None:
    """The index keys ``source`` can be admitted by (None: compare it with every role, a name
    whose case folding is beyond ASCII)."""
    path = role_path(source)
    names = names_of(source)
    if not path.isascii() or not all(n.isascii() for n in names):
        return None
    keys = ["ref:" + source.address.split("[")[0]]
    for name in names:
        keys += ["name:" + name.lower(), "name:" + (path[1:] + name).lower(),
                 "arn:" + f"role{path}{name}".lower()]
    return keys


def _trust_keys(statement: Statement) -> list[str] | None:
    """The keys of the sources a trust statement may admit by name (None: it may admit any
    role)."""
    keys: list[str] = []
    for unknown in statement.unknowns:
        if SAME_ACCOUNT_ROOT.search(unknown.expression):
            return None
        keys += ["ref:" + ref.split("[")[0] for ref in unknown.refs]
    for principal in statement.principals or ():
        value = principal.value.strip()
        if principal.kind == "*" or (principal.kind == "AWS" and value == "*"):
            return None
        if principal.kind != "AWS":
            continue
        if value.endswith(":root") or (value.isdigit() and len(value) == 12):
            return None
        if ":role/" in value:
            tail = value.split(":role/", 1)[1]
            if "*" in tail or "?" in tail or not tail.isascii():
                return None
            keys.append("name:" + tail.lower())
    for pattern in _expression_patterns(statement.unknowns):
        if "*" in pattern or "?" in pattern:
            continue  # a pattern admits nobody as "the role itself" (``admits``)
        if not pattern.isascii():
            return None
        keys.append("arn:" + pattern.lower())
    return keys


def trust_index(graph: Graph) -> TrustIndex:
    """The trust admissions of every role of the graph (computed once per graph)."""
    found: TrustIndex | None = graph.memo.get(("trust_index", ""))
    if found is not None:
        return found
    roles = tuple(graph.of_type(*ROLE_TYPES))
    open_: set[int] = set()
    named: dict[str, list[int]] = {}
    for position, role in enumerate(roles):
        trust = trust_policy_of(role, graph)
        if trust is None:
            continue
        for statement in trust.statements:
            if not statement.allows or not _may_assume(statement):
                continue
            keys = _trust_keys(statement)
            if keys is None:
                open_.add(position)
                break
            for key in keys:
                named.setdefault(key, []).append(position)
    index = TrustIndex(roles, frozenset(open_),
                       {k: tuple(dict.fromkeys(v)) for k, v in named.items()})
    graph.memo[("trust_index", "")] = index
    return index


def assumable_roles(graph: Graph, source: Resource, perms: Permissions) -> list[AssumeHop]:
    """Roles of the scan that ``source`` may assume and whose trust policy admits it: the
    roles ``trust_index`` offers for ``source``, in graph order, that one of its grants
    reaches and whose trust policy admits it."""
    if perms.allows(ASSUME) is Tri.FALSE:
        return []
    grants = _assume_grants(perms)
    if not grants:
        return []
    hops: list[AssumeHop] = []
    for target in trust_index(graph).candidates(source):
        if target.address == source.address:
            continue
        grant = _grants_on(grants, target)
        if grant is None:
            continue
        trust = admits(graph, target, source)
        if trust is None:
            continue
        statement, node, exact = grant
        hops.append(AssumeHop(source, target, statement, node, exact, *trust))
    return hops


def role_matches(role: Resource, pattern: str) -> bool:
    """A gatekeeper configuration entry (address, role name or ARN glob) names ``role``."""
    candidates = [role.address, *names_of(role)]
    candidates += [f"arn:aws:iam::*:role{role_path(role)}{n}" for n in names_of(role)]
    return any(fnmatch.fnmatchcase(c, pattern) for c in candidates) or any(
        catalogue.glob_match(pattern, c) for c in candidates if pattern.startswith("arn:"))
