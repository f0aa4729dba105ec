"""The JSON report: a documented, versioned shape (docs/json-output.md).

The shape is described by ``json-output.schema.json`` beside this module (shipped in the
package). Version 1 only ever gains optional keys; a change that removes or retypes a key bumps
``version``. Suppressed findings stay in ``findings`` with their ``suppressed`` record; findings
about the scan itself (reserved ``IAC0…`` ids, category ``tool``) are listed under ``errors``;
every unknown verdict is listed under ``unknown`` whatever ``show_unknown`` says.
"""

from __future__ import annotations

import math
import pathlib
from collections.abc import Mapping
from typing import Any

import linter
from linter.fingerprint import fingerprint_of
from linter.model import Finding, Fix, Related, Span, Unknown, UnknownVerdict
from linter.report.catalog import RuleInfo, catalog
from linter.report.locations import SourceFiles, end_column
from linter.report.redact import redact_tree, secrets_of_result
from linter.report.serialize import indented_json
from linter.report.summary import Summary, is_tool, summarize
from linter.result import ScanResult
from linter.rule import UNKNOWN_VERDICT, Remediation

VERSION = 1
SCHEMA_PATH = pathlib.Path(__file__).with_name("json-output.schema.json")
HIDDEN_PROPERTIES = frozenset({"redact"})  # never written: it lists the secrets themselves


def render(result: ScanResult, *, color: bool = False, show_unknown: bool = False) -> str:
    return indented_json(document(result))


def document(result: ScanResult) -> dict[str, Any]:
    """The report as a JSON-ready dict (redacted)."""
    rules = catalog(result.rules, result.findings)
    sources = SourceFiles(result.root)
    names = {rule_id: info.name for rule_id, info in rules.items()}
    listed = [f for f in result.findings if f.rule_id != UNKNOWN_VERDICT.id]
    doc = {
        "version": VERSION,
        "tool": {"name": "iaclint", "version": linter.__version__},
        "findings": [finding_json(f, rules.get(f.rule_id), sources)
                     for f in listed if not is_tool(f)],
        "unknown": [unknown_json(v, names.get(v.rule_id, ""), sources)
                    for v in result.unknown_verdicts],
        "errors": [finding_json(f, rules.get(f.rule_id), sources)
                   for f in listed if is_tool(f)],
        "summary": summary_json(summarize(result)),
    }
    if result.stale_baseline:  # baseline entries that no longer occur: the file can shrink
        doc["stale_baseline"] = [
            {"rule": e.rule, "resource": e.resource, "file": e.file,
             "fingerprint": e.fingerprint, "message": e.message}
            for e in result.stale_baseline
        ]
    redacted: dict[str, Any] = redact_tree(doc, secrets_of_result(result))
    return redacted


def span_json(span: Span, sources: SourceFiles) -> dict[str, Any]:
    return {
        "file": span.file,
        "line": span.start_line,
        "column": span.start_col,
        "end": {"line": span.end_line, "column": end_column(span, sources)},
    }


def finding_json(finding: Finding, rule: RuleInfo | None, sources: SourceFiles) -> dict[str, Any]:
    out = _finding_json(finding, rule, sources)
    if finding.fix is not None:  # optional key: findings of rules that declare an autofix
        out["fix"] = fix_json(finding.fix)
    return out


def fix_json(fix: Fix) -> dict[str, Any]:
    """What ``--fix`` does for the finding: the edits (regions of the unmodified files, end
    column exclusive, and the text that replaces them), or the note saying why there are none."""
    return {
        "description": fix.description,
        "applicable": fix.applicable,
        "edits": [{"file": e.span.file, "line": e.span.start_line, "column": e.span.start_col,
                   "end": {"line": e.span.end_line, "column": e.span.end_col},
                   "text": e.text} for e in fix.edits],
        "note": fix.note or None,
    }


def _finding_json(finding: Finding, rule: RuleInfo | None, sources: SourceFiles
                  ) -> dict[str, Any]:
    remediation = rule.remediation if rule else Remediation()
    return {
        "rule": finding.rule_id,
        "name": finding.rule_name,
        "category": finding.category,
        "severity": finding.severity.value,
        **span_json(finding.span, sources),
        "resource": finding.address or None,
        "resource_type": finding.resource_type or None,
        "root": finding.root or None,
        "message": finding.message,
        "remediation": {
            "terraform": remediation.terraform or None,
            "cloudformation": remediation.cloudformation or None,
            "cli": remediation.cli or None,
        },
        "help_uri": rule.help_uri if rule else None,
        "related": [related_json(r, sources) for r in finding.related],
        "fingerprint": fingerprint_of(finding),
        "suppressed": None if finding.suppression is None else {
            "kind": finding.suppression.kind,
            "justification": finding.suppression.justification or None,
            "expires": finding.suppression.expires or None,
        },
        "properties": {k: jsonable(v) for k, v in finding.properties.items()
                       if k not in HIDDEN_PROPERTIES},
    }


def related_json(related: Related, sources: SourceFiles) -> dict[str, Any]:
    return {
        **span_json(related.span, sources),
        "message": related.message,
        "resource": related.address or None,
    }


def unknown_json(verdict: UnknownVerdict, rule_name: str, sources: SourceFiles) -> dict[str, Any]:
    return {
        "rule": verdict.rule_id,
        "name": rule_name or None,
        "resource": verdict.address or None,
        **span_json(verdict.span, sources),
        "expressions": [expression_json(u) for u in verdict.unknowns],
    }


def expression_json(unknown: Unknown) -> dict[str, Any]:
    span = unknown.span
    return {
        "expression": unknown.expression,
        "reason": unknown.reason,
        "file": span.file if span else None,
        "line": span.start_line if span else None,
        "column": span.start_col if span else None,
        "refs": list(unknown.refs),
    }


def summary_json(summary: Summary) -> dict[str, Any]:
    return {
        "findings": summary.findings,
        "errors": summary.tool,
        "suppressed": summary.suppressed,
        "unknown": summary.unknown,
        "by_severity": summary.by_severity(),
        "files": summary.files,
        "rules": summary.rules,
        "duration_seconds": round(summary.duration, 3),
    }


def jsonable(value: Any) -> Any:
    """Finding properties as plain JSON (an Unknown becomes its expression text)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Unknown):
        return value.expression
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    return str(value)
