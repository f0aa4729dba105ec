"""Scan a few files written to a temporary directory (for the check tests)."""

from __future__ import annotations

import pathlib

from linter.options import ScanOptions
from linter.pipeline import scan
from linter.result import ScanResult


def scan_files(root: pathlib.Path, files: dict[str, str], *rule_ids: str) -> ScanResult:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    options = ScanOptions(select=rule_ids, use_env_vars=False)
    return scan([str(root)], options, root=root)


def messages(result: ScanResult, rule_id: str) -> dict[str, str]:
    return {f.address: f.message for f in result.findings if f.rule_id == rule_id}


def undecided(result: ScanResult, rule_id: str) -> set[str]:
    return {v.address for v in result.unknown_verdicts if v.rule_id == rule_id}
