"""Module sources: local paths, and remote modules that ``terraform init`` already downloaded.

A local source (``./x``, ``../x``) is a directory relative to the calling module; iaclint follows
it only while it stays inside the scan root. Any other source (registry, git, http, s3 …) is
looked up in the root module's ``.terraform/modules/modules.json`` manifest, keyed by the module
path (``app``, ``app.db``); nothing is ever downloaded.
"""

from __future__ import annotations

import json
import os
import pathlib
import posixpath
from collections import OrderedDict
from collections.abc import Iterable

from linter.discover import overlay
from linter.discover.read import Refused, read_confined
from linter.frontends.terraform.config import ModuleConfig, build_config
from linter.frontends.terraform.hcl import DEFAULT_BUDGETS, load_module
from linter.frontends.terraform.hcl_ast import Block, HclFile, Literal, Template
from linter.model import Finding
from linter.options import Budgets
from linter.records import record

_CACHE_SIZE = 512
_Signature = tuple[tuple[str, int, int, int], ...]
_parsed: OrderedDict[tuple[str, str, int, int],
                     tuple[_Signature, list[HclFile], list[Finding]]] = OrderedDict()
_MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_configs: dict[tuple[str, str], tuple[list[HclFile], ModuleConfig]] = {}


def _signature(root: pathlib.Path, directory: str) -> _Signature | None:
    directory_path = os.path.join(root, directory)
    try:
        with os.scandir(directory_path) as entries:
            stats = [(e.name, e.stat()) for e in entries if e.name.endswith((".tf", ".tf.json"))]
    except OSError:
        return None
    return (*sorted((name, st.st_mtime_ns, st.st_size, st.st_ino) for name, st in stats),
            *((name, -1, -1, digest) for name, digest in overlay.buffers_in(directory_path)))


def load_module_cached(root: pathlib.Path, directory: str,
                       budgets: Budgets = DEFAULT_BUDGETS
                       ) -> tuple[list[HclFile], list[Finding]]:
    """``load_module``, parsed once per process while the directory's files are unchanged
    (a module called from several roots, and ``local_module_dirs`` then evaluation). When some
    of them changed, only those are parsed again (``iaclint lsp``: a keystroke in one file of a
    20-file module parses that file)."""
    key = (str(root), directory, budgets.file_bytes, budgets.syntax_nodes)
    signature = _signature(root, directory)
    hit = _parsed.get(key)
    if hit is not None and signature is not None and hit[0] == signature:
        _parsed.move_to_end(key)
        return hit[1], hit[2]
    reuse = _unchanged(hit[0], hit[1], signature) if hit is not None and signature else None
    files, findings = load_module(root, directory, budgets, reuse)
    if signature is not None:
        _parsed[key] = (signature, files, findings)
        if len(_parsed) > _CACHE_SIZE:
            _parsed.popitem(last=False)
    return files, findings


def _unchanged(before: _Signature, parsed: list[HclFile], now: _Signature
               ) -> dict[str, HclFile]:
    """The files of ``parsed`` (by name) whose entries in the directory's signature — the
    file's stat, and its open buffer if any — are the same ``now``."""
    def by_name(signature: _Signature) -> dict[str, list[tuple[str, int, int, int]]]:
        out: dict[str, list[tuple[str, int, int, int]]] = {}
        for entry in signature:
            out.setdefault(entry[0], []).append(entry)
        return out

    old, new = by_name(before), by_name(now)
    return {name: file for file in parsed
            if (name := posixpath.basename(file.path)) in new and old.get(name) == new[name]}


def parsed_files(root: pathlib.Path, directory: str) -> dict[str, HclFile]:
    """The syntax trees of the files of ``directory`` (``.`` for the root) from a parse that is
    still current, by path; empty when there is none. The fix stage reads them instead of
    parsing the files again."""
    signature = _signature(root, directory)
    if signature is None:
        return {}
    for key, (found, files, _) in _parsed.items():
        if key[:2] == (str(root), directory) and found == signature:
            return {file.path: file for file in files}
    return {}


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
    return literal_attribute(block, "source")


def literal_attribute(block: Block, name: str) -> str | None:
    """An attribute of a block (``source``, ``version``) when it is a plain string."""
    attribute = block.body.attribute(name)
    if attribute is None:
        return None
    expr = attribute.expr
    if isinstance(expr, Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, Template) and all(isinstance(p, str) for p in expr.parts):
        return "".join(p for p in expr.parts if isinstance(p, str))
    return None


@record
class Manifest:
    """``.terraform/modules/modules.json`` of a root module: module key → root-relative dir."""

    dirs: dict[str, str]

    @staticmethod
    def read(root: pathlib.Path, root_module_dir: str) -> Manifest:
        base = root_module_dir if root_module_dir not in ("", ".") else ""
        rel = posixpath.join(base, ".terraform", "modules", "modules.json")
        raw = read_confined(root, rel, _MAX_MANIFEST_BYTES)
        if isinstance(raw, Refused):
            return Manifest({})
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
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


def load_config_cached(root: pathlib.Path, directory: str,
                       budgets: Budgets = DEFAULT_BUDGETS
                       ) -> tuple[ModuleConfig, list[HclFile], list[Finding]]:
    """The module's configuration (built once per parse of its files), files and findings."""
    files, findings = load_module_cached(root, directory, budgets)
    key = (str(root), directory)
    hit = _configs.get(key)
    if hit is None or hit[0] is not files:
        if len(_configs) >= _CACHE_SIZE:
            _configs.clear()
        hit = (files, build_config(directory, files))
        _configs[key] = hit
    return hit[1], files, findings


def local_module_dirs(root: pathlib.Path, module_dir: str) -> list[str]:
    """Directories (root-relative, POSIX) that ``module_dir`` calls through local sources,
    directly or through other local modules; the pipeline skips them as roots."""
    start = join_dir("", module_dir or ".") or "."
    seen: list[str] = []
    pending = [start]
    visited = {start}
    while pending:
        current = pending.pop()
        files, _ = load_module_cached(root, current)
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


def clear_caches() -> None:
    """Forget every parsed module (benchmarks that time parsing call this between runs)."""
    _parsed.clear()
    _configs.clear()
