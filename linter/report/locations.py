"""Where findings are: repository-relative URIs, source lines, region ends.

Spans are relative to the scan root. Code scanning and workflow annotations want paths relative
to the repository, so when the scan root lies inside a git work tree (a ``.git`` entry in it or
an ancestor) paths are re-based on that work tree; otherwise on the scan root itself.
"""

from __future__ import annotations

import pathlib
import urllib.parse
from dataclasses import dataclass

from linter.model import Span

MAX_SOURCE_BYTES = 8 * 1024 * 1024


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


@dataclass(frozen=True)
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
        if (candidate / ".git").exists():
            relative = root.relative_to(candidate).as_posix()
            return Base(candidate, "" if relative == "." else relative + "/")
    return Base(root, "")


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
        relative = pathlib.PurePosixPath(file)
        if not file or relative.is_absolute() or ".." in relative.parts:
            return None
        path = self._root / relative
        try:
            if not path.is_file() or path.stat().st_size > MAX_SOURCE_BYTES:
                return None
            data = path.read_bytes()
        except OSError:
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
