"""Rule documentation from the rule files: the rule list, one rule's page, and docs/rules/*.md.

The same text drives ``iaclint rule ID``, the generated docs pages and SARIF ``help``.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Mapping, Sequence
from typing import Any

from linter.model import Format
from linter.rule import Rule

FENCE = {"terraform": "hcl", "cloudformation": "yaml", "cli": "sh"}
TOOL_TITLES = {"checkov": "Checkov", "trivy": "Trivy / tfsec", "kics": "KICS", "cfn-nag": "cfn_nag"}
FRAMEWORK_TITLES = {
    "aws-fsbp": "AWS Foundational Security Best Practices",
    "cis-aws-foundations": "CIS AWS Foundations Benchmark",
    "aws-control-tower": "AWS Control Tower",
}
# peers whose inline suppressions iaclint honours (linter.engine.suppress)
HONOURED = ("checkov", "trivy")


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


RULES_JSON_VERSION = 1


def rules_json(rules: Sequence[Rule]) -> str:
    """``iaclint rules --format json``: every rule's metadata (versioned; keys are only added)."""
    document = {
        "version": RULES_JSON_VERSION,
        "rules": [rule_json(rule) for rule in sorted(rules, key=lambda r: r.id)],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def rule_json(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "aliases": list(rule.aliases),
        "category": rule.category,
        "severity": rule.severity.value,
        "security_severity": rule.security_severity,
        "title": rule.title,
        "tags": list(rule.tags),
        "opt_in": "opt-in" in rule.tags,
        "suppressible": rule.suppressible,
        "types": {fmt.value: list(block.types) for fmt, block in rule.match.items()},
        "parameters": {
            name: {"default": schema.get("default"), "description": schema.get("description", "")}
            for name, schema in rule.parameters.items()
        },
        "equivalents": [
            {"tool": e.tool, "id": e.id, "name": e.name or None, "aliases": list(e.aliases),
             "title": e.title or None}
            for e in rule.equivalents
        ],
        "compliance": [
            {"framework": c.framework, "control": c.control, "key": c.key,
             "title": c.title or None}
            for c in rule.compliance
        ],
        "help_uri": rule.help_uri,
    }


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
    out += equivalents_section(rule)
    out += compliance_section(rule)
    if rule.autofix:
        out += ["## Automatic fix", "", *_autofix(rule), ""]
    if rule.docs.references:
        out += ["## References", ""]
        out += [f"- <{ref}>" for ref in rule.docs.references]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def equivalents_section(rule: Rule) -> list[str]:
    """The same check in other scanners, and which of their suppressions iaclint honours."""
    if not rule.equivalents:
        return []
    out = ["## Equivalents in other scanners", "",
           "| scanner | id | also named | title |", "|---|---|---|---|"]
    for eq in rule.equivalents:
        others = ", ".join(f"`{name}`" for name in eq.ids[1:])
        title = eq.title + (f" ({eq.note})" if eq.note else "")
        out.append(f"| {TOOL_TITLES.get(eq.tool, eq.tool)} | `{eq.id}` | {others} "
                   f"| {_cell(title)} |")
    out.append("")
    if any(eq.tool in HONOURED for eq in rule.equivalents):
        out += ["Inline suppressions written for Checkov (`checkov:skip=ID:reason`), tfsec "
                "(`tfsec:ignore:ID`) and Trivy (`trivy:ignore:ID`) naming one of these ids also "
                f"suppress {rule.id} (`--no-peer-suppressions` turns this off); "
                f"`--select`/`--ignore` accept the ids too.", ""]
    return out


def compliance_section(rule: Rule) -> list[str]:
    if not rule.compliance:
        return []
    out = ["## Compliance", "",
           "| framework | control | title |", "|---|---|---|"]
    for control in rule.compliance:
        framework = FRAMEWORK_TITLES.get(control.framework, control.framework)
        title = control.title + (f" ({control.note})" if control.note else "")
        out.append(f"| {framework} | `{control.key}` | {_cell(title)} |")
    out += ["", "`--select FRAMEWORK` or `--select FRAMEWORK:CONTROL` runs the rules supporting "
            "a framework or one control.", ""]
    return out
def _shown(value: object) -> str:
    if isinstance(value, dict) and "param" in value:
        return f"the `{value['param']}` parameter"
    if isinstance(value, dict) and "detail" in value:
        return f"the `{value['detail']}` the check reports for the resource"
    return f"`{value}`"


def _autofix(rule: Rule) -> list[str]:
    lines = ["`iaclint check --fix` (or `--fix --diff` to preview) writes:", ""]
    for fmt, specs in rule.autofix.items():
        for spec in specs:
            values = ", ".join(f"`{key}` = {_shown(value)}" for key, value in spec.settings.items())
            lines.append(f"- {fmt.value}: {values} in `{'.'.join(spec.container)}` of "
                         f"{', '.join(spec.types)}")
    lines += ["", "The block or mapping is added where it is missing. A value that comes from "
              "elsewhere is changed at its source (a variable default, tfvars value, local, module "
              "argument, Parameter Default or Mappings entry) when only flagged resources use it; "
              "otherwise the finding is left as it is, with a note saying why."]
    return lines


GENERATED = "<!-- generated by `iaclint rules --format markdown` from the rules; do not edit -->"
INDEX = "README.md"


def rule_pages(rules: Sequence[Rule]) -> dict[str, str]:
    """File name → content of every page ``write_rule_pages`` writes (the rule pages and the
    index), each marked as generated."""
    ordered = sorted(rules, key=lambda r: r.id)
    pages = {f"{rule.name}.md": f"{GENERATED}\n\n{rule_markdown(rule)}" for rule in ordered}
    index = [
        GENERATED,
        "",
        "# iaclint rules",
        "",
        "| id | name | severity | category | title |",
        "|---|---|---|---|---|",
    ]
    for rule in ordered:
        title = rule.title.replace("|", "\\|")
        index.append(
            f"| {rule.id} | [{rule.name}]({rule.name}.md) | {rule.severity.value} "
            f"| {rule.category} | {title} |"
        )
    pages[INDEX] = "\n".join(index) + "\n"
    return pages


def stale_pages(directory: pathlib.Path, pages: Mapping[str, str]) -> list[pathlib.Path]:
    """Generated pages in ``directory`` that no rule produces any more (a renamed rule)."""
    if not directory.is_dir():
        return []
    return sorted(
        path for path in directory.glob("*.md")
        if path.name not in pages and _is_generated(path)
    )


def _is_generated(path: pathlib.Path) -> bool:
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.readline().rstrip("\n") == GENERATED
    except (OSError, UnicodeDecodeError):
        return False


def write_rule_pages(rules: Sequence[Rule], directory: str | pathlib.Path) -> list[pathlib.Path]:
    """``iaclint rules --format markdown --output DIR``: one page per rule plus an index; pages
    this command wrote earlier for rules that no longer exist are removed."""
    target = pathlib.Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    pages = rule_pages(rules)
    for stale in stale_pages(target, pages):
        stale.unlink()
    written: list[pathlib.Path] = []
    for name, text in pages.items():
        page = target / name
        if not page.is_file() or page.read_text(encoding="utf-8") != text:
            page.write_text(text, encoding="utf-8")
        if name != INDEX:
            written.append(page)
    return written
