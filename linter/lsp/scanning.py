"""One scan of one unit, with the editor's buffers in place of the files on disk.

The pipeline does the work (``linter.pipeline.scan``, the same stages as ``iaclint check``): it
is given the unit's files by name, so discovery reads nothing else, and the open documents as an
overlay (``linter.discover.overlay``). The findings come back located by the front ends, judged,
suppressed and baselined as on the command line; the editor is shown the unsuppressed ones.

Rules with an automatic fix get their edits only when a code action asks (``with_fixes``): fix
planning costs more than judging, and most scans are never followed by a quick fix.
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Mapping
from dataclasses import field

from linter.discover.overlay import overlaid
from linter.discover.read import Refused, read_regular
from linter.discover.walk import is_excluded
from linter.model import Finding
from linter.options import Budgets, ScanOptions
from linter.pipeline import scan
from linter.records import mutable
from linter.result import ScanResult

from .settings import Loaded
from .units import FILE, ModuleIndex, Unit, unit_files


@mutable
class UnitScan:
    """What a scan of one unit found, and the texts it read (for code actions and hover)."""

    unit: Unit
    root: pathlib.Path
    files: frozenset[str]  # root-relative: every file whose diagnostics this scan decides
    findings: list[Finding] = field(default_factory=list)  # unsuppressed, sorted
    result: ScanResult | None = None
    options: ScanOptions = field(default_factory=ScanOptions)
    buffers: Mapping[str, bytes] = field(default_factory=dict)  # path → text the scan read
    fixes_planned: bool = False


def scan_unit(root: pathlib.Path, unit: Unit, index: ModuleIndex, loaded: Loaded,
              buffers: Mapping[str, bytes]) -> UnitScan:
    """Scan ``unit`` of the folder ``root`` with ``buffers`` (absolute path → bytes) overlaid."""
    options = loaded.options
    files = [f for f in unit_files(unit, index) if not is_excluded(f, options.exclude)]
    if not files or (unit.kind == FILE and is_plan(root / unit.path, buffers)):
        return UnitScan(unit, root, frozenset([unit.path] if unit.kind == FILE else files))
    with overlaid(buffers):
        result = scan([str(root / f) for f in files], options, rules=loaded.rules, root=root)
    findings = [f for f in result.findings if f.suppression is None]
    shown = frozenset(files) | {f.span.file for f in findings}
    return UnitScan(unit, root, shown, findings, result, options, buffers)


def is_plan(path: pathlib.Path, buffers: Mapping[str, bytes]) -> bool:
    """A Terraform plan (JSON): generated, not edited; its findings belong to the
    configuration it was made from, which the Terraform units report."""
    if path.suffix != ".json":
        return False
    from linter.frontends.plan import looks_like_plan

    data = buffers.get(str(path))
    if data is None:
        read = read_regular(path, Budgets().template_bytes)  # never a FIFO or a device
        if isinstance(read, Refused):
            return False
        data = read
    return looks_like_plan(data)


def with_fixes(unit_scan: UnitScan) -> UnitScan:
    """``unit_scan`` with the automatic fixes of its findings planned (once), against the same
    buffers the scan read."""
    result = unit_scan.result
    if unit_scan.fixes_planned or result is None:
        return unit_scan
    from linter.fixes.plan import plan_fixes

    options = dataclasses.replace(unit_scan.options, fixes=True)
    with overlaid(unit_scan.buffers):
        planned = plan_fixes(result, options)
    result.findings = planned
    unit_scan.findings = [f for f in planned if f.suppression is None]
    unit_scan.fixes_planned = True
    return unit_scan
