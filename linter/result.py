"""``ScanResult``: everything a scan found, handed to the reports (and to ``--diff-base``)."""

from __future__ import annotations

import pathlib
from dataclasses import field

from linter.model import Finding, ParseResult, Resource, Unknown, UnknownVerdict
from linter.records import mutable, record
from linter.rule import Rule


@record
class BaselineEntry:
    fingerprint: str
    rule: str
    resource: str
    file: str
    message: str


@mutable
class ScanResult:
    root: pathlib.Path  # the scan root; every Span.file is relative to it
    findings: list[Finding] = field(default_factory=list)  # rule and tool findings, sorted
    unknown_verdicts: list[UnknownVerdict] = field(default_factory=list)
    unknowns: list[Unknown] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # files scanned (relative)
    rules: list[Rule] = field(default_factory=list)  # rules that ran
    duration: float = 0.0  # seconds
    stale_baseline: list[BaselineEntry] = field(
        default_factory=list
    )  # entries that no longer occur
    resources: list[Resource] = field(default_factory=list)  # the resources the rules judged
    # what the front ends produced per unit (root module or template): the base of --diff-base
    units: dict[str, ParseResult] = field(default_factory=dict)
