"""The terminal report (ruff / rustc style).

```
main.tf:12:19: IAC0101 [error] aws_instance.web allows IMDSv1 (aws_instance.web)
   |
12 |     http_tokens = "optional"
   |                   ^^^^^^^^^^
   = note: main.tf:30: the instance profile attached here (aws_iam_instance_profile.web)

Found 1 error, 0 warnings, 0 notes (0 suppressed, 0 unknown) in 3 files, 0.05s.
```

Findings are grouped by file, in line order; suppressed findings are only counted. Colour (via
rich) only when the caller asks for it: the CLI does on a terminal without ``NO_COLOR``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from linter.model import Finding, Related, Severity
from linter.regex import lazy
from linter.report.frame import Paint, code_frame, printable
from linter.report.locations import SourceFiles, in_child_module
from linter.report.redact import redact, secrets_of_result
from linter.report.summary import summarize, summary_line
from linter.report.unknowns import with_unknowns
from linter.result import ScanResult
from linter.rule import Rule

STYLES = {
    "location": "bold",
    "error": "bold red",
    "warning": "bold yellow",
    "note": "bold cyan",
    "gutter": "blue",
    "address": "dim",
    "note-label": "bold",
    "summary": "bold",
}


def painter(color: bool) -> Paint:
    if not color:
        return lambda text, style: text
    from rich.color import ColorSystem  # lazily: only a terminal pays for rich
    from rich.style import Style

    styles = {name: Style.parse(spec) for name, spec in STYLES.items()}

    def paint(text: str, style: str) -> str:
        if not text or style not in styles:
            return text
        return styles[style].render(text, color_system=ColorSystem.STANDARD)

    return paint


def render(result: ScanResult, *, color: bool = False, show_unknown: bool = False,
           quiet: bool = False) -> str:
    secrets = secrets_of_result(result)
    paint = painter(color)
    sources = SourceFiles(result.root)
    shown = [
        f for f in with_unknowns(result.findings, result.unknown_verdicts, result.rules,
                                 show_unknown)
        if f.suppression is None
    ]
    rules = {rule.id: rule for rule in result.rules}
    helps: dict[str, list[str]] = {}  # the same for every finding of a rule: made once
    blocks: list[str] = []
    for _, group in itertools.groupby(shown, key=lambda f: f.span.file):
        for f in group:
            if f.rule_id not in helps:
                helps[f.rule_id] = help_lines(rules.get(f.rule_id), paint)
            blocks.append("\n".join([*finding_lines(f, sources, secrets, paint),
                                     *helps[f.rule_id]]))
    if not quiet:
        blocks.append(paint(summary_line(summarize(result)), "summary"))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def finding_lines(finding: Finding, sources: SourceFiles, secrets: Sequence[str],
                  paint: Paint) -> list[str]:
    def clean(text: str) -> str:
        return printable(redact(text, secrets))

    severity: Severity = finding.severity
    location = paint(f"{clean(str(finding.span))}:", "location")
    rule = paint(finding.rule_id, severity.value)
    label = paint(f"[{severity.value}]", severity.value)
    head = f"{location} {rule} {label} {clean(finding.message)}"
    if finding.address:
        where = finding.address
        if in_child_module(finding.root, finding.span.file):
            where += f" in root module {finding.root.rstrip('/')}/"
        head += " " + paint(f"({clean(where)})", "address")
    lines = [head]
    lines.extend(code_frame(finding.span, sources, secrets, paint, severity.value))
    lines.extend(note_line(related, clean, paint) for related in finding.related)
    return lines


SENTENCE_END = lazy(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)\.\s+(?=[A-Z(`])")


def help_lines(rule: Rule | None, paint: Paint) -> list[str]:
    """What to do: the first sentence of the rule's fix, and the command for deployed resources."""
    if rule is None:
        return []
    label = paint("= help:", "note-label")
    lines = []
    fix = " ".join(rule.docs.fix.split())
    if fix:
        sentence = SENTENCE_END.split(fix, maxsplit=1)[0].rstrip(".")
        lines.append(f"  {label} {printable(sentence)} (`iaclint rule {rule.id}` shows the fix)")
    commands = [c.strip() for c in rule.remediation.cli.splitlines()
                if c.strip() and not c.lstrip().startswith("#")]
    if commands:
        lines.append(f"  {label} already deployed: {printable(commands[0])}")
    return lines


def note_line(related: Related, clean: Callable[[str], str], paint: Paint) -> str:
    span = related.span
    text = f"{clean(span.file)}:{span.start_line}: {clean(related.message)}"
    if related.address and related.address not in related.message:
        text += f" ({clean(related.address)})"
    return f"  {paint('= note:', 'note-label')} {text}"
