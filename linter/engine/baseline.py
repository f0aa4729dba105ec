"""Baselines: accept today's findings, fail only on new ones.

``iaclint baseline create PATH… -o .iaclint-baseline.json`` records every current finding by its
fingerprint (rule, resource address, normalized offending value — never the line number, so an
entry survives line moves and unrelated edits). ``iaclint check --baseline FILE`` marks findings
found in the file as suppressed (kind ``external``; kept in JSON and SARIF) and lists the
entries that no longer occur, so the file can shrink.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
from collections import Counter
from collections.abc import Sequence
from typing import Any

from linter import __version__
from linter.discover.read import MISSING, Refused, read_regular
from linter.errors import ConfigError
from linter.fingerprint import fingerprint_of
from linter.model import Finding, Suppression
from linter.records import replace
from linter.result import BaselineEntry
from linter.rule import SUPPRESSION_PROBLEM, UNUSED_SUPPRESSION

BASELINE_VERSION = 1
MAX_BASELINE_BYTES = 256 * 1024 * 1024


# problems with suppressions are fixed in the code, never accepted into a baseline
NOT_BASELINED = frozenset({UNUSED_SUPPRESSION.id, SUPPRESSION_PROBLEM.id})


def entries_of(findings: Sequence[Finding]) -> list[BaselineEntry]:
    """Entries for the active findings (tool findings about files included: a file that does
    not parse can be accepted too; its fingerprint ignores line numbers)."""
    return [
        BaselineEntry(fingerprint_of(f), f.rule_id, f.address, f.span.file, f.message)
        for f in findings
        if f.suppression is None and f.rule_id not in NOT_BASELINED
    ]


def write_baseline(findings: Sequence[Finding], path: str | pathlib.Path) -> int:
    entries = entries_of(findings)
    document = {
        "version": BASELINE_VERSION,
        "tool": {"name": "iaclint", "version": __version__},
        "findings": [
            dataclasses.asdict(e)
            for e in sorted(entries, key=lambda e: (e.file, e.rule, e.resource, e.fingerprint))
        ],
    }
    pathlib.Path(path).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return len(entries)


def read_baseline(path: str | pathlib.Path) -> list[BaselineEntry]:
    data = read_regular(pathlib.Path(path), MAX_BASELINE_BYTES)
    if isinstance(data, Refused):
        if data.kind == MISSING:
            raise ConfigError("baseline file not found", str(path))
        raise ConfigError(f"cannot read baseline: it {data.message}", str(path))
    try:
        document: Any = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ConfigError(f"cannot read baseline: {exc}", str(path)) from exc
    if not isinstance(document, dict) or document.get("version") != BASELINE_VERSION:
        raise ConfigError(f"not an iaclint baseline (version {BASELINE_VERSION})", str(path), "$")
    entries = []
    for index, item in enumerate(document.get("findings", [])):
        try:
            entries.append(
                BaselineEntry(
                    **{
                        k: str(item[k])
                        for k in ("fingerprint", "rule", "resource", "file", "message")
                    }
                )
            )
        except (KeyError, TypeError) as exc:
            raise ConfigError(
                "malformed baseline entry", str(path), f"$.findings[{index}]"
            ) from exc
    return entries


def apply_baseline(
    findings: Sequence[Finding], entries: Sequence[BaselineEntry]
) -> tuple[list[Finding], list[BaselineEntry]]:
    """Findings with baseline matches marked suppressed, and the entries whose finding is gone.

    Matching counts multiplicity: two identical entries cover two identical findings. A finding
    also suppressed inline still uses up its entry (it keeps its inline suppression): the entry
    is not stale, since removing the comment would bring the finding back.
    """
    available = Counter(e.fingerprint for e in entries)
    out: list[Finding] = []
    for finding in findings:
        key = fingerprint_of(finding)
        if (finding.suppression is None and finding.rule_id not in NOT_BASELINED
                and available[key]):
            available[key] -= 1
            finding = replace(
                finding, suppression=Suppression("external", "recorded in the baseline")
            )
        out.append(finding)
    for finding in findings:  # then those suppressed otherwise: still there, so not stale
        key = fingerprint_of(finding)
        if finding.suppression is not None and available[key]:
            available[key] -= 1
    stale: list[BaselineEntry] = []
    for entry in entries:
        if available[entry.fingerprint] > 0:
            available[entry.fingerprint] -= 1
            stale.append(entry)
    return out, stale
