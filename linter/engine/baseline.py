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
from dataclasses import dataclass
from typing import Any

from linter import __version__
from linter.errors import ConfigError
from linter.model import Finding, Suppression

BASELINE_VERSION = 1


@dataclass(frozen=True)
class BaselineEntry:
    fingerprint: str
    rule: str
    resource: str
    file: str
    message: str


def entries_of(findings: Sequence[Finding]) -> list[BaselineEntry]:
    return [
        BaselineEntry(f.fingerprint, f.rule_id, f.address, f.span.file, f.message)
        for f in findings
        if f.category != "tool" and f.suppression is None and f.fingerprint
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
    try:
        document: Any = json.loads(pathlib.Path(path).read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError("baseline file not found", str(path)) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
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
    """Findings with baseline matches marked suppressed, and the entries that matched nothing.

    Matching counts multiplicity: two identical entries cover two identical findings.
    """
    available = Counter(e.fingerprint for e in entries)
    out: list[Finding] = []
    for finding in findings:
        if finding.suppression is None and finding.fingerprint and available[finding.fingerprint]:
            available[finding.fingerprint] -= 1
            finding = dataclasses.replace(
                finding, suppression=Suppression("external", "recorded in the baseline")
            )
        out.append(finding)
    stale: list[BaselineEntry] = []
    for entry in entries:
        if available[entry.fingerprint] > 0:
            available[entry.fingerprint] -= 1
            stale.append(entry)
    return out, stale
