"""Runs the stages: discover → parse → evaluate → graph → rules → suppress. (Being written.)"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field

from linter.engine.rule import Rule
from linter.model import Finding, Unknown, UnknownVerdict


@dataclass
class ScanResult:
    root: pathlib.Path  # the scan root; every Span.file is relative to it
    findings: list[Finding] = field(default_factory=list)  # rule and tool findings, sorted
    unknown_verdicts: list[UnknownVerdict] = field(default_factory=list)
    unknowns: list[Unknown] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # files scanned (relative)
    rules: list[Rule] = field(default_factory=list)  # rules that ran
    duration: float = 0.0  # seconds
