"""Reports: one module per format, each ``render(result, *, color, show_unknown) -> str``."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linter.result import ScanResult

MODULES = {
    "text": "linter.report.text",
    "json": "linter.report.json_report",
    "sarif": "linter.report.sarif",
    "github": "linter.report.github",
    "junit": "linter.report.junit",
}


def render(fmt: str, result: ScanResult, *, color: bool = False, show_unknown: bool = False) -> str:
    module = importlib.import_module(MODULES[fmt])
    text: str = module.render(result, color=color, show_unknown=show_unknown)
    return text
