"""Rule documentation from the rule files: the rule list, one rule's page, and docs/rules/*.md.

The same text drives ``iaclint rule ID``, the generated docs pages and SARIF ``help``.
"""

from __future__ import annotations

import pathlib
from collections.abc import Sequence

from linter.engine.rule import Rule
from linter.model import Format

FENCE = {"terraform": "hcl", "cloudformation": "yaml", "cli": "sh"}


def rule_table(rules: Sequence[Rule]) -> str:
    """``iaclint rules``: one line per rule."""
    rows = sorted(rules, key=lambda r: r.id)
    width = max((len(r.name) for r in rows), default=10)
    lines = [f"{'ID':<8} {'NAME':<{width}} {'SEVERITY':<8} {'CATEGORY':<26} TITLE"]
    for rule in rows:
        lines.append(
            f"{rule.id:<8} {rule.name:<{width}} {rule.severity.value:<8} "
            f"{rule.category:<26} {rule.title}"
        )
    return "\n".join(lines) + "\n"


def _code(lang: str, text: str) -> list[str]:
    return [f"```{FENCE.get(lang, lang)}", text.rstrip("\n"), "```", ""]


def rule_markdown(rule: Rule) -> str:
    """One rule's documentation page (markdown; also readable as plain text in a terminal)."""
    out = [f"# {rule.id} {rule.name}", "", f"**{rule.title}**", ""]
    out += [
        f"- Severity: {rule.severity.value} (security-severity {rule.security_severity})",
        f"- Category: {rule.category}",
        f"- Applies to: {', '.join(t for fmt in (Format.TERRAFORM, Format.CLOUDFORMATION) if fmt in rule.match for t in rule.match[fmt].types)}",  # noqa: E501
    ]
    if rule.aliases:
        out.append(f"- Also known as: {', '.join(rule.aliases)}")
    if not rule.suppressible:
        out.append("- Inline suppressions are not allowed for this rule")
    out.append("")
    if rule.docs.what:
        out += ["## What it does", "", rule.docs.what.strip(), ""]
    if rule.docs.why:
        out += ["## Why is this bad?", "", rule.docs.why.strip(), ""]
    if rule.docs.example:
        out += ["## Example", ""]
        for lang, text in rule.docs.example.items():
            out += _code(lang, text)
    if rule.docs.fix:
        out += ["## Use instead", "", rule.docs.fix.strip(), ""]
    remediation = [
        ("Terraform", "terraform", rule.remediation.terraform),
        ("CloudFormation", "cloudformation", rule.remediation.cloudformation),
        ("Already deployed (AWS CLI)", "cli", rule.remediation.cli),
    ]
    if any(text for _, _, text in remediation):
        out += ["## Remediation", ""]
        for title, lang, text in remediation:
            if text:
                out += [f"### {title}", "", *_code(lang, text)]
    if rule.docs.references:
        out += ["## References", ""]
        out += [f"- <{ref}>" for ref in rule.docs.references]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def write_rule_pages(rules: Sequence[Rule], directory: str | pathlib.Path) -> list[pathlib.Path]:
    """``iaclint rules --format markdown --output DIR``: one page per rule plus an index."""
    target = pathlib.Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written: list[pathlib.Path] = []
    for rule in sorted(rules, key=lambda r: r.id):
        page = target / f"{rule.name}.md"
        page.write_text(rule_markdown(rule), encoding="utf-8")
        written.append(page)
    index = [
        "# iaclint rules",
        "",
        "| id | name | severity | category | title |",
        "|---|---|---|---|---|",
    ]
    for rule in sorted(rules, key=lambda r: r.id):
        index.append(
            f"| {rule.id} | [{rule.name}]({rule.name}.md) | {rule.severity.value} "
            f"| {rule.category} | {rule.title} |"
        )
    (target / "README.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    return written
