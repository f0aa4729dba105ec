"""Module sources: local paths, and remote modules that ``terraform init`` already downloaded.

A local source (``./x``, ``../x``) is a directory relative to the calling module; iaclint follows
it only while it stays inside the scan root. Any other source (registry, git, http, s3 …) is
looked up in the root module's ``.terraform/modules/modules.json`` manifest, keyed by the module
path (``app``, ``app.db``); nothing is ever downloaded.
"""

from __future__ import annotations

import json
import pathlib
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from linter.parse.hcl import load_module
from linter.parse.hcl_ast import Block, HclFile, Literal, Template


def is_local_source(source: str) -> bool:
    return source in (".", "..") or source.startswith(("./", "../", ".\\", "..\\"))


def join_dir(parent: str, relative: str) -> str | None:
    """``parent``/``relative`` normalized (relative to the root), or None if it leaves the root."""
    joined = posixpath.normpath(posixpath.join(parent or ".", relative.replace("\\", "/")))
    if joined == ".." or joined.startswith("../") or posixpath.isabs(joined):
        return None
    return joined


def literal_source(block: Block) -> str | None:
    """The ``source`` of a module block when it is a plain string."""
    attribute = block.body.attribute("source")
    if attribute is None:
        return None
    expr = attribute.expr
    if isinstance(expr, Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, Template) and all(isinstance(p, str) for p in expr.parts):
        return "".join(p for p in expr.parts if isinstance(p, str))
    return None


@dataclass(frozen=True)
class Manifest:
    """``.terraform/modules/modules.json`` of a root module: module key → root-relative dir."""

    dirs: dict[str, str]

    @staticmethod
    def read(root: pathlib.Path, root_module_dir: str) -> Manifest:
        base = root_module_dir if root_module_dir not in ("", ".") else ""
        path = root / base / ".terraform" / "modules" / "modules.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Manifest({})
        dirs: dict[str, str] = {}
        modules = data.get("Modules") if isinstance(data, dict) else None
        for entry in modules if isinstance(modules, list) else ():
            if not isinstance(entry, dict):
                continue
            key, directory = entry.get("Key"), entry.get("Dir")
            if isinstance(key, str) and key and isinstance(directory, str):
                resolved = join_dir(base, directory)
                if resolved is not None:
                    dirs[key] = resolved
        return Manifest(dirs)

    def directory(self, key: str) -> str | None:
        return self.dirs.get(key)


def module_calls(files: Iterable[HclFile]) -> list[Block]:
    return [b for f in files for b in f.body.blocks if b.type == "module" and len(b.labels) == 1]


def local_module_dirs(root: pathlib.Path, module_dir: str) -> list[str]:
    """Directories (root-relative, POSIX) that ``module_dir`` calls through local sources,
    directly or through other local modules; the pipeline skips them as roots."""
    start = join_dir("", module_dir or ".") or "."
    seen: list[str] = []
    pending = [start]
    visited = {start}
    while pending:
        current = pending.pop()
        files, _ = load_module(root, current if current != "." else "")
        for block in module_calls(files):
            source = literal_source(block)
            if source is None or not is_local_source(source):
                continue
            target = join_dir(current, source)
            if target is None or target in visited:
                continue
            visited.add(target)
            seen.append(target)
            pending.append(target)
    return sorted(seen)
