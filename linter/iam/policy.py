"""The normalized IAM policy model: one shape for every policy source of either format.

A ``PolicyDocument`` is a tuple of ``Statement``s. Every string a statement holds (action,
resource, principal, condition value) is an ``Item`` that remembers its attribute path in the
resource that defines it, and every statement carries the span index of that resource (including
the positions decoded from JSON strings, see ``linter.json_positions``), so any verdict can point at
the deepest node: the offending action or principal line.

Normalization follows the IAM policy grammar: ``Statement`` as object or list; ``Action`` /
``NotAction``, ``Resource`` / ``NotResource``, ``Principal`` / ``NotPrincipal`` as a string or a
list; ``Principal: "*"`` equals ``{"AWS": "*"}``; condition operators with ``IfExists`` and the
``ForAnyValue:`` / ``ForAllValues:`` set prefixes; condition keys are case-insensitive. Element
names are matched case-insensitively (a lenient reading; IAM itself rejects other casings).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from linter.model import Path, Span, Unknown
from linter.records import record


class Effect(str, enum.Enum):
    ALLOW = "Allow"
    DENY = "Deny"


class DocKind(str, enum.Enum):
    IDENTITY = "identity"  # attached to a user/role/group (or a permission set)
    TRUST = "trust"  # a role's assume-role policy
    RESOURCE = "resource"  # a data document with principals that is not used as a trust policy


@record
class Item:
    """One string of a statement element, with its attribute path in the defining resource."""

    value: str
    path: Path


@record
class PrincipalItem:
    kind: str  # "*" (the bare wildcard), AWS, Service, Federated, CanonicalUser
    value: str
    path: Path


@record
class ConditionClause:
    operator: str  # as written: "ForAnyValue:StringLikeIfExists"
    base: str  # StringLike
    set_op: str  # "", "ForAnyValue", "ForAllValues"
    if_exists: bool
    key: str  # as written
    values: tuple[str, ...]
    path: Path
    unknown_values: int = 0  # values that could not be known (a !Sub with the account id …)

    @property
    def key_lower(self) -> str:
        return self.key.lower()


@record
class Statement:
    index: int
    path: Path
    address: str  # the resource that defines this statement
    spans: Mapping[Path, Span] = field(repr=False, compare=False, hash=False)
    sid: str = ""
    effect: Effect = Effect.ALLOW
    actions: tuple[Item, ...] | None = None  # None: element absent
    not_actions: tuple[Item, ...] | None = None
    resources: tuple[Item, ...] | None = None
    not_resources: tuple[Item, ...] | None = None
    principals: tuple[PrincipalItem, ...] | None = None
    not_principals: tuple[PrincipalItem, ...] | None = None
    conditions: tuple[ConditionClause, ...] = ()
    unknowns: tuple[Unknown, ...] = ()  # parts of the statement that could not be known
    file: str = ""

    @property
    def allows(self) -> bool:
        return self.effect is Effect.ALLOW

    def span(self, path: Path | None = None) -> Span:
        """The deepest known span on ``path`` (default: the statement itself)."""
        path = self.path if path is None else path
        for cut in range(len(path), -1, -1):
            found = self.spans.get(path[:cut])
            if found is not None:
                return found
        return Span(self.file or "?", 1)

    @property
    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else f"statement #{self.index + 1}"


@record
class PolicyDocument:
    statements: tuple[Statement, ...]
    kind: DocKind
    address: str  # the resource that holds the document (or attaches the managed policy)
    path: Path  # attribute path of the document (or of the managed policy ARN) in that resource
    label: str  # human name: "inline policy", "AWS managed policy IAMFullAccess", …
    file: str = ""
    spans: Mapping[Path, Span] = field(default_factory=dict, repr=False, compare=False,
                                       hash=False)
    unknowns: tuple[Unknown, ...] = ()  # the document, or part of its statement list, is unknown
    managed_arn: str = ""  # set when the document is an AWS managed policy from the data file
    version: str = ""
    source: str = "inline"  # inline | aws-managed | attached (a customer policy attached here)

    def span(self, path: Path | None = None) -> Span:
        path = self.path if path is None else path
        for cut in range(len(path), -1, -1):
            found = self.spans.get(path[:cut])
            if found is not None:
                return found
        return Span(self.file or "?", 1)


# ------------------------------------------------------------------------- JSON normalization


def _get(mapping: Mapping[str, Any], name: str) -> tuple[str, Any] | None:
    """Case-insensitive element lookup: the key as written and its value."""
    if name in mapping:
        return name, mapping[name]
    lowered = name.lower()
    for key, value in mapping.items():
        if isinstance(key, str) and key.lower() == lowered:
            return key, value
    return None


def _strings(value: Any, path: Path, unknowns: list[Unknown]) -> tuple[Item, ...]:
    """A string or list of strings → items; Unknowns are collected, other scalars stringified."""
    if isinstance(value, Unknown):
        unknowns.append(value)
        return ()
    if isinstance(value, list):
        out: list[Item] = []
        for index, element in enumerate(value):
            out.extend(_strings(element, (*path, index), unknowns))
        return tuple(out)
    if value is None:
        return ()
    if isinstance(value, dict):  # a CFN intrinsic the evaluator could not resolve
        unknowns.append(Unknown(str(value), "an unevaluated intrinsic function"))
        return ()
    if isinstance(value, bool):
        return (Item("true" if value else "false", path),)
    return (Item(str(value), path),)


def _principals(value: Any, path: Path, unknowns: list[Unknown]) -> tuple[PrincipalItem, ...]:
    if isinstance(value, Unknown):
        unknowns.append(value)
        return ()
    if isinstance(value, str):
        return (PrincipalItem("*" if value == "*" else "AWS", value, path),)
    if isinstance(value, list):  # not valid IAM, but seen in the wild: treat as AWS principals
        out: list[PrincipalItem] = []
        for item in _strings(value, path, unknowns):
            out.append(PrincipalItem("AWS", item.value, item.path))
        return tuple(out)
    if isinstance(value, dict):
        result: list[PrincipalItem] = []
        for kind, ids in value.items():
            for item in _strings(ids, (*path, kind), unknowns):
                result.append(PrincipalItem(_principal_kind(str(kind)), item.value, item.path))
        return tuple(result)
    return ()


_PRINCIPAL_KINDS = {"aws": "AWS", "service": "Service", "federated": "Federated",
                    "canonicaluser": "CanonicalUser"}


def _principal_kind(kind: str) -> str:
    return _PRINCIPAL_KINDS.get(kind.lower(), kind)


def split_operator(operator: str) -> tuple[str, str, bool]:
    """``ForAnyValue:StringLikeIfExists`` → (``StringLike``, ``ForAnyValue``, True)."""
    set_op = ""
    base = operator
    if ":" in operator:
        prefix, _, base = operator.partition(":")
        lowered = prefix.lower()
        set_op = {"foranyvalue": "ForAnyValue", "forallvalues": "ForAllValues"}.get(lowered, prefix)
    if_exists = base.lower().endswith("ifexists") and base.lower() != "ifexists"
    if if_exists:
        base = base[: -len("IfExists")]
    return base, set_op, if_exists


def _conditions(value: Any, path: Path, unknowns: list[Unknown]) -> tuple[ConditionClause, ...]:
    if isinstance(value, Unknown):
        unknowns.append(value)
        return ()
    if not isinstance(value, dict):
        return ()
    out: list[ConditionClause] = []
    for operator, body in value.items():
        if isinstance(body, Unknown):
            unknowns.append(body)
            continue
        if not isinstance(body, dict):
            continue
        base, set_op, if_exists = split_operator(str(operator))
        for key, raw in body.items():
            missing: list[Unknown] = []
            items = _strings(raw, (*path, operator, key), missing)
            out.append(ConditionClause(str(operator), base, set_op, if_exists, str(key),
                                       tuple(i.value for i in items), (*path, operator, key),
                                       len(missing)))
    return tuple(out)


def statement_from_json(raw: Any, index: int, path: Path, address: str,
                        spans: Mapping[Path, Span], file: str = "") -> Statement:
    """One JSON statement object (already decoded) → ``Statement``."""
    unknowns: list[Unknown] = []
    if isinstance(raw, Unknown):
        return Statement(index, path, address, spans, unknowns=(raw,), file=file)
    if not isinstance(raw, dict):
        return Statement(index, path, address, spans, file=file,
                         unknowns=(Unknown(str(raw), "statement is not an object"),))

    def element(name: str) -> tuple[Path, Any] | None:
        found = _get(raw, name)
        return None if found is None else ((*path, found[0]), found[1])

    effect = Effect.ALLOW
    found_effect = element("Effect")
    if found_effect is not None:
        value = found_effect[1]
        if isinstance(value, Unknown):
            unknowns.append(value)
        elif isinstance(value, str) and value.lower() == "deny":
            effect = Effect.DENY

    def items(name: str) -> tuple[Item, ...] | None:
        found = element(name)
        return None if found is None else _strings(found[1], found[0], unknowns)

    def principals(name: str) -> tuple[PrincipalItem, ...] | None:
        found = element(name)
        return None if found is None else _principals(found[1], found[0], unknowns)

    sid_found = element("Sid")
    condition = element("Condition")
    return Statement(
        index=index,
        path=path,
        address=address,
        spans=spans,
        sid=str(sid_found[1]) if sid_found and isinstance(sid_found[1], str) else "",
        effect=effect,
        actions=items("Action"),
        not_actions=items("NotAction"),
        resources=items("Resource"),
        not_resources=items("NotResource"),
        principals=principals("Principal"),
        not_principals=principals("NotPrincipal"),
        conditions=_conditions(condition[1], condition[0], unknowns) if condition else (),
        unknowns=tuple(unknowns),
        file=file,
    )


def statements_from_json(value: Any, path: Path, address: str, spans: Mapping[Path, Span],
                         file: str = "") -> tuple[tuple[Statement, ...], tuple[Unknown, ...]]:
    """A decoded policy document (dict) → its statements and document-level unknowns."""
    if isinstance(value, Unknown):
        return (), (value,)
    if not isinstance(value, dict):
        return (), (Unknown(repr(value)[:80], "policy document is not a JSON object"),)
    found = _get(value, "Statement")
    if found is None:
        return (), ()
    key, raw = found
    base = (*path, key)
    if isinstance(raw, Unknown):
        return (), (raw,)
    if isinstance(raw, dict):  # a single statement object
        return (statement_from_json(raw, 0, base, address, spans, file),), ()
    if isinstance(raw, list):
        return tuple(statement_from_json(s, i, (*base, i), address, spans, file)
                     for i, s in enumerate(raw)), ()
    return (), (Unknown(repr(raw)[:80], "Statement is neither an object nor a list"),)
