"""The counts every format ends with."""

from __future__ import annotations

from linter.model import Finding, Severity
from linter.records import record
from linter.report.catalog import TOOL_CATEGORY
from linter.result import ScanResult
from linter.rule import UNKNOWN_VERDICT


@record
class Summary:
    error: int  # unsuppressed findings per severity (rule and tool findings)
    warning: int
    note: int
    findings: int  # unsuppressed findings of rules
    tool: int  # unsuppressed findings about the scan itself (IAC0001…)
    suppressed: int
    unknown: int  # unknown verdicts
    files: int
    rules: int
    duration: float  # seconds

    def by_severity(self) -> dict[str, int]:
        return {"error": self.error, "warning": self.warning, "note": self.note}


def is_tool(finding: Finding) -> bool:
    return finding.category == TOOL_CATEGORY


def summarize(result: ScanResult) -> Summary:
    counted = [f for f in result.findings if f.rule_id != UNKNOWN_VERDICT.id]
    active = [f for f in counted if f.suppression is None]
    return Summary(
        error=sum(f.severity is Severity.ERROR for f in active),
        warning=sum(f.severity is Severity.WARNING for f in active),
        note=sum(f.severity is Severity.NOTE for f in active),
        findings=sum(not is_tool(f) for f in active),
        tool=sum(is_tool(f) for f in active),
        suppressed=len(counted) - len(active),
        unknown=len(result.unknown_verdicts),
        files=len(result.files),
        rules=len(result.rules),
        duration=result.duration,
    )


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(summary: Summary) -> str:
    """``Found 2 errors, 1 warning, 0 notes (1 suppressed, 3 unknown) in 4 files, 0.12s.``"""
    total = summary.error + summary.warning + summary.note
    counts = ", ".join(
        plural(n, word)
        for n, word in ((summary.error, "error"), (summary.warning, "warning"),
                        (summary.note, "note"))
    )
    head = f"Found {counts}" if total else "No findings"
    extra = f"{summary.suppressed} suppressed, {summary.unknown} unknown"
    return f"{head} ({extra}) in {plural(summary.files, 'file')}, {summary.duration:.2f}s."
