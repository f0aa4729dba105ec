"""``data "aws_iam_policy_document"`` → statements, with the provider's merge semantics.

Blocks arrive from the evaluator as lists of dicts (``statement``, ``principals``,
``not_principals``, ``condition``). ``effect`` defaults to Allow. ``source_policy_documents``
(and the older ``source_json``) are merged first, then this document's statements replace those
with the same non-empty ``sid`` (or are appended), then ``override_policy_documents`` (and
``override_json``) replace by ``sid`` or append — the documented behaviour of the AWS provider.
Documents referenced as ``data.aws_iam_policy_document.x.json`` are resolved through the graph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from linter.iam.policy import (
    ConditionClause,
    Effect,
    Item,
    PrincipalItem,
    Statement,
    _strings,
    split_operator,
)
from linter.model import Path, Resource, Span, Unknown

DocumentResolver = Callable[[Any, Resource, Path], tuple[tuple[Statement, ...],
                                                         tuple[Unknown, ...]]]


def _principals(blocks: Any, path: Path, unknowns: list[Unknown]) -> tuple[PrincipalItem, ...]:
    if isinstance(blocks, Unknown):
        unknowns.append(blocks)
        return ()
    if isinstance(blocks, dict):
        blocks = [blocks]
    out: list[PrincipalItem] = []
    for index, block in enumerate(blocks if isinstance(blocks, list) else []):
        if isinstance(block, Unknown):
            unknowns.append(block)
            continue
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if isinstance(kind, Unknown):
            unknowns.append(kind)
            continue
        kind_name = {"aws": "AWS", "service": "Service", "federated": "Federated",
                     "canonicaluser": "CanonicalUser", "*": "*"}.get(str(kind).lower(), str(kind))
        for item in _strings(block.get("identifiers"), (*path, index, "identifiers"), unknowns):
            effective = "*" if kind_name == "*" else kind_name
            out.append(PrincipalItem(effective, item.value, item.path))
    return tuple(out)


def _conditions(blocks: Any, path: Path, unknowns: list[Unknown]) -> tuple[ConditionClause, ...]:
    if isinstance(blocks, Unknown):
        unknowns.append(blocks)
        return ()
    if isinstance(blocks, dict):
        blocks = [blocks]
    out: list[ConditionClause] = []
    for index, block in enumerate(blocks if isinstance(blocks, list) else []):
        if not isinstance(block, dict):
            if isinstance(block, Unknown):
                unknowns.append(block)
            continue
        test, variable = block.get("test"), block.get("variable")
        if isinstance(test, Unknown) or isinstance(variable, Unknown):
            unknowns.extend(v for v in (test, variable) if isinstance(v, Unknown))
            continue
        base, set_op, if_exists = split_operator(str(test))
        missing: list[Unknown] = []
        values = _strings(block.get("values"), (*path, index, "values"), missing)
        out.append(ConditionClause(str(test), base, set_op, if_exists, str(variable),
                                   tuple(v.value for v in values), (*path, index),
                                   len(missing)))
    return tuple(out)


def statement_from_block(block: Any, index: int, path: Path, resource: Resource) -> Statement:
    spans: Mapping[Path, Span] = resource.spans
    if not isinstance(block, dict):
        unknown = block if isinstance(block, Unknown) else Unknown(str(block), "not a block")
        return Statement(index, path, resource.address, spans, unknowns=(unknown,),
                         file=resource.file)
    unknowns: list[Unknown] = []
    effect_value = block.get("effect", "Allow")
    effect = Effect.ALLOW
    if isinstance(effect_value, Unknown):
        unknowns.append(effect_value)
    elif isinstance(effect_value, str) and effect_value.lower() == "deny":
        effect = Effect.DENY

    def items(name: str) -> tuple[Item, ...] | None:
        if name not in block or block[name] is None:
            return None
        return _strings(block[name], (*path, name), unknowns)

    def principals(name: str) -> tuple[PrincipalItem, ...] | None:
        if name not in block or block[name] in (None, []):
            return None
        return _principals(block[name], (*path, name), unknowns)

    sid = block.get("sid")
    return Statement(
        index=index,
        path=path,
        address=resource.address,
        spans=spans,
        sid=sid if isinstance(sid, str) else "",
        effect=effect,
        actions=items("actions"),
        not_actions=items("not_actions"),
        resources=items("resources"),
        not_resources=items("not_resources"),
        principals=principals("principals"),
        not_principals=principals("not_principals"),
        conditions=_conditions(block.get("condition"), (*path, "condition"), unknowns),
        unknowns=tuple(unknowns),
        file=resource.file,
    )


def _merge(base: list[Statement], incoming: tuple[Statement, ...]) -> list[Statement]:
    """Statements with a non-empty sid replace the base statement with that sid; others append."""
    out = list(base)
    for statement in incoming:
        replaced = False
        if statement.sid:
            for position, existing in enumerate(out):
                if existing.sid == statement.sid:
                    out[position] = statement
                    replaced = True
                    break
        if not replaced:
            out.append(statement)
    return out


def data_document_statements(
    resource: Resource, resolve_json: DocumentResolver,
) -> tuple[tuple[Statement, ...], tuple[Unknown, ...]]:
    """The merged statements of one ``aws_iam_policy_document`` data source.

    ``resolve_json(value, resource, path)`` turns one entry of ``source_policy_documents`` /
    ``override_policy_documents`` (a JSON string, or an Unknown referring to another document)
    into statements.
    """
    attributes = resource.attributes
    unknowns: list[Unknown] = []
    merged: list[Statement] = []
    for name in ("source_policy_documents", "source_json"):
        for entry, path in _entries(attributes.get(name), (name,), unknowns):
            statements, more = resolve_json(entry, resource, path)
            unknowns.extend(more)
            merged = _merge(merged, statements)
    own: list[Statement] = []
    raw = attributes.get("statement")
    if isinstance(raw, Unknown):
        unknowns.append(raw)
    elif isinstance(raw, dict):
        own.append(statement_from_block(raw, 0, ("statement", 0), resource))
    elif isinstance(raw, list):
        for index, block in enumerate(raw):
            if isinstance(block, Unknown):
                unknowns.append(block)
                continue
            own.append(statement_from_block(block, index, ("statement", index), resource))
    merged = _merge(merged, tuple(own))
    for name in ("override_policy_documents", "override_json"):
        for entry, path in _entries(attributes.get(name), (name,), unknowns):
            statements, more = resolve_json(entry, resource, path)
            unknowns.extend(more)
            merged = _merge(merged, statements)
    return tuple(merged), tuple(unknowns)


def _entries(value: Any, path: Path, unknowns: list[Unknown]) -> list[tuple[Any, Path]]:
    if value is None:
        return []
    if isinstance(value, list):
        return [(v, (*path, i)) for i, v in enumerate(value) if v is not None]
    return [(value, path)]
