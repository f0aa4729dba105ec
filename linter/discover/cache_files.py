"""iaclint's own cache files: where they live, and reading and writing them without trusting them.

Each cache is a directory of JSON files under ``$IACLINT_CACHE_DIR`` (default
``$XDG_CACHE_HOME/iaclint`` or ``~/.cache/iaclint``); ``IACLINT_NO_CACHE=1`` turns every cache
off. An entry is only ever a hint: it is read when it is a regular file (not a symlink, FIFO or
device) of sane size holding a JSON object, and its caller checks every key before using it.
Writing never follows a symlink or opens a FIFO, and replaces the entry atomically, so a
parallel run never reads half a file; a directory that cannot be written only costs the time
the entry would have saved.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import stat
from typing import Any

from linter.discover.read import Refused, read_regular


def cache_dir(name: str) -> pathlib.Path | None:
    """The directory of the cache ``name``; None when caching is off."""
    if os.environ.get("IACLINT_NO_CACHE"):
        return None
    base = os.environ.get("IACLINT_CACHE_DIR")
    if base:
        return pathlib.Path(base) / name
    xdg = os.environ.get("XDG_CACHE_HOME") or str(pathlib.Path.home() / ".cache")
    return pathlib.Path(xdg) / "iaclint" / name


def read_entry(directory: pathlib.Path, name: str, max_bytes: int) -> dict[str, Any] | None:
    """The JSON object in ``directory/name``, or None (no such regular file, too large, not a
    JSON object)."""
    path = directory / name
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
    except OSError:
        return None
    raw = read_regular(path, max_bytes)
    if isinstance(raw, Refused):
        return None
    try:
        entry = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return entry if isinstance(entry, dict) else None


def write_entry(directory: pathlib.Path, name: str, text: str) -> None:
    """Write ``text`` as ``directory/name`` (atomically; silently not at all when the directory
    cannot be written)."""
    temporary = directory / f".{name}.{os.getpid()}"
    flags = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
             | getattr(os, "O_CLOEXEC", 0))
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(temporary, flags, 0o600)  # never an existing file, FIFO or symlink
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        temporary.replace(directory / name)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
