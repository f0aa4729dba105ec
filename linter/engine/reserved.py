"""The reserved rule ids for findings about the scan itself (category ``tool``)."""

from __future__ import annotations

from dataclasses import dataclass

from linter.model import Finding, Severity, Span


@dataclass(frozen=True)
class ReservedRule:
    id: str
    name: str
    severity: Severity
    title: str


FILE_DOES_NOT_PARSE = ReservedRule(
    "IAC0001", "file-does-not-parse", Severity.ERROR, "File could not be parsed")
RULE_RAISED = ReservedRule(
    "IAC0002", "rule-raised", Severity.ERROR, "A rule failed on this resource (iaclint bug)")
UNUSED_SUPPRESSION = ReservedRule(
    "IAC0003", "unused-suppression", Severity.WARNING, "Suppression matches no finding")
EVALUATION_NOTE = ReservedRule(
    "IAC0004", "evaluation-note", Severity.NOTE, "Something could not be evaluated")
SUPPRESSION_PROBLEM = ReservedRule(
    "IAC0005", "suppression-problem", Severity.WARNING, "Suppression is expired or incomplete")
UNKNOWN_VERDICT = ReservedRule(
    "IAC0006", "unknown-verdict", Severity.NOTE, "A rule could not decide: a value is unknown")

RESERVED: dict[str, ReservedRule] = {
    r.id: r
    for r in (FILE_DOES_NOT_PARSE, RULE_RAISED, UNUSED_SUPPRESSION, EVALUATION_NOTE,
              SUPPRESSION_PROBLEM, UNKNOWN_VERDICT)
}


def tool_finding(rule: ReservedRule, message: str, span: Span, address: str = "") -> Finding:
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        category="tool",
        severity=rule.severity,
        message=message,
        span=span,
        address=address,
    )
