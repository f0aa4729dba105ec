"""IAM predicate conditions of the rule language (``{predicate: iam.<name>, with: {...}}``).

Each predicate judges the policy documents of ``ctx.resource`` and returns a three-valued
``Outcome``:

* ``scope: document`` (default) — the documents the resource defines or attaches itself
  (``documents.documents_in``): a policy resource, an inline policy, a data document, a role's
  ``managed_policy_arns``, an attachment resource's AWS managed policy. Customer policies
  attached by reference are judged where they are defined, not again on the attachment.
* ``scope: auto`` — ``principal`` for roles, users, groups, Lambda functions and instance
  profiles, ``document`` for everything else.
* ``scope: principal`` — every identity policy in force for a role / user / group, or for what
  runs as a role (``documents.policies_of``), judged together (an escalation may need
  ``iam:PassRole`` from one policy and ``ec2:RunInstances`` from another).

The outcome's ``spans`` point at the offending action / resource / principal lines (also inside
JSON strings); ``paths`` are the same nodes as attribute paths of ``ctx.resource``; when the
statement lives in another resource (a referenced data document, a policy attached to a
principal) the finding points at the referencing attribute or the principal's header and the
statement is a ``related`` location. ``details``: ``why`` (what exactly is too broad),
``subject`` (the offending values), ``statement``, ``document``, ``count`` (hits), ``fix``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from linter.checks.context import RuleContext
from linter.graph.permissions import guarded_power
from linter.graph.policies import DATA_DOCUMENT, DATA_MANAGED, documents_in, policies_of
from linter.graph.reach import receivers
from linter.iam import analysis
from linter.iam.analysis import Hit, Verdict
from linter.iam.policy import DocKind, PolicyDocument, Statement
from linter.model import Outcome, Path, Related, Resource, Span, Unknown
from linter.records import replace

_SCOPE = {"type": "string", "enum": ["document", "principal", "auto"], "default": "document"}
# what runs with identity policies: judged as a principal under ``scope: auto``
PRINCIPAL_TYPES = frozenset({
    "aws_iam_role", "aws_iam_user", "aws_iam_group", "aws_lambda_function",
    "aws_iam_instance_profile", "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group",
    "AWS::Lambda::Function", "AWS::IAM::InstanceProfile",
})


def _scope(ctx: RuleContext, args: Mapping[str, Any]) -> str:
    scope = str(args.get("scope", "document"))
    if scope == "auto":
        return "principal" if ctx.resource.type in PRINCIPAL_TYPES and (
            ctx.resource.kind != "data") else "document"
    return scope

Judge = Callable[[Sequence[Statement], PolicyDocument | None], Verdict]


def _documents(ctx: RuleContext, kinds: tuple[DocKind, ...], managed: bool
               ) -> list[PolicyDocument]:
    """The documents ``ctx.resource`` defines or attaches itself (customer policies attached by
    reference are judged where they are written; AWS managed ones only when ``managed``)."""
    return [d for d in documents_in(ctx.resource, ctx.graph)
            if d.kind in kinds and d.source != "attached"
            and (managed or d.source != "aws-managed")]


def written_here(hit: Hit, resource: Resource) -> bool:
    """Whether ``resource`` is where the fix for ``hit`` goes: it writes every statement the hit
    needs, or it is the document that brings statements of several resources together (a
    document with ``source_policy_documents``) and writes one of them or merges them. A policy
    that only renders or attaches statements written elsewhere is not."""
    addresses = {s.address for s in hit.statements}
    if addresses == {resource.address}:
        return True
    if len(addresses) < 2:
        return False
    return resource.address in addresses or (resource.kind == "data"
                                             and resource.type == DATA_DOCUMENT)


def _listing(subjects: Sequence[str], shown: int = 4) -> str:
    """One related note per statement: a few of what it grants, and how many more."""
    unique = list(dict.fromkeys(subjects))
    if len(unique) <= shown:
        return ", ".join(unique)
    return ", ".join(unique[:shown]) + f" and {len(unique) - shown} more"


def _reaches(ctx: RuleContext, hits: Sequence[Hit]) -> list[Related]:
    """Where the statements of ``hits`` written in ``ctx.resource`` go (related locations,
    nearest first). A document that pulls them in but replaces them (same ``sid``) is not a
    receiver."""
    written = {(s.address, s.index) for h in hits for s in h.statements}

    def keeps(receiver: Resource) -> bool:
        if receiver.kind != "data" or receiver.type != DATA_DOCUMENT:
            return True
        return any((s.address, s.index) in written
                   for d in documents_in(receiver, ctx.graph) for s in d.statements)

    return [Related(r.resource.span_at(r.path), f"reaches: {r.resource.address} {r.how}",
                    r.resource.address)
            for r in receivers(ctx.graph, ctx.resource, keeps=keeps)]


def _outcome(ctx: RuleContext, hits: Sequence[Hit], unknowns: Sequence[Unknown],
             fix: str = "", combined: bool = False) -> Outcome:
    """TRUE with the hits' nodes (statements written in ``ctx.resource``), or — ``combined``:
    an escalation only the principal's statements together grant — at the principal's header
    with each contributing statement as a related location."""
    if not hits:
        if unknowns:
            return Outcome.unknown(*dict.fromkeys(unknowns))
        return Outcome.false()
    resource = ctx.resource
    paths: list[Path] = []
    spans: list[Span] = []
    reading: list[Related] = []
    granted: dict[tuple[Span, str, str], list[str]] = {}
    for hit in hits:
        owners = hit.node_statements or (hit.statement,) * len(hit.nodes)
        for statement, node, span in zip(owners, hit.nodes, hit.spans, strict=False):
            if statement.address == resource.address:
                # the engine resolves paths with resource.span_at: give paths only where the
                # resource has that exact span, else the precise spans decoded from JSON text
                if node in resource.spans:
                    paths.append(node)
                spans.append(span)
            else:
                granted.setdefault((span, statement.label, statement.address),
                                   []).append(hit.subject)
        if not hit.nodes and hit.statement.address == resource.address:
            spans.append(hit.statement.span())
        doc = hit.document
        if doc is not None and doc.address == resource.address and any(
                s.file != resource.file for s in hit.spans):  # text read from another file
            reader = Related(resource.span_at(doc.path), f"{resource.address} reads it here",
                             resource.address)
            if reader not in reading:
                reading.append(reader)
    if combined or not spans:
        spans.insert(0, resource.header)
    related = [*reading, *(
        Related(span, f"{_listing(subjects)} granted here ({label})", address)
        for (span, label, address), subjects in granted.items()
    )]
    if not combined:
        related.extend(_reaches(ctx, hits))
    first = hits[0]
    more = f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""
    details = {
        "why": first.why + more,
        "subject": first.subject,
        "actions": first.subject,
        "principal": first.subject,
        "statement": first.statement.label,
        "document": first.document.label if first.document else "policy",
        "count": len(hits),
        "fix": fix,
    }
    return Outcome.true(paths=tuple(dict.fromkeys(paths)), spans=tuple(dict.fromkeys(spans)),
                        details=details, related=tuple(dict.fromkeys(related)))


def _judge_written(ctx: RuleContext, kinds: tuple[DocKind, ...], judge: Judge,
                   managed: bool) -> tuple[list[Hit], list[Unknown]]:
    """The hits of the statements ``ctx.resource`` writes (and the unknowns that hide some)."""
    hits: list[Hit] = []
    unknowns: list[Unknown] = []
    merges = ctx.resource.kind == "data" and ctx.resource.type == DATA_DOCUMENT
    for doc in _documents(ctx, kinds, managed):
        foreign = bool(doc.statements) and all(
            s.address != ctx.resource.address for s in doc.statements)
        if foreign and not merges:
            # every hit would need statements written elsewhere, and ``written_here`` keeps
            # none of them here; the statements are judged (and undecided) where written
            continue
        verdict = judge(doc.statements, doc)
        hits.extend(h for h in verdict.hits if written_here(h, ctx.resource))
        if not foreign:  # statements written elsewhere are undecided where they are written
            unknowns.extend(verdict.unknowns)
            unknowns.extend(doc.unknowns)
    return hits, unknowns


def _judge_combined(ctx: RuleContext, kinds: tuple[DocKind, ...], judge: Judge
                    ) -> tuple[list[Hit], list[Unknown]]:
    """What only the principal's documents together grant: hits of all its identity policies
    judged as one, less what any single document grants by itself (judged where written)."""
    docs = [d for d in policies_of(ctx.resource, ctx.graph) if d.kind in kinds]
    if sum(1 for d in docs if d.statements) < 2:  # nothing to combine
        return [], [u for d in docs for u in d.unknowns]
    alone = {h.subject for d in docs for h in judge(d.statements, d).hits}
    statements = [s for d in docs for s in d.statements]
    verdict = judge(statements, None)
    owner = {id(s): d for d in docs for s in d.statements}
    hits = [replace(h, document=owner.get(id(h.statement)))
            for h in verdict.hits if h.subject not in alone]
    unknowns = [*verdict.unknowns, *(u for d in docs for u in d.unknowns)]
    return hits, unknowns


def _judge_each(ctx: RuleContext, args: Mapping[str, Any], kinds: tuple[DocKind, ...],
                judge: Judge, fix: str = "", managed: bool = False) -> Outcome:
    """The statements ``ctx.resource`` writes; for a principal under ``scope: principal`` /
    ``auto`` also what only its policies together grant. AWS managed policies are judged
    (``managed``) only by the admin rule; they still count for what policies grant together."""
    hits, unknowns = _judge_written(ctx, kinds, judge, managed)
    if hits or _scope(ctx, args) != "principal":
        return _outcome(ctx, hits, unknowns, fix)
    combined, more_unknowns = _judge_combined(ctx, kinds, judge)
    return _outcome(ctx, combined, [*unknowns, *more_unknowns], fix, combined=True)


_IDENTITY = (DocKind.IDENTITY, DocKind.RESOURCE)


def allows_admin(ctx: RuleContext, args: Mapping[str, Any]) -> Outcome:
    """Allow of every action on every resource, a NotAction with a tiny exclusion list on
    ``*``, ``iam:*`` on ``*``, or an attached AWS managed policy whose document does that."""
    resource = ctx.resource
    if resource.kind == "data" and resource.type == DATA_MANAGED and receivers(
            ctx.graph, resource, limit=1):
        return Outcome.false()  # a lookup grants nothing: reported where it is attached
    return _judge_each(ctx, args, _IDENTITY, analysis.admin_hits,
                       "grant the actions the workload calls, on the resources it uses",
                       managed=True)


def wildcard_action(ctx: RuleContext, args: Mapping[str, Any]) -> Outcome:
    return _judge_each(ctx, args, _IDENTITY, analysis.wildcard_action_hits,
                       "list the actions the workload calls instead of a wildcard")


def wildcard_resource(ctx: RuleContext, args: Mapping[str, Any]) -> Outcome:
    levels = frozenset(args.get("access_levels") or analysis.RESTRICTABLE_LEVELS)

    def judge(statements: Sequence[Statement], doc: PolicyDocument | None) -> Verdict:
        return analysis.wildcard_resource_hits(statements, doc, levels)

    return _judge_each(ctx, args, _IDENTITY, judge,
                       "scope these actions to the ARNs of the resources the workload uses")


def not_action(ctx: RuleContext, args: Mapping[str, Any]) -> Outcome:
    return _judge_each(ctx, args, (*_IDENTITY, DocKind.TRUST), analysis.not_action_hits,
                       "list what is allowed (Action/Resource/Principal) instead of what is not")


def privilege_escalation(ctx: RuleContext, args: Mapping[str, Any]) -> Outcome:
    return _judge_each(ctx, args, _IDENTITY, analysis.escalation_hits,
                       "remove the IAM write actions, or scope them to named resources and "
                       "restrict iam:PassRole with iam:PassedToService")


def trust_too_broad(ctx: RuleContext, args: Mapping[str, Any]) -> Outcome:
    checks = tuple(args.get("checks") or ("everyone", "account", "oidc"))

    def judge(statements: Sequence[Statement], doc: PolicyDocument | None) -> Verdict:
        # an account principal matters for a privileged role, not for a view-only one
        return analysis.trust_hits(statements, doc, checks,
                                   lambda: guarded_power(ctx.graph, ctx.resource))

    return _judge_each(ctx, {"scope": "document"}, (DocKind.TRUST,), judge,
                       "name the exact principals and add a restricting condition")


DETAILS = ["why", "subject", "actions", "principal", "statement", "document", "count", "fix"]

SCOPED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "x-details": DETAILS,
    "properties": {"scope": _SCOPE},
    "additionalProperties": False,
}
WILDCARD_RESOURCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "x-details": DETAILS,
    "properties": {
        "scope": _SCOPE,
        "access_levels": {"type": "array", "minItems": 1, "uniqueItems": True,
                          "items": {"enum": ["List", "Read", "Write", "Permissions management",
                                             "Tagging"]}},
    },
    "additionalProperties": False,
}
TRUST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "x-details": DETAILS,
    "properties": {
        "checks": {"type": "array", "minItems": 1, "uniqueItems": True,
                   "items": {"enum": list(analysis.TRUST_CHECKS)}},
    },
    "additionalProperties": False,
}
