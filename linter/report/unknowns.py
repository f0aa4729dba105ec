"""Unknown verdicts as reportable notes (``--show-unknown``), reserved id IAC0006.

An ``UnknownVerdict`` says that a rule could not decide on a resource because some value is not
known before deployment. Reports list it as a note at the resource, naming the rule and every
expression that could not be evaluated, with each expression's own location as a related one.
"""

from __future__ import annotations

from collections.abc import Iterable

from linter.fingerprint import fallback_fingerprint
from linter.model import Finding, Related, Unknown, UnknownVerdict
from linter.records import replace
from linter.rule import UNKNOWN_VERDICT, Rule, tool_finding


def describe_unknown(unknown: Unknown) -> str:
    """``var.tokens`` (no value given)."""
    expression = " ".join(unknown.expression.split()) or "?"
    if len(expression) > 120:
        expression = expression[:117] + "..."
    return f"`{expression}` ({unknown.reason})" if unknown.reason else f"`{expression}`"


def unknown_message(verdict: UnknownVerdict, rule_name: str) -> str:
    rule = f"{verdict.rule_id} {rule_name}" if rule_name else verdict.rule_id
    target = verdict.address or verdict.span.file
    expressions = ", ".join(describe_unknown(u) for u in verdict.unknowns) or "a value"
    return f"{rule} could not decide on {target}: {expressions} cannot be evaluated"


def unknown_finding(verdict: UnknownVerdict, rule_name: str = "") -> Finding:
    related = tuple(
        Related(span=u.span, message=f"{describe_unknown(u)} cannot be evaluated")
        for u in verdict.unknowns
        if u.span is not None
    )
    base = tool_finding(
        UNKNOWN_VERDICT, unknown_message(verdict, rule_name), verdict.span, verdict.address
    )
    expressions = [u.expression for u in verdict.unknowns]
    return replace(
        base,
        related=related,
        fingerprint=fallback_fingerprint(
            base.rule_id, verdict.rule_id, verdict.address, verdict.span.file, *expressions
        ),
        properties={"rule": verdict.rule_id, "expressions": expressions},
    )


def with_unknowns(
    findings: Iterable[Finding],
    verdicts: Iterable[UnknownVerdict],
    rules: Iterable[Rule],
    show_unknown: bool,
) -> list[Finding]:
    """The findings to report: all of them, plus (with ``show_unknown``) one IAC0006 per verdict.

    A verdict that the pipeline already turned into an IAC0006 finding is not listed twice.
    """
    out = list(findings)
    if show_unknown:
        names = {rule.id: rule.name for rule in rules}
        listed = [f for f in out if f.rule_id == UNKNOWN_VERDICT.id]
        for verdict in verdicts:
            if not any(_lists(f, verdict) for f in listed):
                out.append(unknown_finding(verdict, names.get(verdict.rule_id, "")))
    out.sort(key=lambda f: f.sort_key)
    return out


def _lists(finding: Finding, verdict: UnknownVerdict) -> bool:
    """Whether an IAC0006 finding already reports this verdict."""
    rule = finding.properties.get("rule")
    names_rule = rule == verdict.rule_id if rule else verdict.rule_id in finding.message
    return names_rule and finding.address == verdict.address and finding.span == verdict.span
