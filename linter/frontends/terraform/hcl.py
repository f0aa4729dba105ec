"""The Terraform front end's parsing half: ``.tf`` / ``.tf.json`` files → ``HclFile`` syntax trees.

* ``parse_hcl`` parses native syntax with tree-sitter-hcl (fast, error tolerant, a position on
  every node). When the tree has ERROR/MISSING nodes every block that parsed is kept and the
  file gets one ``SyntaxProblem`` whose message comes from python-hcl2 (its line/column and
  expected tokens), or from tree-sitter's own position when python-hcl2 cannot say.
* ``parse_tf_json`` (in ``linter.frontends.terraform.tf_json``) reads Terraform's JSON syntax
  into the same tree.
* ``load_module`` reads every Terraform file of one directory; a broken file becomes an
  IAC0001 finding and still contributes what parsed.
"""

from __future__ import annotations

import os
import pathlib

from linter.discover import overlay
from linter.frontends.terraform.hcl_ast import Body, HclFile, SyntaxProblem
from linter.frontends.terraform.hcl_errors import hcl2_error
from linter.frontends.terraform.hcl_treesitter import (
    Converter,
    FilePositions,
    Node,
    comments,
    first_error,
    parse_tree,
)
from linter.frontends.terraform.tf_json import parse_tf_json
from linter.model import Finding, Span
from linter.rule import EVALUATION_NOTE, FILE_DOES_NOT_PARSE, tool_finding

__all__ = ["load_module", "parse_hcl", "parse_tf_json", "read_text"]

_MISSING_NAMES = {
    "block_end": "'}'",
    "object_end": "'}'",
    "tuple_end": "']'",
    "quoted_template_end": "closing '\"'",
    "template_interpolation_end": "'}' closing '${'",
    "template_directive_end": "'}' closing '%{'",
    "heredoc_identifier": "heredoc end marker",
}


def parse_hcl(rel_path: str, data: bytes) -> HclFile:
    """Parse one ``.tf`` file (``data`` should be UTF-8; invalid bytes are replaced)."""
    tree = parse_tree(data)
    root = tree.root_node
    positions = FilePositions(rel_path, data)
    converter = Converter(data, positions)
    body_node = next((c for c in root.children if c.type == "body"), None)
    try:
        body = converter.body(body_node, top_level=True) if body_node is not None else Body()
        if body_node is None and root.has_error:
            body = converter.body(root, top_level=True)  # a file that is only an ERROR node
    except RecursionError:
        deepest = Span(rel_path, 1, 1)
        return HclFile(path=rel_path, body=Body(), problems=(SyntaxProblem(
            deepest, "expressions are nested too deeply for the parser"),))
    notes = comments(root, data, positions)
    problems: tuple[SyntaxProblem, ...] = ()
    if root.has_error:
        problems = (_problem(rel_path, data, root, positions),)
    return HclFile(
        path=rel_path,
        body=body,
        problems=problems,
        comments=tuple((c.span.start_line, c.text) for c in notes),
        comment_details=notes,
    )


def _problem(rel_path: str, data: bytes, root: Node, positions: FilePositions) -> SyntaxProblem:
    node = first_error(root)
    if node is not None:
        span = positions.span(node.start_point, node.end_point)
    else:
        span = Span(rel_path, 1, 1)
    oracle = hcl2_error(data.decode("utf-8", "replace"))
    if oracle is not None:
        if oracle.line is not None:
            span = Span(rel_path, oracle.line, oracle.column or 1)
        return SyntaxProblem(span, f"syntax error: {oracle.message}")
    if node is None:
        return SyntaxProblem(span, "syntax error")
    if node.is_missing:
        missing = _MISSING_NAMES.get(node.type, repr(node.type))
        return SyntaxProblem(span, f"syntax error: missing {missing}")
    text = data[node.start_byte : node.end_byte].decode("utf-8", "replace").strip()
    first = text.splitlines()[0] if text else ""
    if len(first) > 30:
        first = first[:30] + "…"
    return SyntaxProblem(span, f"syntax error: unexpected {first!r}" if first else "syntax error")


# ---------------------------------------------------------------- reading files


def read_text(rel_path: str, data: bytes) -> tuple[str | None, Finding | None]:
    """Decode a target file; a binary, non-UTF-8 or empty file is an IAC0001 finding."""
    nul = data.find(b"\x00")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        return None, tool_finding(
            FILE_DOES_NOT_PARSE, "binary file (contains NUL bytes); not scanned",
            Span(rel_path, line, 1))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = data[exc.start : exc.start + 1].hex()
        return None, tool_finding(
            FILE_DOES_NOT_PARSE, f"not valid UTF-8 (byte 0x{bad} at line {line}, column {column})",
            Span(rel_path, line, column))
    if not text.strip():
        return None, tool_finding(FILE_DOES_NOT_PARSE, "file is empty", Span(rel_path, 1, 1))
    return text, None


def _is_terraform_file(name: str) -> bool:
    return name.endswith((".tf", ".tf.json"))


def _inside(path: pathlib.Path, root: pathlib.Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def load_module(root: pathlib.Path, module_dir: str) -> tuple[list[HclFile], list[Finding]]:
    """Parse every ``.tf`` and ``.tf.json`` file of ``root/module_dir`` (not subdirectories).

    Files are read in sorted name order. Nothing outside ``root`` is read: a directory or
    file (symlink) that resolves outside the root is skipped with an IAC0004 note.
    """
    real_root = root.resolve()
    directory = root / module_dir if module_dir not in ("", ".") else root
    rel_dir = pathlib.PurePosixPath(*pathlib.Path(module_dir).parts) if module_dir else None
    findings: list[Finding] = []
    files: list[HclFile] = []
    real_dir = directory.resolve()
    if not _inside(real_dir, real_root):
        findings.append(tool_finding(
            EVALUATION_NOTE, f"module directory {module_dir!r} is outside the scan root; not read",
            Span(str(rel_dir or "."), 1, 1)))
        return files, findings
    try:
        names = sorted(e.name for e in os.scandir(directory) if _is_terraform_file(e.name))
    except OSError as exc:
        findings.append(tool_finding(
            FILE_DOES_NOT_PARSE, f"cannot read directory: {exc.strerror or exc}",
            Span(str(rel_dir or "."), 1, 1)))
        return files, findings
    for name in names:
        rel = str(rel_dir / name) if rel_dir is not None and str(rel_dir) != "." else name
        path = directory / name
        real = path.resolve()
        if not _inside(real, real_root):
            findings.append(tool_finding(
                EVALUATION_NOTE, f"{rel} links outside the scan root; not read", Span(rel, 1, 1)))
            continue
        if not real.is_file():
            continue
        try:
            data = overlay.read_bytes(real)
        except OSError as exc:
            findings.append(tool_finding(
                FILE_DOES_NOT_PARSE, f"cannot read file: {exc.strerror or exc}", Span(rel, 1, 1)))
            continue
        text, problem = read_text(rel, data)
        if problem is not None:
            findings.append(problem)
            continue
        assert text is not None
        parsed = parse_tf_json(rel, data) if name.endswith(".tf.json") else parse_hcl(rel, data)
        files.append(parsed)
        findings.extend(
            tool_finding(FILE_DOES_NOT_PARSE, p.message, p.span) for p in parsed.problems)
    return files, findings
