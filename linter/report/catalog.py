"""The rules a report describes: the rules that ran plus the reserved tool rules that were used.

``RuleInfo`` is the one view of a rule every format reads, whether it comes from a YAML rule
(``linter.rule.Rule``), a reserved tool rule (``linter.rule``) or, defensively,
only from a finding whose rule is in neither (a rule filtered out after it fired).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field

from linter.model import Finding, Severity
from linter.records import record
from linter.rule import RESERVED, Control, Docs, Equivalent, Remediation, ReservedRule, Rule

TOOL_CATEGORY = "tool"
PROJECT_URI = "https://github.com/iaclint/iaclint"
TOOL_DOCS_URI = f"{PROJECT_URI}/blob/main/docs/ARCHITECTURE.md#reserved-tool-rule-ids-category-tool"


@record
class RuleInfo:
    id: str
    name: str
    category: str
    severity: Severity
    title: str
    help_uri: str
    security_severity: str = ""  # "" for tool rules (they are not security alerts)
    tags: tuple[str, ...] = ()
    docs: Docs = field(default_factory=Docs)
    remediation: Remediation = field(default_factory=Remediation)
    precision: str = "high"
    message: str = ""  # the rule's message template ({address}, {type}, …); "" for tool rules
    equivalents: tuple[Equivalent, ...] = ()  # the same check in other scanners
    compliance: tuple[Control, ...] = ()

    @property
    def is_tool(self) -> bool:
        return self.category == TOOL_CATEGORY


def from_rule(rule: Rule) -> RuleInfo:
    precision = rule.precision
    if precision not in ("very-high", "high", "medium", "low"):
        precision = "high"
    return RuleInfo(
        id=rule.id,
        name=rule.name,
        category=rule.category,
        severity=rule.severity,
        title=rule.title,
        help_uri=rule.help_uri,
        security_severity=rule.security_severity,
        tags=rule.tags,
        docs=rule.docs,
        remediation=rule.remediation,
        precision=precision,
        message=rule.message,
        equivalents=rule.equivalents,
        compliance=rule.compliance,
    )


def from_reserved(rule: ReservedRule) -> RuleInfo:
    return RuleInfo(
        id=rule.id,
        name=rule.name,
        category=TOOL_CATEGORY,
        severity=rule.severity,
        title=rule.title,
        help_uri=TOOL_DOCS_URI,
        docs=Docs(what=f"{rule.title}: a finding about the scan itself, not about the code."),
    )


def from_finding(finding: Finding) -> RuleInfo:
    return RuleInfo(
        id=finding.rule_id,
        name=finding.rule_name or finding.rule_id,
        category=finding.category,
        severity=finding.severity,
        title=finding.rule_name or finding.rule_id,
        help_uri=PROJECT_URI,
    )


def catalog(rules: Iterable[Rule], findings: Iterable[Finding]) -> dict[str, RuleInfo]:
    """Rule id → info: every rule that ran, then any other rule a finding names (in order)."""
    out: dict[str, RuleInfo] = {rule.id: from_rule(rule) for rule in rules}
    for finding in findings:
        if finding.rule_id in out:
            continue
        reserved = RESERVED.get(finding.rule_id)
        out[finding.rule_id] = from_reserved(reserved) if reserved else from_finding(finding)
    return out
