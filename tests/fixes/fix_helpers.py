"""Run the fix stage on files written to a temporary directory."""

from __future__ import annotations

import pathlib
from collections.abc import Mapping

from linter.fixes.apply import FixOutcome, apply_fixes
from linter.options import ScanOptions
from linter.pipeline import scan
from linter.result import ScanResult

IMDS = ("IAC0101", "IAC0102", "IAC0103")


def fix_files(root: pathlib.Path, files: Mapping[str, str | bytes], **options: object
              ) -> tuple[dict[str, str], FixOutcome, ScanResult]:
    """The files after ``--fix`` (only those that change), what was fixed, and the scan."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    settings: dict[str, object] = {"select": IMDS, "fixes": True, **options}
    result = scan([str(root)], ScanOptions(**settings), root=root)  # type: ignore[arg-type]
    outcome = apply_fixes(result.root, result.findings)
    return {c.file: c.after for c in outcome.changes}, outcome, result


def notes(outcome: FixOutcome) -> list[str]:
    return [f"{f.address}: {note}" for f, note in outcome.unfixed]
