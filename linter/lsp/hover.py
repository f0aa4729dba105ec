"""Hover on a finding: its message, the evidence chain, the automatic fix, and the rule's
documentation (what, why, use instead, remediation for Terraform, CloudFormation and the AWS CLI
— the page ``iaclint rule ID`` prints, ``linter.report.rule_docs``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from linter.model import Finding
from linter.regex import lazy
from linter.report.redact import redact
from linter.report.rule_docs import rule_markdown
from linter.rule import RESERVED, Rule

_HEADING = lazy(r"^(#+) ", re.MULTILINE)


def demoted(markdown: str, levels: int = 2) -> str:
    """Headings two levels down: a hover is small."""
    return _HEADING.sub(lambda m: "#" * min(len(m.group(1)) + levels, 6) + " ", markdown)


def finding_markdown(finding: Finding, rules: Mapping[str, Rule], secrets: Sequence[str]) -> str:
    out = [f"**{finding.rule_id}** `{finding.rule_name}` ({finding.severity.value}): "
           f"{redact(finding.message, secrets)}"]
    if finding.related:
        out += ["", "Evidence:"]
        out += [f"- `{r.span.file}:{r.span.start_line}` {redact(r.message, secrets)}"
                for r in finding.related]
    fix = getattr(finding, "fix", None)  # Finding.fix: with the autofix branch
    if fix is not None:
        description = str(getattr(fix, "description", ""))
        if getattr(fix, "edits", ()):
            out += ["", f"Quick fix available: {description}"]
        elif getattr(fix, "note", ""):
            out += ["", f"No automatic fix: {getattr(fix, 'note', '')}"]
    rule = rules.get(finding.rule_id)
    if rule is not None:
        out += ["", "---", "", demoted(rule_markdown(rule)).rstrip()]
    elif finding.rule_id in RESERVED:
        out += ["", f"*{RESERVED[finding.rule_id].title}* (a finding about the scan itself)"]
    return "\n".join(out)


def hover_markdown(findings: Sequence[Finding], rules: Sequence[Rule],
                   secrets: Sequence[str]) -> str:
    by_id = {rule.id: rule for rule in rules}
    return "\n\n---\n\n".join(finding_markdown(f, by_id, secrets) for f in findings)
