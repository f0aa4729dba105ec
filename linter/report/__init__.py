"""Reports: one module per format, each ``render(result, *, color, show_unknown) -> str``.

``render`` first makes every path relative to the repository (``locations.repository_relative``),
so that no format depends on the working directory. Formats that end with a summary line also
take ``quiet`` (findings only). ``render`` is the only way out: whatever the format produced
passes through the redactor (``linter.report.redact.redact_output``) before it is returned.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linter.result import ScanResult

MODULES = {
    "text": "linter.report.text",
    "concise": "linter.report.concise",
    "json": "linter.report.json_report",
    "sarif": "linter.report.sarif",
    "github": "linter.report.github",
    "junit": "linter.report.junit",
    "gitlab": "linter.report.gitlab",
}
WITH_SUMMARY = frozenset({"text", "concise", "github"})  # formats that take ``quiet``


def render(fmt: str, result: ScanResult, *, color: bool = False, show_unknown: bool = False,
           quiet: bool = False) -> str:
    from linter.report.locations import repository_relative
    from linter.report.redact import redact_output, secrets_of_result

    module = importlib.import_module(MODULES[fmt])
    extra = {"quiet": quiet} if fmt in WITH_SUMMARY else {}
    relative = repository_relative(result)
    text: str = module.render(relative, color=color, show_unknown=show_unknown, **extra)
    return redact_output(text, secrets_of_result(relative))
