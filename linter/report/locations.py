"""Where findings are: repository-relative paths and URIs, source lines, region ends.

Spans are relative to the scan root, which depends on the working directory. Every report
shows paths relative to the repository instead, whatever the working directory: the git work
tree (a ``.git`` entry) holding the scan root — or, when the scan root lies above it (run from
the repository's parent), the one work tree below it holding every scanned file — else the scan
root itself. ``repository_relative`` re-bases a whole ``ScanResult`` once, before any format
renders it.
"""

from __future__ import annotations

import functools
import os
import pathlib
import posixpath
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TypeVar

from linter.discover.read import Refused, read_confined
from linter.fingerprint import fingerprint_of
from linter.model import Finding, Path, Resource, Span, Unknown, UnknownVerdict
from linter.records import record, replace
from linter.result import ScanResult

MAX_SOURCE_BYTES = 16 * 1024 * 1024  # the largest file a front end reads by default
T = TypeVar("T")


def qualified(root: str, address: str) -> str:
    """A resource address made unique across units: ``envs/dev: aws_instance.web`` (a Terraform
    root module) or ``stacks/app.yaml: WebServer`` (a template); the address alone in the root
    module of the scan root itself, or when the unit is not known."""
    if not root or root == "." or not address:
        return address
    return f"{root}: {address}"


def in_child_module(root: str, file: str) -> bool:
    """The file lies outside the unit's own directory (a module the root calls), so the root is
    worth naming next to the file."""
    if not root or root.endswith((".yaml", ".yml", ".json", ".template")) or root == file:
        return False
    directory = file.rsplit("/", 1)[0] if "/" in file else "."
    return directory != root


@record
class Base:
    """The directory report paths are relative to, and the scan root's place in it."""

    directory: pathlib.Path
    prefix: str  # "" or "infra/prod/" (POSIX, ends with "/")

    def path(self, file: str) -> str:
        return self.prefix + file

    def uri(self, file: str) -> str:
        return artifact_uri(self.path(file))

    @property
    def directory_uri(self) -> str:
        return self.directory.as_uri().rstrip("/") + "/"


def find_base(root: pathlib.Path) -> Base:
    root = root.resolve()
    for candidate in (root, *root.parents):
        if os.path.exists(candidate / ".git"):  # never raises (an unreadable directory)
            relative = root.relative_to(candidate).as_posix()
            return Base(candidate, "" if relative == "." else relative + "/")
    return Base(root, "")


def work_tree_below(root: pathlib.Path, files: Iterable[str]) -> pathlib.Path | None:
    """The one git work tree below ``root`` that holds every file, or None."""
    parents = {posixpath.dirname(f) for f in files if f and not f.startswith("../")}
    if not parents:
        return None
    common = posixpath.commonpath(sorted(parents)) if len(parents) > 1 else parents.pop()
    parts = [p for p in common.split("/") if p and p != "."]
    for depth in range(len(parts), 0, -1):  # the innermost: a submodule is its own repository
        candidate = root.joinpath(*parts[:depth])
        if os.path.exists(candidate / ".git"):  # never raises (an unreadable directory)
            return candidate
    return None


def repository_relative(result: ScanResult) -> ScanResult:
    """``result`` with every path relative to the repository (see the module docstring) and
    ``root`` the repository's directory; unchanged when the scan root already is the base.
    Fingerprints are kept as computed on the scan: a report's identity of a finding never
    depends on where it was run from."""
    root = result.root.resolve()
    base = find_base(root)
    if base.directory == root:
        files = {*result.files, *(f.span.file for f in result.findings)}
        below = work_tree_below(root, files)
        if below is None:
            return result
        base = Base(below, "")
    directory = base.directory

    @functools.cache
    def move(file: str) -> str:
        if not file:
            return file
        return pathlib.PurePath(os.path.relpath(root / file, directory)).as_posix()

    def span(value: Span) -> Span:
        return Span(move(value.file), value.start_line, value.start_col, value.end_line,
                    value.end_col)

    return replace(
        result,
        root=directory,
        findings=[_finding(f, span, move) for f in result.findings],
        unknown_verdicts=[_verdict(v, span, move) for v in result.unknown_verdicts],
        unknowns=[_unknown(u, span) for u in result.unknowns],
        files=[move(f) for f in result.files],
        stale_baseline=[replace(e, file=move(e.file)) for e in result.stale_baseline],
        resources=[_resource(r, span, move) for r in result.resources],
    )


def _finding(finding: Finding, span: Callable[[Span], Span],
             move: Callable[[str], str]) -> Finding:
    fix = finding.fix
    if fix is not None and fix.edits:  # the edits of --fix, in the reports that carry them
        fix = replace(fix, edits=tuple(replace(e, span=span(e.span)) for e in fix.edits))
    return replace(
        finding,
        span=span(finding.span),
        root=move(finding.root),  # a unit is a path too: its root module or template
        related=tuple(replace(r, span=span(r.span)) for r in finding.related),
        fingerprint=fingerprint_of(finding),
        fix=fix,
    )


def _unknown(unknown: Unknown, span: Callable[[Span], Span]) -> Unknown:
    if unknown.span is None:
        return unknown
    return replace(unknown, span=span(unknown.span))


def _verdict(verdict: UnknownVerdict, span: Callable[[Span], Span],
             move: Callable[[str], str]) -> UnknownVerdict:
    return replace(verdict, span=span(verdict.span), root=move(verdict.root),
                   unknowns=tuple(_unknown(u, span) for u in verdict.unknowns))


class _Moved(Mapping[Path, T]):
    """A resource's spans (or origins) re-based when read: a resource has hundreds of them and
    reports read a few."""

    def __init__(self, inner: Mapping[Path, T], convert: Callable[[T], T]) -> None:
        self._inner = inner
        self._convert = convert

    def __getitem__(self, key: Path) -> T:
        return self._convert(self._inner[key])

    def __iter__(self) -> Iterator[Path]:
        return iter(self._inner)

    def __len__(self) -> int:
        return len(self._inner)


def _resource(resource: Resource, span: Callable[[Span], Span],
              move: Callable[[str], str]) -> Resource:
    def spans(values: tuple[Span, ...]) -> tuple[Span, ...]:
        return tuple(span(v) for v in values)

    return replace(
        resource,
        file=move(resource.file),
        unit=move(resource.unit),
        spans=_Moved(resource.spans, span),
        origins=_Moved(resource.origins, spans),
    )


def artifact_uri(path: str) -> str:
    """A relative URI reference for a POSIX path: each segment percent-encoded (RFC 3986)."""
    return urllib.parse.quote(path, safe="/")


class SourceFiles:
    """The lines of scanned files, read once each (for code frames and region ends)."""

    def __init__(self, root: pathlib.Path) -> None:
        self._root = root
        self._cache: dict[str, list[str] | None] = {}

    def lines(self, file: str) -> list[str] | None:
        if file not in self._cache:
            self._cache[file] = self._read(file)
        return self._cache[file]

    def line(self, file: str, number: int) -> str | None:
        lines = self.lines(file)
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]

    def _read(self, file: str) -> list[str] | None:
        """The file's lines, read through ``linter.discover.read``: only a regular file inside
        the scan root (a symlink out of it, a FIFO or a device shows no code frame)."""
        if not file:
            return None
        data = read_confined(self._root, file, MAX_SOURCE_BYTES)
        if isinstance(data, Refused):
            return None
        if b"\0" in data:
            return None  # binary
        text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
        lines = text.split("\n")
        if len(lines) > 1 and lines[-1] == "":
            lines.pop()  # the final newline ends the last line; it does not start another
        return [line.removesuffix("\r") for line in lines]


def end_column(span: Span, sources: SourceFiles) -> int | None:
    """The exclusive end column of a span; end of its last line when the span leaves it open."""
    end = span.end_col
    if end <= 0:
        line = sources.line(span.file, span.end_line)
        if line is None:
            return None
        end = len(line) + 1
    if span.end_line == span.start_line:
        end = max(end, span.start_col)
    return end
