"""Reading a user's file safely: the one way every stage reads what it scans.

Front ends, suppression comments, code frames, SARIF snippets, rule files, the rule cache and
variables files all read through here, so the same guarantees hold everywhere:

* **Confinement.** ``read_confined(root, rel)`` reads only a file whose real path (every symlink
  followed) lies inside the scan root; a symlink out of it, a ``..`` that escapes, or a symlink
  loop is a ``Refused`` problem, never a read.
* **Regular files only.** The file is opened non-blocking and checked with ``fstat`` before a
  byte is read: a FIFO, a socket or a device (``/dev/zero``) is refused, so nothing blocks or
  streams forever.
* **Bounded.** A file larger than ``max_bytes`` is refused without being read (and at most
  ``max_bytes`` are ever read, should it grow meanwhile).

``read_file`` wraps this for the front ends: the bytes, or ``None`` and a finding on that path
(IAC0004 note for a file that is not read by design, IAC0001 for one that should have been
readable but was not).
"""

from __future__ import annotations

import errno
import os
import pathlib
import stat

from linter.discover.overlay import buffer
from linter.model import Finding, ParseResult, Span
from linter.records import record
from linter.rule import EVALUATION_NOTE, FILE_DOES_NOT_PARSE, tool_finding

MIB = 1024 * 1024
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0))

OUTSIDE = "outside"  # resolves outside the root
LOOP = "loop"  # a symlink loop
NOT_REGULAR = "not-regular"  # FIFO, socket, device, directory
TOO_LARGE = "too-large"
UNREADABLE = "unreadable"  # permission denied, I/O error
MISSING = "missing"


@record
class Refused:
    """Why a file was not read; ``message`` is ready to show (it never quotes file content)."""

    kind: str
    message: str

    @property
    def is_note(self) -> bool:
        """Not read by design (outside the root, a FIFO, a loop, a dangling symlink): a note,
        not an error."""
        return self.kind in (OUTSIDE, LOOP, NOT_REGULAR, MISSING)


def size_text(limit: int) -> str:
    if limit >= MIB and limit % MIB == 0:
        return f"{limit // MIB} MB"
    return f"{limit} bytes"


def real_path(path: pathlib.Path) -> pathlib.Path | Refused:
    """``path`` with every symlink resolved, or why that is impossible (a loop, a missing
    target)."""
    try:
        return pathlib.Path(os.path.realpath(path, strict=True))
    except OSError as exc:
        return _refusal(exc)
    except RuntimeError:  # pragma: no cover - pathlib of old Pythons on a loop
        return Refused(LOOP, "is a symlink loop; not read")


def inside(path: pathlib.Path, root: pathlib.Path) -> bool:
    return path == root or root in path.parents


def confine(root: pathlib.Path, rel: str) -> pathlib.Path | Refused:
    """The real path of ``root/rel`` when it stays inside ``root`` (itself resolved)."""
    pure = pathlib.PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts:
        return Refused(OUTSIDE, "is outside the scan root; not read")
    real_root = _real_root(root)
    try:
        direct = _plain_under(real_root, pure.parts)
    except OSError as exc:
        return _refusal(exc)
    if direct is not None:  # no symlink below the root: the path is its own real path
        return pathlib.Path(direct)
    real = real_path(pathlib.Path(real_root) / pure)
    if isinstance(real, Refused):
        return real
    if not inside(real, pathlib.Path(real_root)):
        return Refused(OUTSIDE, "links outside the scan root; not read")
    return real


_REAL_ROOTS: dict[str, tuple[str, int, int]] = {}  # root → its real path, device, inode
_MAX_ROOTS = 64


def _real_root(root: pathlib.Path) -> str:
    """``os.path.realpath(root)``, remembered for an absolute root while ``root`` still leads to
    the same directory (one ``stat`` instead of resolving every component for each file: every
    stage reads its files under the same root)."""
    key = os.fspath(root)
    if not os.path.isabs(key):
        return os.path.realpath(key)
    try:
        info = os.stat(key)
    except OSError:
        return os.path.realpath(key)
    cached = _REAL_ROOTS.get(key)
    if cached is not None and cached[1:] == (info.st_dev, info.st_ino):
        return cached[0]
    real = os.path.realpath(key)
    if len(_REAL_ROOTS) >= _MAX_ROOTS:
        _REAL_ROOTS.clear()
    _REAL_ROOTS[key] = (real, info.st_dev, info.st_ino)
    return real


def _plain_under(real_root: str, parts: tuple[str, ...]) -> str | None:
    """``real_root/parts…`` when no component below the (resolved) root is a symlink, else None
    (``os.path.realpath`` must follow the links).

    ``realpath`` would ``lstat`` every component of the root again, then these same components
    in the same order, raising the same errors (a missing component, a file used as a
    directory); when none of them is a link, its answer is the joined path itself, which lies
    inside the root. One ``lstat`` per component below the root instead of per component of
    the whole path, and no second resolution of the root.
    """
    if not any(part not in ("", ".") for part in parts):
        return None  # the root itself: realpath checks that it exists
    path = real_root
    for part in parts:
        if part in ("", "."):
            continue
        path = path + part if path.endswith("/") else path + "/" + part
        if stat.S_ISLNK(os.lstat(path).st_mode):
            return None
    return path


def read_regular(path: pathlib.Path, max_bytes: int) -> bytes | Refused:
    """The bytes of ``path`` (symlinks followed: the caller confines) if it is a regular file of
    at most ``max_bytes``."""
    real = real_path(path)
    if isinstance(real, Refused):
        return real
    return _read_resolved(real, max_bytes)


def _read_resolved(real: pathlib.Path, max_bytes: int) -> bytes | Refused:
    """``read_regular`` of a path that is already its own real path (``confine``'s answer: it is
    not resolved a second time)."""
    unsaved = buffer(real, resolved=True)  # an editor's unsaved text (iaclint lsp)
    if unsaved is not None:
        if len(unsaved) > max_bytes:
            return Refused(TOO_LARGE, f"is larger than {size_text(max_bytes)}; not read")
        return unsaved
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except OSError as exc:
        return _refusal(exc)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return Refused(NOT_REGULAR, f"is not a regular file ({_kind(info.st_mode)}); not read")
        if info.st_size > max_bytes:
            return Refused(TOO_LARGE, f"is larger than {size_text(max_bytes)} "
                           f"({info.st_size} bytes); not read")
        chunks: list[bytes] = []
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, MIB))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            return Refused(TOO_LARGE, f"is larger than {size_text(max_bytes)}; not read")
        return data
    except OSError as exc:
        return _refusal(exc)
    finally:
        os.close(fd)


def read_confined(root: pathlib.Path, rel: str, max_bytes: int) -> bytes | Refused:
    """The bytes of ``root/rel`` if it is a regular file inside the root of at most
    ``max_bytes``."""
    real = confine(root, rel)
    if isinstance(real, Refused):
        return real
    return _read_resolved(real, max_bytes)


def refusal_finding(refused: Refused, rel: str, what: str = "") -> Finding:
    """The finding for a file that was not read: a note when by design, else IAC0001."""
    rule = EVALUATION_NOTE if refused.is_note else FILE_DOES_NOT_PARSE
    return tool_finding(rule, f"{what or rel} {refused.message}", Span(rel, 1))


def read_file(root: pathlib.Path, rel: str, into: ParseResult, max_bytes: int) -> bytes | None:
    """The bytes of ``root/rel``, or None with a finding on that path (see the module doc)."""
    data = read_confined(root, rel, max_bytes)
    if isinstance(data, Refused):
        into.findings.append(refusal_finding(data, rel))
        return None
    return data


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"  # pragma: no cover - every other kind is named above


def _refusal(exc: OSError) -> Refused:
    if exc.errno == errno.ELOOP:
        return Refused(LOOP, "is a symlink loop; not read")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return Refused(MISSING, "does not exist (or is a broken symlink); not read")
    if exc.errno == errno.EISDIR:
        return Refused(NOT_REGULAR, "is not a regular file (a directory); not read")
    if exc.errno in (errno.ENXIO, errno.EOPNOTSUPP):  # a socket opened as a file
        return Refused(NOT_REGULAR, "is not a regular file; not read")
    reason = exc.strerror or type(exc).__name__
    return Refused(UNREADABLE, f"cannot be read: {reason}")


_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"),
         (b"\xfe\xff", "UTF-16"), (b"\xff\xfe", "UTF-16"))


def unread_encoding(rel: str, data: bytes, into: ParseResult) -> None:
    """When no front end took a candidate file because it is UTF-16 or UTF-32 text (a byte order
    mark says so), an IAC0001 finding on it: it is never skipped silently."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            into.findings.append(tool_finding(
                FILE_DOES_NOT_PARSE, f"{rel} is {name} text, which is not read (save it as "
                "UTF-8)", Span(rel, 1)))
            return


def config_span(root: pathlib.Path, config_file: str) -> Span | None:
    """Line 1 of the configuration file, when it lies inside the scan root (findings about what
    it names point there)."""
    if not config_file:
        return None
    real_root = pathlib.Path(os.path.realpath(root))
    path = pathlib.Path(config_file)
    if not inside(path, real_root):
        return None
    return Span(path.relative_to(real_root).as_posix(), 1)
