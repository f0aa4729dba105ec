"""What one edit makes the server scan: the units a file belongs to, and the files of a unit.

A unit is what iaclint evaluates as one (the pipeline's units): a Terraform root module (its
directory, the local modules it calls, the variables files beside it) or one file (a
CloudFormation template, a variables file beside no root module). A file of a local module
belongs to every root that calls it, so an edit of ``modules/app/main.tf`` rescans each of
them, and an edit of ``variables.tf`` rescans its root: the diagnostics of ``main.tf`` follow.

``ModuleIndex`` knows which directory calls which through local ``source`` paths. It is built
from the disk once (discovery of the workspace, each module's ``module`` blocks parsed through
the front end's cache) and updated per directory as buffers change, so a new ``module`` block
typed in the editor is followed at once. Nothing here knows the editor: paths are POSIX paths
relative to the workspace folder.
"""

from __future__ import annotations

import os
import pathlib
import posixpath
from collections.abc import Iterable

from linter.discover.walk import TEMPLATE_SUFFIXES, TF_SUFFIXES, TFVARS_SUFFIXES, discover
from linter.records import record

TERRAFORM = "terraform"  # a root module directory
FILE = "file"  # a template, or a variables file beside no root module


@record(order=True)
class Unit:
    kind: str  # TERRAFORM | FILE
    path: str  # POSIX, relative to the workspace folder: "." or "infra/prod", or a file


def kind_of(rel: str) -> str | None:
    """``terraform`` (.tf, .tf.json), ``tfvars`` or ``template`` (YAML/JSON: CloudFormation or
    not, decided by content when scanned); None for a file iaclint does not read."""
    name = rel.rsplit("/", 1)[-1]
    if name.endswith(TF_SUFFIXES):
        return "terraform"
    if name.endswith(TFVARS_SUFFIXES):
        return "tfvars"
    if name.endswith(TEMPLATE_SUFFIXES):
        return "template"
    return None


def parent_dir(rel: str) -> str:
    return posixpath.dirname(rel) or "."


def terraform_files(root: pathlib.Path, directory: str, suffixes: tuple[str, ...] = TF_SUFFIXES
                    ) -> list[str]:
    """The files of ``directory`` (root-relative) ending in ``suffixes``, root-relative."""
    try:
        with os.scandir(root / directory) as entries:
            names = sorted(e.name for e in entries if e.name.endswith(suffixes) and e.is_file())
    except OSError:
        return []
    return [name if directory == "." else f"{directory}/{name}" for name in names]


def direct_callees(root: pathlib.Path, directory: str) -> frozenset[str]:
    """The directories ``directory`` calls through local module sources (``./x``, ``../y``),
    read through the front end (open buffers included)."""
    from linter.frontends.terraform.modules import (
        is_local_source,
        join_dir,
        literal_source,
        load_module_cached,
        module_calls,
    )

    files, _ = load_module_cached(root, directory)
    found: set[str] = set()
    for block in module_calls(files):
        source = literal_source(block)
        if source is None or not is_local_source(source):
            continue
        target = join_dir(directory, source)
        if target is not None and target != directory:
            found.add(target)
    return frozenset(found)


class ModuleIndex:
    """Which Terraform module directories of a workspace folder call which."""

    def __init__(self, root: pathlib.Path, exclude: tuple[str, ...]) -> None:
        self.root = root
        self.exclude = exclude
        self.callees: dict[str, frozenset[str]] | None = None

    def build(self) -> None:
        found = discover([str(self.root)], self.root, self.exclude)
        self.callees = {d: direct_callees(self.root, d) for d in found.module_dirs}

    def refresh(self, directories: Iterable[str]) -> None:
        """Read the module calls of ``directories`` again (a buffer or a file changed).

        A module directory the index has never seen means the workspace changed on disk
        without the editor saying so (a client that does not watch files, a checkout): the
        whole index is read again, so that a new root calling the module is known."""
        if self.callees is None:
            self.build()
            return
        directories = list(directories)
        if any(d not in self.callees and terraform_files(self.root, d) for d in directories):
            self.build()
        for directory in directories:
            if terraform_files(self.root, directory):
                self.callees[directory] = direct_callees(self.root, directory)
            else:
                self.callees.pop(directory, None)

    def _callees(self) -> dict[str, frozenset[str]]:
        if self.callees is None:
            self.build()
        assert self.callees is not None
        return self.callees

    def roots_of(self, directory: str) -> list[str]:
        """The root modules that evaluate ``directory``: itself when no module calls it, else
        every root above it through local calls (a cycle with no root: the directory itself)."""
        callees = self._callees()
        callers: dict[str, set[str]] = {}
        for caller, called in callees.items():
            for target in called:
                callers.setdefault(target, set()).add(caller)
        roots: set[str] = set()
        seen = {directory}
        pending = [directory]
        while pending:
            current = pending.pop()
            above = callers.get(current, set())
            if not above:
                roots.add(current)
            for caller in above - seen:
                seen.add(caller)
                pending.append(caller)
        return sorted(roots) or [directory]

    def closure(self, root_dir: str) -> list[str]:
        """``root_dir`` and every directory it reaches through local calls."""
        callees = self._callees()
        seen = {root_dir}
        pending = [root_dir]
        while pending:
            for target in callees.get(pending.pop(), frozenset()):
                if target not in seen:
                    seen.add(target)
                    pending.append(target)
        return sorted(seen)


def units_of(rel: str, index: ModuleIndex) -> list[Unit]:
    """The units to scan when ``rel`` changes (empty for a file iaclint does not read)."""
    kind = kind_of(rel)
    if kind == "terraform":
        return [Unit(TERRAFORM, d) for d in index.roots_of(parent_dir(rel))]
    if kind == "tfvars":
        directory = parent_dir(rel)
        if terraform_files(index.root, directory) and index.roots_of(directory) == [directory]:
            return [Unit(TERRAFORM, directory)]  # beside a root module: one of its inputs
        return [Unit(FILE, rel)]
    if kind == "template":
        return [Unit(FILE, rel)]
    return []


def unit_files(unit: Unit, index: ModuleIndex) -> list[str]:
    """The files a scan of ``unit`` is given (root-relative): a root module's Terraform files,
    those of the modules it calls, and its variables files; or the one file."""
    if unit.kind == FILE:
        return [unit.path]
    files = [f for d in index.closure(unit.path) for f in terraform_files(index.root, d)]
    files += terraform_files(index.root, unit.path, TFVARS_SUFFIXES)
    return files
