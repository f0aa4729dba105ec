"""The files a fix reads and writes, under the rules every other stage reads by.

The fix stage opens the scanned files again (byte-exact spans, quoting, indentation), and it
does so only through the one safe reader, ``linter.discover.read``: a regular file whose real
path lies inside the scan root, of at most the budget its front end read it under. A file that
is refused there -- a symlink out of the root or a loop, a FIFO, a device, a file over the
budget -- is never read and never written by a fix: the front ends did not read it either
(discovery reported it), so a fix that would need it is left out with the reason, and a module
file listing skips it. An editor's unsaved buffer is read in place of the file (``iaclint
lsp``), as everywhere.
"""

from __future__ import annotations

import os
import pathlib
import stat

from linter.discover.read import Refused, confine, read_confined
from linter.fixes.sites import NotFixable
from linter.options import Budgets

_TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")


def max_bytes(rel: str, budgets: Budgets) -> int:
    """The size budget the front ends read ``rel`` under (templates have their own)."""
    if rel.endswith(_TEMPLATE_SUFFIXES) and not rel.endswith((".tf.json", ".tfvars.json")):
        return budgets.template_bytes
    return budgets.file_bytes


def read_bytes(root: pathlib.Path, rel: str, budgets: Budgets) -> bytes:
    """The bytes of ``root/rel``; NotFixable (saying why) when the safe reader refuses it."""
    data = read_confined(root, rel, max_bytes(rel, budgets))
    if isinstance(data, Refused):
        raise NotFixable(f"{rel} {data.message}; nothing was changed")
    return data


def read_text(root: pathlib.Path, rel: str, budgets: Budgets) -> str:
    """``read_bytes`` decoded as UTF-8 (the only encoding a fix writes back)."""
    data = read_bytes(root, rel, budgets)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotFixable(f"{rel} cannot be read ({exc}); nothing was changed") from exc


def is_readable(root: pathlib.Path, rel: str) -> bool:
    """Whether ``root/rel`` is a regular file inside the root (nothing is read): a module's file
    listing leaves out what no front end read."""
    real = confine(root, rel)
    if isinstance(real, Refused):
        return False
    try:
        return stat.S_ISREG(os.stat(real).st_mode)
    except OSError:
        return False


def destination(root: pathlib.Path, rel: str) -> pathlib.Path:
    """The real path a fix of ``rel`` is written to: inside the root (a symlink inside the root
    is written through, so it stays a symlink), and a regular file; else NotFixable."""
    real = confine(root, rel)
    if isinstance(real, Refused):
        raise NotFixable(f"{rel} {real.message}; nothing was changed")
    try:
        regular = stat.S_ISREG(os.stat(real).st_mode)
    except OSError as exc:
        raise NotFixable(f"{rel} cannot be written ({exc.strerror}); nothing was changed"
                         ) from exc
    if not regular:
        raise NotFixable(f"{rel} is not a regular file; nothing was changed")
    return real
