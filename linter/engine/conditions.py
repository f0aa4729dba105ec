"""Evaluating a rule's condition tree on one resource, with Kleene three-valued logic.

Condition forms (validated by ``rule.schema.json`` and ``linter.engine.loader``):

* ``{all: [c, …]}`` — FALSE if any is FALSE, else UNKNOWN if any is UNKNOWN, else TRUE;
* ``{any: [c, …]}`` — TRUE if any is TRUE, else UNKNOWN if any is UNKNOWN, else FALSE;
* ``{not: c}`` — swaps TRUE and FALSE, keeps UNKNOWN;
* ``{type: T | [T, …]}`` — the resource's native type is one of these;
* ``{path: P, <operator>: argument}`` — see ``linter.engine.operators``; ``P`` resolves with
  ``linter.model.resolve`` (a name step over a list of nested blocks visits every block), and
  the condition holds if it holds for any value found (Kleene OR over the values);
* ``{predicate: NAME, with: {…}}`` — ``PREDICATES[NAME]`` (``linter.checks.table``).

An ``Outcome`` carries evidence either way: the attribute paths that were looked at (so that a
``not`` that turns a FALSE into TRUE still knows where the offending value is), message
details (``value``, ``path``, the operator argument as ``expected``/``max``/``min``, and
``values``: rule path → value found, used to pick ``{value}`` for the finding's ``at`` path),
and the ``Unknown``s that made a verdict undecidable.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from linter.checks.context import RuleContext
from linter.checks.table import PREDICATES
from linter.engine import operators
from linter.model import Match, Outcome, Path, Tri, Unknown, is_unknown, parse_path, resolve

Condition = Mapping[str, Any]


@functools.lru_cache(maxsize=4096)
def compiled_path(text: str) -> Path:
    return parse_path(text)


def evaluate_condition(condition: Condition, ctx: RuleContext) -> Outcome:
    """The verdict of ``condition`` (its parameters bound: ``linter.engine.params.bind``) on
    ``ctx.resource``. Predicates may raise (the caller turns that into an IAC0002 finding)."""
    if "all" in condition:
        return _all([lambda c=c: evaluate_condition(c, ctx) for c in condition["all"]])
    if "any" in condition:
        return _any([lambda c=c: evaluate_condition(c, ctx) for c in condition["any"]])
    if "not" in condition:
        return negate(evaluate_condition(condition["not"], ctx))
    if "path" in condition:
        return _path_condition(condition, ctx)
    if "predicate" in condition:
        function, _schema = PREDICATES[condition["predicate"]]
        return function(ctx, condition.get("with") or {})
    if "type" in condition:
        wanted = condition["type"]
        types = (wanted,) if isinstance(wanted, str) else tuple(wanted)
        return Outcome(Tri.TRUE if ctx.resource.type in types else Tri.FALSE)
    raise ValueError(f"not a condition: {dict(condition)!r}")


# ---------------------------------------------------------------- Kleene combinators


def negate(outcome: Outcome) -> Outcome:
    flipped = {Tri.TRUE: Tri.FALSE, Tri.FALSE: Tri.TRUE, Tri.UNKNOWN: Tri.UNKNOWN}
    return Outcome(
        flipped[outcome.verdict],
        paths=outcome.paths,
        spans=outcome.spans,
        details=outcome.details,
        related=outcome.related,
        unknowns=outcome.unknowns,
    )


def merge(verdict: Tri, outcomes: Sequence[Outcome]) -> Outcome:
    """One outcome with ``verdict`` and the evidence of ``outcomes`` (later details win, except
    ``values`` which accumulate)."""
    paths: dict[Path, None] = {}
    spans: dict[Any, None] = {}
    related: dict[Any, None] = {}
    unknowns: dict[Unknown, None] = {}
    details: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for outcome in outcomes:
        paths.update(dict.fromkeys(outcome.paths))
        spans.update(dict.fromkeys(outcome.spans))
        related.update(dict.fromkeys(outcome.related))
        unknowns.update(dict.fromkeys(outcome.unknowns))
        values.update(outcome.details.get("values", {}))
        details.update(outcome.details)
    if values:
        details["values"] = values
    return Outcome(
        verdict,
        paths=tuple(paths),
        spans=tuple(spans),
        details=details,
        related=tuple(related),
        unknowns=tuple(unknowns),
    )


def _all(children: Sequence[Any]) -> Outcome:
    seen: list[Outcome] = []
    for child in children:
        outcome: Outcome = child()
        if outcome.verdict is Tri.FALSE:
            return outcome
        seen.append(outcome)
    if any(o.verdict is Tri.UNKNOWN for o in seen):
        return merge(Tri.UNKNOWN, [o for o in seen if o.verdict is Tri.UNKNOWN])
    return merge(Tri.TRUE, seen)


def _any(children: Sequence[Any]) -> Outcome:
    seen: list[Outcome] = []
    for child in children:
        outcome: Outcome = child()
        if outcome.verdict is Tri.TRUE:
            return outcome
        seen.append(outcome)
    if any(o.verdict is Tri.UNKNOWN for o in seen):
        return merge(Tri.UNKNOWN, [o for o in seen if o.verdict is Tri.UNKNOWN])
    return merge(Tri.FALSE, seen)


def all_of(outcomes: Sequence[Outcome]) -> Outcome:
    """Kleene AND of already computed outcomes (for predicates that combine sub-verdicts)."""
    return _all([lambda o=o: o for o in outcomes])


def any_of(outcomes: Sequence[Outcome]) -> Outcome:
    """Kleene OR of already computed outcomes."""
    return _any([lambda o=o: o for o in outcomes])


# ---------------------------------------------------------------- path conditions


def operator_of(condition: Condition) -> tuple[str, Any]:
    for key, value in condition.items():
        if key != "path":
            return key, value
    raise ValueError("path condition without an operator")


def _path_condition(condition: Condition, ctx: RuleContext) -> Outcome:
    text = condition["path"]
    name, argument = operator_of(condition)
    details: dict[str, Any] = {operators.OPERATORS[name].detail: argument}
    details["path"] = text
    present = [m for m in resolve(ctx.resource.attributes, compiled_path(text))
               if m.value is not None]

    if not present:  # absent or null: every operator is FALSE except exists: false
        details["value"] = None
        details["values"] = {text: None}
        absent_holds = name == "exists" and argument is False
        return Outcome(Tri.TRUE if absent_holds else Tri.FALSE, details=details)

    trues: list[Match] = []
    unknown_matches: list[Match] = []
    unknowns: list[Unknown] = []
    for match in present:
        verdict, found = _judge(name, match, argument, ctx, text)
        if verdict is Tri.TRUE:
            trues.append(match)
        elif verdict is Tri.UNKNOWN:
            unknown_matches.append(match)
            unknowns.extend(found)

    if trues:
        return _with_value(Tri.TRUE, trues, details, text)
    if unknown_matches:
        outcome = _with_value(Tri.UNKNOWN, unknown_matches, details, text)
        return Outcome(Tri.UNKNOWN, paths=outcome.paths, details=outcome.details,
                       unknowns=tuple(dict.fromkeys(unknowns)))
    return _with_value(Tri.FALSE, present, details, text)


def _with_value(verdict: Tri, matches: Sequence[Match], details: dict[str, Any],
                text: str) -> Outcome:
    value = matches[0].value
    return Outcome(
        verdict,
        paths=tuple(m.path for m in matches),
        details={**details, "value": value, "values": {text: value}},
    )


def _judge(
    name: str, match: Match, argument: Any, ctx: RuleContext, text: str
) -> tuple[Tri, list[Unknown]]:
    value = match.value
    if is_unknown(value):
        return Tri.UNKNOWN, [value]
    if name == "exists":
        return (Tri.TRUE if argument else Tri.FALSE), []
    try:
        verdict = operators.apply(name, value, argument)
    except operators.TypeMismatch as mismatch:
        return Tri.UNKNOWN, [Unknown(
            expression=f"{text} = {value!r}",
            reason=f"{mismatch}; {name} compares numbers only",
            span=ctx.resource.span_at(match.path),
        )]
    if verdict is Tri.UNKNOWN:
        return verdict, list(_nested_unknowns(value)) or [Unknown(
            expression=text, reason="the value is only partly known",
            span=ctx.resource.span_at(match.path))]
    return verdict, []


def _nested_unknowns(value: Any) -> list[Unknown]:
    if isinstance(value, Unknown):
        return [value]
    if isinstance(value, dict):
        return [u for v in value.values() for u in _nested_unknowns(v)]
    if isinstance(value, list):
        return [u for v in value for u in _nested_unknowns(v)]
    return []
