"""Unsaved editor buffers, read in place of the files on disk (``iaclint lsp``).

The language server scans what the user is typing: the open documents' texts are given to the
pipeline as an overlay, a mapping of real path → bytes made current for one scan with
``overlaid(buffers)``. Every stage reads scanned files through ``linter.discover.read``, whose
``read_regular`` asks ``buffer(path)`` before the disk (the fix stage too, through
``linter.fixes.source``), so an open ``variables.tf`` is evaluated with the other files of its
module read from disk, and the parse cache keyed by the files' stat
signatures (``frontends.terraform.modules``) adds ``buffers_in(directory)`` to its key.

The overlay is a ``ContextVar``: it holds only inside the ``with`` block of the thread that set
it, so the command line (which never sets one) reads the disk as before and pays one dictionary
look-up. Discovery still lists the directories on disk: a buffer is read in place of a file that
exists; it does not create one.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import pathlib
from collections.abc import Iterator, Mapping
from types import MappingProxyType

_EMPTY: Mapping[str, bytes] = MappingProxyType({})
_BUFFERS: contextvars.ContextVar[Mapping[str, bytes]] = contextvars.ContextVar(
    "iaclint_overlay", default=_EMPTY)
_GIVEN: contextvars.ContextVar[Mapping[str, bytes] | None] = contextvars.ContextVar(
    "iaclint_overlay_given", default=None)  # the mapping _BUFFERS was made from


def _key(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(path)


@contextlib.contextmanager
def overlaid(buffers: Mapping[str, bytes]) -> Iterator[None]:
    """Within the block, ``buffers`` (path → text as bytes) are read in place of the files."""
    if _GIVEN.get() is buffers:  # nested in a block of the same buffers: already in place
        yield
        return
    token = _BUFFERS.set(MappingProxyType({_key(p): data for p, data in buffers.items()}))
    given = _GIVEN.set(buffers)
    try:
        yield
    finally:
        _GIVEN.reset(given)
        _BUFFERS.reset(token)


def buffer(path: str | os.PathLike[str], resolved: bool = False) -> bytes | None:
    """The open buffer for ``path`` (symlinks resolved, unless the caller already did:
    ``resolved``), or None."""
    buffers = _BUFFERS.get()
    if not buffers:
        return None
    return buffers.get(os.fspath(path) if resolved else _key(path))


def read_bytes(path: pathlib.Path) -> bytes:
    """``path.read_bytes()``, or the open buffer for it (not confined, not bounded: a scanned
    file is read with ``linter.discover.read``)."""
    data = buffer(path)
    return path.read_bytes() if data is None else data


def buffers_in(directory: str | os.PathLike[str]) -> tuple[tuple[str, int], ...]:
    """(name, hash of the text) of every buffer directly in ``directory``: a cache of what was
    read from that directory must tell one buffer text from another."""
    buffers = _BUFFERS.get()
    if not buffers:
        return ()
    real = _key(directory)
    return tuple(sorted((os.path.basename(p), hash(data)) for p, data in buffers.items()
                        if os.path.dirname(p) == real))
