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
import re
from collections.abc import Mapping

from linter.discover.read import Refused, confine, read_confined, refusal_finding
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
from linter.options import Budgets
from linter.rule import FILE_DOES_NOT_PARSE, tool_finding

DEFAULT_BUDGETS = Budgets()

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


# A long run of base64-alphabet characters (a blob in a string, a heredoc line): tree-sitter-hcl
# spends one token per character of a template literal (about 180 bytes of memory each), but
# treats spaces in one go. The parser is given a copy in which such runs are blanked inside
# (same bytes offsets, so every node keeps its place); every text is read from the real bytes.
_LONG_RUN = re.compile(rb"[A-Za-z0-9+/]{64,}")
_KEEP_HEAD = re.compile(rb"/*[A-Za-z0-9+]")  # a leading "//" (a comment's start) stays


def parser_view(data: bytes) -> bytes:
    """``data`` with the inside of every long base64-alphabet run replaced by spaces."""
    if len(data) < 4096:
        return data
    view: bytearray | None = None
    for match in _LONG_RUN.finditer(data):
        head = _KEEP_HEAD.match(data, match.start())
        start = head.end() if head else match.start() + 1
        end = match.end() - 1
        if end - start < 32:
            continue
        if view is None:
            view = bytearray(data)
        view[start:end] = b" " * (end - start)
    return bytes(view) if view is not None else data


def parse_hcl(rel_path: str, data: bytes,
              max_nodes: int = DEFAULT_BUDGETS.syntax_nodes) -> HclFile:
    """Parse one ``.tf`` file (``data`` should be UTF-8; invalid bytes are replaced).

    A file of more than ``max_nodes`` syntax nodes (the syntax-nodes budget) is not converted:
    tree-sitter's tree is cheap, the Python syntax tree built from it is not. Its only content is
    a problem saying so."""
    tree = parse_tree(parser_view(data))
    root = tree.root_node
    if root.descendant_count > max_nodes:
        return HclFile(path=rel_path, body=Body(), problems=(SyntaxProblem(
            Span(rel_path, 1, 1), f"{rel_path} has {root.descendant_count} syntax nodes, more "
            f"than the budget syntax-nodes ({max_nodes}); not evaluated (raise "
            "budgets.syntax-nodes in the configuration to evaluate it)"),))
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
    """Decode a target file; a binary or non-UTF-8 file is an IAC0001 finding.

    An empty (or blank) file decodes to its text: an empty ``.tf`` or ``.tfvars`` file is
    valid Terraform that declares nothing (empty ``variables.tf`` / ``outputs.tf`` are common);
    whether an empty JSON file is valid is for the JSON reader to say."""
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
    return text, None


def _json_nodes(data: bytes) -> int:
    """About the number of values of a JSON document, counted without parsing it."""
    return data.count(b",") + data.count(b"{") + data.count(b"[") + 1


def _is_terraform_file(name: str) -> bool:
    return name.endswith((".tf", ".tf.json"))


def load_module(root: pathlib.Path, module_dir: str, budgets: Budgets = DEFAULT_BUDGETS,
                reuse: Mapping[str, HclFile] | None = None
                ) -> tuple[list[HclFile], list[Finding]]:
    """Parse every ``.tf`` and ``.tf.json`` file of ``root/module_dir`` (not subdirectories).

    ``reuse``: files (by name) known to be unchanged since they were parsed under the same
    budgets, taken as they are instead of read and parsed again (``load_module_cached``: one
    edited file of a module is parsed again, not all of them).

    Files are read in sorted name order, through ``linter.discover.read``: nothing outside
    ``root``, nothing but regular files, nothing past the file-bytes or syntax-nodes budget (an
    IAC0001 finding on the file). A directory or file
    that is not read becomes a finding on its path (IAC0004 note for a symlink out of the root,
    a FIFO or a loop; IAC0001 for one that cannot be read or is too large).
    """
    rel_dir = pathlib.PurePosixPath(*pathlib.Path(module_dir).parts) if module_dir else None
    shown_dir = str(rel_dir or ".")
    findings: list[Finding] = []
    files: list[HclFile] = []
    real_dir = confine(root, module_dir or ".")
    if isinstance(real_dir, Refused):
        findings.append(refusal_finding(real_dir, shown_dir, f"module directory {shown_dir}"))
        return files, findings
    try:
        with os.scandir(real_dir) as entries:
            names = sorted(e.name for e in entries if _is_terraform_file(e.name))
    except OSError as exc:
        findings.append(tool_finding(
            FILE_DOES_NOT_PARSE, f"cannot read directory: {exc.strerror or exc}",
            Span(shown_dir, 1, 1)))
        return files, findings
    for name in names:
        rel = str(rel_dir / name) if rel_dir is not None and str(rel_dir) != "." else name
        known = reuse.get(name) if reuse is not None else None
        if known is not None:
            files.append(known)
            findings.extend(
                tool_finding(FILE_DOES_NOT_PARSE, p.message, p.span) for p in known.problems)
            continue
        data = read_confined(root, rel, budgets.file_bytes)
        if isinstance(data, Refused):
            findings.append(refusal_finding(data, rel))
            continue
        text, problem = read_text(rel, data)
        if problem is not None:
            findings.append(problem)
            continue
        assert text is not None
        if name.endswith(".tf.json") and _json_nodes(data) > budgets.syntax_nodes:
            findings.append(tool_finding(
                FILE_DOES_NOT_PARSE, f"{rel} has more than {budgets.syntax_nodes} JSON values, "
                "the budget syntax-nodes; not evaluated", Span(rel, 1, 1)))
            continue
        parsed = (parse_tf_json(rel, data) if name.endswith(".tf.json")
                  else parse_hcl(rel, data, budgets.syntax_nodes))
        files.append(parsed)
        findings.extend(
            tool_finding(FILE_DOES_NOT_PARSE, p.message, p.span) for p in parsed.problems)
    return files, findings
