"""Find what to scan: Terraform module directories, CloudFormation templates, plan JSON, tfvars.

Terraform is found by directory (every ``.tf``/``.tf.json`` file of a directory forms one
module); CloudFormation and plan JSON by content, so other YAML/JSON (CI files, Kubernetes
manifests, package.json) is skipped silently. Nothing outside the scan root is ever read.
"""

from __future__ import annotations

import fnmatch
import os
import pathlib
from dataclasses import dataclass, field

TF_SUFFIXES = (".tf", ".tf.json")
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template", ".cfn")
MAX_TEMPLATE_BYTES = 8 * 1024 * 1024  # CloudFormation's own limit is 1 MB (1.6 MB for S3 bodies)


@dataclass
class Discovery:
    root: pathlib.Path
    module_dirs: list[str] = field(default_factory=list)  # relative POSIX paths ("." = root)
    candidate_files: list[str] = field(default_factory=list)  # YAML/JSON: CFN or plan, by content
    tfvars_files: list[str] = field(default_factory=list)
    only_files: list[str] = field(default_factory=list)  # files named explicitly (pre-commit)


def scan_root(paths: list[str], cwd: pathlib.Path | None = None) -> pathlib.Path:
    """The directory every reported path is relative to.

    The current directory when every path lies inside it (so SARIF paths are repository
    relative when run from the repository root), else the paths' common parent directory.
    """
    here = (cwd or pathlib.Path.cwd()).resolve()
    resolved = [pathlib.Path(p).resolve() for p in paths] or [here]
    if all(p == here or here in p.parents for p in resolved):
        return here
    dirs = [p if p.is_dir() else p.parent for p in resolved]
    return pathlib.Path(os.path.commonpath([str(d) for d in dirs]))


def relative(root: pathlib.Path, path: pathlib.Path) -> str:
    rel = path.resolve().relative_to(root).as_posix()
    return rel or "."


def is_excluded(rel: str, exclude: tuple[str, ...]) -> bool:
    parts = rel.split("/")
    for pattern in exclude:
        if any(fnmatch.fnmatch(part, pattern) for part in parts):
            return True
        if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern.rstrip("/") + "/*"):
            return True
    return False


def discover(paths: list[str], root: pathlib.Path, exclude: tuple[str, ...]) -> Discovery:
    found = Discovery(root=root)
    module_dirs: dict[str, None] = {}
    candidates: dict[str, None] = {}
    tfvars: dict[str, None] = {}

    def consider(file: pathlib.Path, explicit: bool) -> None:
        name = file.name
        try:
            rel = relative(root, file)
        except ValueError:  # outside the root (a symlink pointing away): never read
            return
        if not explicit and is_excluded(rel, exclude):
            return
        if name.endswith(TF_SUFFIXES):
            module_dirs[relative(root, file.parent)] = None
        elif name.endswith(TFVARS_SUFFIXES):
            tfvars[rel] = None
            if explicit and any(file.parent.glob("*.tf")):
                module_dirs[relative(root, file.parent)] = None
        elif name.endswith(TEMPLATE_SUFFIXES):
            candidates[rel] = None
        else:
            return
        if explicit:
            found.only_files.append(rel)

    for raw in paths or ["."]:
        path = pathlib.Path(raw)
        if path.is_dir():
            real_root = path.resolve()
            for dirpath, dirnames, filenames in os.walk(real_root):
                here = pathlib.Path(dirpath)
                rel_dir = relative(root, here) if here != root else "."
                dirnames[:] = sorted(
                    d
                    for d in dirnames
                    if not is_excluded(f"{rel_dir}/{d}" if rel_dir != "." else d, exclude)
                    and not (here / d).is_symlink()
                )
                for filename in sorted(filenames):
                    file = here / filename
                    if file.is_symlink() and root not in file.resolve().parents:
                        continue
                    consider(file, explicit=False)
        elif path.is_file():
            consider(path, explicit=True)
    if any(pathlib.Path(raw).is_dir() for raw in paths or ["."]):
        found.only_files = []  # a directory was named: report everything found
    found.module_dirs = sorted(module_dirs)
    found.candidate_files = sorted(candidates)
    found.tfvars_files = sorted(tfvars)
    return found
