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

from linter.discover import scan_root
from linter.errors import ConfigError
from linter.options import ScanOptions
from linter.pipeline import ScanResult, scan


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


def extract_revision(toplevel: pathlib.Path, ref: str, into: pathlib.Path) -> None:
    """The files of ``ref`` under ``into`` (regular files and directories only)."""
    git(toplevel, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    archive = git(toplevel, "archive", "--format=tar", ref)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        members = [m for m in tar.getmembers() if m.isfile() or m.isdir()]
        tar.extractall(into, members=members, filter="data")


def scan_diff(targets: Sequence[str], options: ScanOptions, ref: str) -> ScanResult:
    root = scan_root(list(targets))
    toplevel = pathlib.Path(git(root, "rev-parse", "--show-toplevel").decode().strip()).resolve()
    inside = root.relative_to(toplevel)
    with tempfile.TemporaryDirectory(prefix="iaclint-base-") as tmp:
        base_top = pathlib.Path(tmp)
        extract_revision(toplevel, ref, base_top)
        base_root = base_top / inside
        base_targets = []
        for target in targets:
            rel = pathlib.Path(target).resolve().relative_to(root)
            if (base_root / rel).exists():
                base_targets.append(str(base_root / rel))
        base = (
            scan(base_targets, options, root=base_root) if base_targets else ScanResult(base_root)
        )
    head = scan(targets, options, root=root, base_graph=base.graph)
    seen = Counter(f.fingerprint for f in base.findings if f.fingerprint)
    fresh = []
    for finding in head.findings:
        if finding.fingerprint and seen[finding.fingerprint] > 0:
            seen[finding.fingerprint] -= 1
            continue
        fresh.append(finding)
    head.findings = fresh
    base_unknowns = Counter((u.rule_id, u.address) for u in base.unknown_verdicts)
    head.unknown_verdicts = [
        u for u in head.unknown_verdicts if not base_unknowns[(u.rule_id, u.address)]
    ]
    return head
