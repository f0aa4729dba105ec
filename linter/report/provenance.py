"""Which repository and revision was scanned (SARIF ``versionControlProvenance``).

Read from the files of the ``.git`` directory only: nothing is executed. The remote URL loses any
credentials it carries (``https://user:token@host/…``), and an scp-like remote
(``git@host:org/repo.git``) is written as the ``ssh://`` URI it stands for.
"""

from __future__ import annotations

import pathlib
import re
import urllib.parse

from linter.discover.read import Refused, read_regular
from linter.records import record
from linter.regex import lazy

_SECTION = lazy(r'^\s*\[\s*remote\s+"(?P<name>[^"]*)"\s*\]\s*$')
_ANY_SECTION = lazy(r"^\s*\[")
_URL = lazy(r"^\s*url\s*=\s*(?P<url>.+?)\s*$", re.IGNORECASE)
_SCP = lazy(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")
_SHA = lazy(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


@record
class Provenance:
    repository_uri: str
    revision: str = ""
    branch: str = ""


def git_dir(work_tree: pathlib.Path) -> pathlib.Path | None:
    """The git directory of a work tree (``.git`` itself, or what a ``.git`` file points at)."""
    dot_git = work_tree / ".git"
    try:
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            text = _read(dot_git).strip()
            if text.startswith("gitdir:"):
                target = pathlib.Path(text.removeprefix("gitdir:").strip())
                target = target if target.is_absolute() else work_tree / target
                return target if target.is_dir() else None
    except OSError:
        return None
    return None


_MAX_BYTES = 16 * 1024 * 1024  # packed-refs of a large repository


def _read(path: pathlib.Path) -> str:
    """A git file's text ("" unless it is a regular file: a FIFO named HEAD never blocks)."""
    data = read_regular(path, _MAX_BYTES)
    return "" if isinstance(data, Refused) else data.decode("utf-8", errors="replace")


def _common_dir(directory: pathlib.Path) -> pathlib.Path:
    """A linked work tree keeps refs and config in the main repository's directory."""
    common = _read(directory / "commondir").strip()
    if not common:
        return directory
    path = pathlib.Path(common)
    return path if path.is_absolute() else (directory / path)


def remote_url(config: str, preferred: str = "origin") -> str:
    urls: dict[str, str] = {}
    current: str | None = None
    for line in config.splitlines():
        section = _SECTION.match(line)
        if section:
            current = section.group("name")
            continue
        if _ANY_SECTION.match(line):
            current = None
            continue
        url = _URL.match(line)
        if current is not None and url and current not in urls:
            urls[current] = url.group("url").strip('"')
    return urls.get(preferred) or next(iter(urls.values()), "")


def public_uri(url: str) -> str:
    """An absolute URI for a remote, without credentials ("" when it is a local path)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme in ("http", "https", "ssh", "git") and parsed.hostname:
        host = parsed.hostname
        netloc = f"[{host}]" if ":" in host else host
        if parsed.port:
            netloc += f":{parsed.port}"
        return urllib.parse.urlunsplit((parsed.scheme, netloc, parsed.path, "", ""))
    scp = _SCP.match(url)
    if scp and "://" not in url and not url.startswith(("/", ".")):
        return f"ssh://{scp.group('host')}/{scp.group('path')}"
    return ""


def _resolve(common: pathlib.Path, ref: str) -> str:
    loose = _read(common / ref).strip()
    if _SHA.match(loose):
        return loose
    for line in _read(common / "packed-refs").splitlines():
        sha, _, name = line.partition(" ")
        if name.strip() == ref and _SHA.match(sha):
            return sha
    return ""


def provenance(work_tree: pathlib.Path) -> Provenance | None:
    """The remote, commit and branch of a git work tree (None without a remote)."""
    directory = git_dir(work_tree)
    if directory is None:
        return None
    common = _common_dir(directory)
    uri = public_uri(remote_url(_read(common / "config")))
    if not uri:
        return None
    head = _read(directory / "HEAD").strip()
    if head.startswith("ref:"):
        ref = head.removeprefix("ref:").strip()
        branch = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else ""
        return Provenance(uri, _resolve(common, ref), branch)
    return Provenance(uri, head if _SHA.match(head) else "")
