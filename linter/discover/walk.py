"""Find what to scan: Terraform module directories, CloudFormation templates, plan JSON, tfvars.

Terraform is found by directory (every ``.tf``/``.tf.json`` file of a directory forms one
module); CloudFormation and plan JSON by content, so other YAML/JSON (CI files, Kubernetes
manifests, package.json) is skipped silently. Nothing outside the scan root is ever read.

Exclusion patterns follow ``.gitignore`` syntax (``pathspec``): a pattern without a slash matches
a name at any depth (``node_modules``), one with a slash is anchored at the scan root
(``infra/legacy/``), ``*``/``**`` and ``!`` negation work as in git. ``DEFAULT_EXCLUDES`` always
come first (a ``!`` pattern of the user's may re-include); files named explicitly (pre-commit)
are never excluded.

What the walk cannot or will not enter becomes a finding on that path, never a crash and never
silence: a symlink whose target leaves the root or loops, a FIFO / socket / device with a
scannable name (IAC0004 notes), and a directory or file that cannot be read (IAC0001). A
symlink to a directory inside the root is not followed (its target is scanned where it is).
"""

from __future__ import annotations

import functools
import os
import pathlib
import stat
from collections.abc import Iterable
from dataclasses import field

from linter.discover.read import (
    MISSING,
    NOT_REGULAR,
    UNREADABLE,
    Refused,
    confine,
    inside,
    real_path,
)
from linter.model import Finding, Span
from linter.records import mutable
from linter.rule import EVALUATION_NOTE, FILE_DOES_NOT_PARSE, tool_finding

TF_SUFFIXES = (".tf", ".tf.json")
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template", ".cfn")
SCANNED_SUFFIXES = (*TF_SUFFIXES, *TFVARS_SUFFIXES, *TEMPLATE_SUFFIXES)
DEFAULT_EXCLUDES = (".terraform", ".terragrunt-cache", "node_modules", ".git")


@mutable
class Discovery:
    root: pathlib.Path
    module_dirs: list[str] = field(default_factory=list)  # relative POSIX paths ("." = root)
    candidate_files: list[str] = field(default_factory=list)  # YAML/JSON: CFN or plan, by content
    tfvars_files: list[str] = field(default_factory=list)
    only_files: list[str] = field(default_factory=list)  # files named explicitly (pre-commit)
    findings: list[Finding] = field(default_factory=list)  # paths not entered or not read


def scan_root(paths: list[str], cwd: pathlib.Path | None = None) -> pathlib.Path:
    """The directory every reported path is relative to.

    The current directory when every path lies inside it (so SARIF paths are repository
    relative when run from the repository root), else the paths' common parent directory. A
    directory named on the command line is the user's choice and is resolved (symlinks
    followed); a named file's last component is not: a symlinked file (pre-commit passes every
    changed file) stays where it is and is read only if its target is inside the root.
    """
    here = (cwd or pathlib.Path.cwd()).resolve()
    resolved = [_place(here, p) for p in paths] or [here]
    if all(inside(p, here) for p in resolved):
        return here
    dirs = [p if _is_real_dir(p) else p.parent for p in resolved]
    return pathlib.Path(os.path.commonpath([str(d) for d in dirs]))


def _place(cwd: pathlib.Path, raw: str) -> pathlib.Path:
    """``raw`` made absolute: a directory resolved, a file with its last component kept."""
    absolute = pathlib.Path(os.path.normpath(cwd / raw))
    if absolute.name in ("", ".", "..") or os.path.isdir(absolute):
        return absolute.resolve()
    return absolute.parent.resolve() / absolute.name


def _is_real_dir(path: pathlib.Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def relative(root: pathlib.Path, path: pathlib.Path) -> str:
    rel = path.relative_to(root).as_posix()
    return rel or "."


@functools.lru_cache(maxsize=32)
def _spec(patterns: tuple[str, ...]) -> object:
    import pathspec  # only for the user's patterns: the defaults are names (no import cost)

    return pathspec.GitIgnoreSpec.from_lines([*DEFAULT_EXCLUDES, *patterns])


def is_excluded(rel: str, exclude: tuple[str, ...], directory: bool = False) -> bool:
    """Whether ``rel`` (POSIX, relative to the scan root) matches the exclusion patterns."""
    if rel in ("", "."):
        return False
    if not exclude:
        return any(part in DEFAULT_EXCLUDES for part in rel.split("/"))
    spec = _spec(tuple(exclude))
    return bool(spec.match_file(rel + "/" if directory else rel))  # type: ignore[attr-defined]


class _Walk:
    def __init__(self, root: pathlib.Path, exclude: tuple[str, ...]) -> None:
        self.root = root
        self.exclude = exclude
        self.found = Discovery(root=root)
        self.module_dirs: dict[str, None] = {}
        self.candidates: dict[str, None] = {}
        self.tfvars: dict[str, None] = {}
        self._noted: set[str] = set()

    # -- findings on paths

    def note(self, rel: str, message: str, error: bool = False) -> None:
        if rel in self._noted:
            return
        self._noted.add(rel)
        rule = FILE_DOES_NOT_PARSE if error else EVALUATION_NOTE
        self.found.findings.append(tool_finding(rule, f"{rel} {message}", Span(rel, 1)))

    def refused(self, rel: str, refused: Refused) -> None:
        self.note(rel, refused.message, error=not refused.is_note)

    # -- files

    def consider(self, rel: str, explicit: bool) -> None:
        """A file inside the root (``rel``) whose real path is a regular file inside it."""
        name = rel.rsplit("/", 1)[-1]
        if not explicit and is_excluded(rel, self.exclude):
            return
        parent = rel.rsplit("/", 1)[0] if "/" in rel else "."
        if name.endswith(TF_SUFFIXES):
            self.module_dirs[parent] = None
        elif name.endswith(TFVARS_SUFFIXES):
            self.tfvars[rel] = None
            if explicit and _has_terraform(self.root / parent):
                self.module_dirs[parent] = None
        elif name.endswith(TEMPLATE_SUFFIXES):
            self.candidates[rel] = None
        else:
            return
        if explicit:
            self.found.only_files.append(rel)

    def check_file(self, rel: str, path: pathlib.Path, explicit: bool) -> None:
        """A scannable name: follow it only to a regular file inside the root.

        A Terraform file that will not be read still makes its directory a module: the
        Terraform front end reads each file of a module through ``linter.discover.read`` and
        reports the one it refuses (so it is reported once, with the module's other files)."""
        if not explicit and is_excluded(rel, self.exclude):
            return
        real = confine(self.root, rel)
        problem: Refused | None = real if isinstance(real, Refused) else None
        if isinstance(real, pathlib.Path):
            try:
                mode = os.stat(real).st_mode
            except OSError as exc:  # pragma: no cover - raced away after confine resolved it
                mode = 0
                problem = Refused(UNREADABLE, f"cannot be read: {exc.strerror or exc}")
            if stat.S_ISDIR(mode):
                return
            if problem is None and not stat.S_ISREG(mode):
                problem = Refused(NOT_REGULAR, "is not a regular file (a FIFO, socket or "
                                  "device); not read")
            elif problem is None and not os.access(real, os.R_OK):
                problem = Refused(UNREADABLE, "cannot be read: Permission denied")
        if problem is None or rel.endswith(TF_SUFFIXES):
            self.consider(rel, explicit)
            return
        self.refused(rel, problem)
        if explicit:
            self.found.only_files.append(rel)

    # -- directories

    def walk(self, start: pathlib.Path) -> None:
        pending = [start]
        while pending:
            directory = pending.pop()
            rel_dir = relative(self.root, directory)
            try:
                with os.scandir(directory) as scan:
                    entries = sorted(scan, key=lambda e: e.name)
            except OSError as exc:
                self.note(rel_dir if rel_dir != "." else ".",
                          f"(directory) cannot be read: {exc.strerror or exc}; not scanned",
                          error=True)
                continue
            subdirs: list[pathlib.Path] = []
            for entry in entries:
                rel = entry.name if rel_dir == "." else f"{rel_dir}/{entry.name}"
                try:
                    is_link = entry.is_symlink()
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:  # pragma: no cover - lstat of an entry just listed
                    continue
                if is_dir:
                    if not is_excluded(rel, self.exclude, directory=True):
                        subdirs.append(pathlib.Path(entry.path))
                elif is_link:
                    self.symlink(rel, pathlib.Path(entry.path))
                elif entry.name.endswith(SCANNED_SUFFIXES):
                    self.check_file(rel, pathlib.Path(entry.path), explicit=False)
            pending.extend(reversed(subdirs))

    def symlink(self, rel: str, path: pathlib.Path) -> None:
        if is_excluded(rel, self.exclude):
            return
        if rel.endswith(SCANNED_SUFFIXES):
            self.check_file(rel, path, explicit=False)  # followed only into the root
            return
        real = real_path(path)
        if isinstance(real, Refused):
            if real.kind != MISSING:  # a loop: a mistake worth saying; a dangling link is not
                self.refused(rel, real)
        elif not inside(real, self.root) and _is_real_dir(real):
            self.note(rel, "links outside the scan root; not read")
        # a symlink to a directory inside the root is not followed: it is scanned where it is


def _has_terraform(directory: pathlib.Path) -> bool:
    try:
        with os.scandir(directory) as scan:
            return any(e.name.endswith(".tf") for e in scan)
    except OSError:
        return False


def discover(paths: Iterable[str], root: pathlib.Path, exclude: tuple[str, ...]) -> Discovery:
    """What to scan under ``paths`` (directories walked, files taken as named)."""
    walker = _Walk(root, tuple(exclude))
    named = list(paths) or ["."]
    any_directory = False
    for raw in named:
        place = _place(pathlib.Path.cwd(), raw)
        if not inside(place, root):
            continue  # scan_root puts every named path inside the root
        rel = relative(root, place)
        try:
            mode = os.lstat(place).st_mode
        except OSError as exc:
            walker.note(rel, f"cannot be read: {exc.strerror or exc}", error=True)
            walker.found.only_files.append(rel)
            continue
        if stat.S_ISDIR(mode):  # named directories are resolved by _place
            any_directory = True
            walker.walk(place)
        else:
            walker.check_file(rel, place, explicit=True)
    found = walker.found
    if any_directory:
        found.only_files = []  # a directory was named: report everything found
    found.module_dirs = sorted(walker.module_dirs)
    found.candidate_files = sorted(walker.candidates)
    found.tfvars_files = sorted(walker.tfvars)
    found.findings.sort(key=lambda f: f.span.file)
    return found
