"""Helpers of the IAM tests: statements from JSON, scans of small Terraform/CFN sources."""

from __future__ import annotations

import pathlib
import textwrap
from typing import Any

from linter.graph.graph import Graph
from linter.iam.policy import Statement, statements_from_json
from linter.options import ScanOptions
from linter.pipeline import build_graph, scan
from linter.result import ScanResult


def statements(*raw: dict[str, Any]) -> tuple[Statement, ...]:
    found, unknowns = statements_from_json({"Version": "2012-10-17", "Statement": list(raw)},
                                           ("policy",), "test.policy", {})
    assert not unknowns
    return found


def scan_files(root: pathlib.Path, files: dict[str, str], *rule_ids: str) -> ScanResult:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    options = ScanOptions(select=rule_ids, use_env_vars=False, show_unknown=True)
    return scan([str(root)], options, root=root)


def graph_of(result: ScanResult) -> Graph:
    assert len(result.units) == 1, list(result.units)
    return build_graph(next(iter(result.units.values())), ScanOptions())


def hits(result: ScanResult, rule_id: str) -> set[tuple[str, int]]:
    """(address, line) of every finding of ``rule_id``."""
    return {(f.address, f.span.start_line) for f in result.findings if f.rule_id == rule_id}


def flagged(result: ScanResult, rule_id: str) -> set[str]:
    return {f.address for f in result.findings if f.rule_id == rule_id}
