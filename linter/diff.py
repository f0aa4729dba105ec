"""Diff-aware checks: ``iaclint check --diff-base REF``.

The tree at git revision REF is read through git (``git archive``, extracted into a temporary
directory; nothing is checked out and the working tree is never touched), both trees are scanned
the same way, and only findings that are new or changed (a fingerprint the base did not have) are
reported. The base graph is handed to the rules (``Graph.base``), so rules can judge what only a
change shows — an instance profile that swaps its role while instances keep serving the old
role's credentials from IMDS.
"""

from __future__ import annotations

import io
import pathlib
import subprocess
import tarfile
import tempfile
from collections import Counter
from collections.abc import Sequence

from linter.discover.walk import scan_root
from linter.errors import ConfigError
from linter.fingerprint import fingerprint_of
from linter.model import Finding
from linter.options import ScanOptions
from linter.pipeline import ProgressFn, scan
from linter.result import ScanResult


def git(root: pathlib.Path, *args: str) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=False, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"--diff-base needs git: {exc}") from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return proc.stdout


def extract_revision(
    toplevel: pathlib.Path, ref: str, into: pathlib.Path, inside: str = "."
) -> None:
    """The files of ``ref`` (below ``inside``, a directory relative to the top level) under
    ``into`` (regular files and directories only). Nothing when ``inside`` did not exist."""
    git(toplevel, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    pathspec: list[str] = []
    if inside not in ("", "."):
        listed = git(toplevel, "ls-tree", "--name-only", ref, "--", inside)
        if not listed.strip():
            return
        pathspec = ["--", inside]
    archive = git(toplevel, "archive", "--format=tar", ref, *pathspec)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        members = [
            m for m in tar.getmembers()
            if (m.isfile() or m.isdir())
            and not m.name.startswith("/") and ".." not in pathlib.PurePosixPath(m.name).parts
        ]
        if hasattr(tarfile, "data_filter"):
            tar.extractall(into, members=members, filter="data")
        else:  # pragma: no cover - Python < 3.10.12: the members are checked above
            tar.extractall(into, members=members)


def scan_diff(
    targets: Sequence[str], options: ScanOptions, ref: str, *, progress: ProgressFn | None = None
) -> ScanResult:
    root = scan_root(list(targets))
    toplevel = pathlib.Path(git(root, "rev-parse", "--show-toplevel").decode().strip()).resolve()
    inside = root.relative_to(toplevel)
    with tempfile.TemporaryDirectory(prefix="iaclint-base-") as tmp:
        base_top = pathlib.Path(tmp)
        extract_revision(toplevel, ref, base_top, inside.as_posix())
        base_root = base_top / inside
        base_targets = []
        for target in targets:
            rel = pathlib.Path(target).resolve().relative_to(root)
            if (base_root / rel).exists():
                base_targets.append(str(base_root / rel))
        base = (
            scan(base_targets, options, root=base_root, progress=progress)
            if base_targets else ScanResult(base_root)
        )
    head = scan(targets, options, root=root, base=base.units, progress=progress)
    head.findings = new_or_changed(base.findings, head.findings)
    base_unknowns = Counter((u.rule_id, u.address) for u in base.unknown_verdicts)
    head.unknown_verdicts = [
        u for u in head.unknown_verdicts if not base_unknowns[(u.rule_id, u.address)]
    ]
    return head


def diff_key(finding: Finding) -> tuple[str, str]:
    """The same problem (fingerprint: rule, scope, address, attribute path — or, for findings
    about a file, rule, file and message) with the same message: a finding whose offending value
    changed (hop limit 2 → 3) counts as changed and is reported."""
    return fingerprint_of(finding), finding.message


def new_or_changed(base: Sequence[Finding], head: Sequence[Finding]) -> list[Finding]:
    """The findings of ``head`` that ``base`` did not have (counting multiplicity)."""
    seen = Counter(diff_key(f) for f in base)
    fresh = []
    for finding in head:
        key = diff_key(finding)
        if seen[key] > 0:
            seen[key] -= 1
            continue
        fresh.append(finding)
    return fresh
