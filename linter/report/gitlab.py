"""GitLab code quality report (the Code Climate subset GitLab reads): one JSON array, one
object per unsuppressed finding.

GitLab keeps only the items before the first invalid one and shows findings with equal
fingerprints once, so every item carries the documented fields (``description``,
``check_name``, ``fingerprint``, ``severity``, ``location.path``, ``location.lines.begin``) and
a fingerprint unique in the report: the finding's own (stable across runs and line moves),
re-hashed with a counter when two findings share one. Paths are relative to the repository.
Severities: error → ``critical``, warning → ``major``, note → ``info``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from linter.fingerprint import fingerprint_of
from linter.model import Finding, Severity
from linter.report.catalog import TOOL_CATEGORY
from linter.report.redact import redact_tree, secrets_of_result
from linter.report.serialize import indented_json
from linter.report.unknowns import with_unknowns
from linter.result import ScanResult

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.NOTE: "info"}


def render(result: ScanResult, *, color: bool = False, show_unknown: bool = False) -> str:
    findings = [
        f for f in with_unknowns(result.findings, result.unknown_verdicts, result.rules,
                                 show_unknown)
        if f.suppression is None
    ]
    seen: set[str] = set()
    issues = [issue(f, unique(fingerprint_of(f), seen)) for f in findings]
    redacted = redact_tree(issues, secrets_of_result(result))
    return indented_json(redacted)


def unique(fingerprint: str, seen: set[str]) -> str:
    candidate, counter = fingerprint, 1
    while candidate in seen:
        counter += 1
        candidate = hashlib.sha256(f"{fingerprint}#{counter}".encode()).hexdigest()[:32]
    seen.add(candidate)
    return candidate


def issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    description = " ".join(finding.message.split()) or finding.rule_name
    if finding.address and finding.address not in description:
        description = f"{finding.address}: {description}"
    span = finding.span
    return {
        "type": "issue",
        "check_name": finding.rule_id,
        "description": f"{finding.rule_id} {description}",
        "categories": ["Bug Risk" if finding.category == TOOL_CATEGORY else "Security"],
        "severity": SEVERITIES[finding.severity],
        "fingerprint": fingerprint,
        "location": {
            "path": span.file,
            "lines": {"begin": max(span.start_line, 1),
                      "end": max(span.end_line, span.start_line, 1)},
        },
    }
