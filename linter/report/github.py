"""GitHub Actions workflow commands: annotations on the pull-request diff.

``::error file=main.tf,line=12,col=19,endLine=12,endColumn=29,title=IAC0101 imds-v1-allowed::…``
(``warning`` and ``notice`` for the other severities). File paths are relative to the repository
(the work tree that holds the scan root). Data is escaped as the runner expects (``%``, CR, LF),
property values also ``:`` and ``,``. Suppressed findings are not annotated; the last line is the
summary, as plain log output.
"""

from __future__ import annotations

from linter.model import Finding, Severity
from linter.report.frame import printable
from linter.report.locations import Base, SourceFiles, end_column, find_base
from linter.report.redact import redact, secrets_of_result
from linter.report.summary import summarize, summary_line
from linter.report.unknowns import with_unknowns
from linter.result import ScanResult

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: ScanResult, *, color: bool = False, show_unknown: bool = False,
           quiet: bool = False) -> str:
    secrets = secrets_of_result(result)
    base = find_base(result.root)
    sources = SourceFiles(result.root)
    lines = [
        annotation(f, base, sources, secrets)
        for f in with_unknowns(result.findings, result.unknown_verdicts, result.rules,
                               show_unknown)
        if f.suppression is None
    ]
    if not quiet:
        lines.append(summary_line(summarize(result)))
    return "\n".join(lines) + "\n" if lines else ""


def annotation(finding: Finding, base: Base, sources: SourceFiles,
               secrets: tuple[str, ...]) -> str:
    span = finding.span
    properties = [
        ("file", base.path(span.file)),
        ("line", str(span.start_line)),
        ("col", str(span.start_col)),
        ("endLine", str(span.end_line)),
    ]
    end = end_column(span, sources)
    if end is not None:
        properties.append(("endColumn", str(end)))
    properties.append(("title", f"{finding.rule_id} {finding.rule_name}".strip()))
    message = finding.message
    if finding.address and finding.address not in message:
        message = f"{finding.address}: {message}"
    for related in finding.related:
        message += f"\n{related.span.file}:{related.span.start_line}: {related.message}"
    # a runner would also obey a command hidden in a message line: keep messages printable
    message = "\n".join(printable(redact(line, secrets)) for line in message.split("\n"))
    rendered = ",".join(f"{key}={escape_property(redact(value, secrets))}"
                        for key, value in properties)
    return f"::{COMMANDS[finding.severity]} {rendered}::{escape_data(message)}"
