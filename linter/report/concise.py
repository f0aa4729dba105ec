"""One line per finding, like ruff's concise output: ``file:line:col: ID message``.

```
infra/main.tf:12:5: IAC0101 aws_instance.web allows IMDSv1 (session tokens: optional): …
Found 1 error, 0 warnings, 0 notes (0 suppressed, 0 unknown) in 3 files, 0.05s.
```

Suppressed findings are only counted; the summary line is left out with ``quiet``. Every line
is redacted and made printable (one line per finding, whatever a message holds).
"""

from __future__ import annotations

from linter.model import Finding
from linter.report.frame import printable
from linter.report.redact import redact, secrets_of_result
from linter.report.summary import summarize, summary_line
from linter.report.unknowns import with_unknowns
from linter.result import ScanResult


def render(result: ScanResult, *, color: bool = False, show_unknown: bool = False,
           quiet: bool = False) -> str:
    secrets = secrets_of_result(result)
    lines = [
        printable(redact(line(f), secrets))
        for f in with_unknowns(result.findings, result.unknown_verdicts, result.rules,
                               show_unknown)
        if f.suppression is None
    ]
    if not quiet:
        lines.append(summary_line(summarize(result)))
    return "\n".join(lines) + "\n" if lines else ""


def line(finding: Finding) -> str:
    message = " ".join(finding.message.split())
    if finding.address and finding.address not in message:
        message = f"{finding.address}: {message}"
    return f"{finding.span}: {finding.rule_id} {message}"
