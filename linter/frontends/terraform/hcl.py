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
from collections.abc import Mapping

from linter.discover.read import Refused, confine, read_confined, refusal_finding
from linter.frontends.terraform.hcl_ast import Body, HclFile, SyntaxProblem
from linter.frontends.terraform.hcl_errors import hcl2_error
from linter.frontends.terraform.hcl_treesitter import (
    Converter,
    FilePositions,
    Node,
    ParseBudgetExceeded,
    ValuesConverter,
    comments,
    first_error,
    may_have_comments,
    parse_tree,
    parser_view,
)
from linter.frontends.terraform.tf_json import parse_tf_json
from linter.model import Finding, Span
from linter.options import Budgets
from linter.rule import FILE_DOES_NOT_PARSE, tool_finding

DEFAULT_BUDGETS = Budgets()

__all__ = ["load_module", "parse_hcl", "parse_tf_json", "parser_view", "read_text"]

_MISSING_NAMES = {
    "block_end": "'}'",
    "object_end": "'}'",
    "tuple_end": "']'",
    "quoted_template_end": "closing '\"'",
    "template_interpolation_end": "'}' closing '${'",
    "template_directive_end": "'}' closing '%{'",
    "heredoc_identifier": "heredoc end marker",
}


def parse_hcl(rel_path: str, data: bytes,
              max_nodes: int = DEFAULT_BUDGETS.syntax_nodes, *, values_only: bool = False,
              with_comments: bool = True) -> HclFile:
    """Parse one ``.tf`` file (``data`` should be UTF-8; invalid bytes are replaced).

    ``values_only``: the syntax tree is for comparing values (``linter.fixes.hcl.verify``): its
    spans are all one placeholder (``ValuesConverter``) and comments are not collected; a
    syntax problem still has its real position. ``with_comments=False``: the file's
    ``comments`` are left empty (``load_module``: nothing reads them there; suppressions are
    read from the text), which saves a query over the whole tree of a file with comments.

    A file of more than ``max_nodes`` syntax nodes (the syntax-nodes budget) is not converted:
    tree-sitter's tree is cheap, the Python syntax tree built from it is not. Its only content is
    a problem saying so."""
    try:
        tree = parse_tree(data, max_nodes)
    except ParseBudgetExceeded:
        return HclFile(path=rel_path, body=Body(), problems=(SyntaxProblem(
            Span(rel_path, 1, 1), f"{rel_path} needs more parsing work than {max_nodes} syntax "
            f"nodes, the budget syntax-nodes; not evaluated (raise budgets.syntax-nodes in the "
            "configuration to evaluate it)"),))
    root = tree.root_node
    if root.descendant_count > max_nodes:
        return HclFile(path=rel_path, body=Body(), problems=(SyntaxProblem(
            Span(rel_path, 1, 1), f"{rel_path} has {root.descendant_count} syntax nodes, more "
            f"than the budget syntax-nodes ({max_nodes}); not evaluated (raise "
            "budgets.syntax-nodes in the configuration to evaluate it)"),))
    positions = FilePositions(rel_path, data)
    clean = not root.has_error
    converter = (ValuesConverter(data, clean=clean) if values_only
                 else Converter(data, positions, clean=clean))
    body_node = next((c for c in root.children if c.type == "body"), None)
    try:
        body = converter.body(body_node, top_level=True) if body_node is not None else Body()
        if body_node is None and root.has_error:
            body = converter.body(root, top_level=True)  # a file that is only an ERROR node
    except RecursionError:
        deepest = Span(rel_path, 1, 1)
        return HclFile(path=rel_path, body=Body(), problems=(SyntaxProblem(
            deepest, "expressions are nested too deeply for the parser"),))
    notes = comments(root, data, positions) if with_comments and not values_only and (
        may_have_comments(root, data)) else ()
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


# python-hcl2 is a pure-Python LALR parser: about 20 s and 300 MB per MB of HCL, and 200 MB per
# MB of one long string token. It is asked about at most this many bytes.
ORACLE_BYTES = 128 * 1024


def oracle_window(data: bytes, error: Node | None) -> tuple[str, int] | None:
    """The text python-hcl2 is asked about and the number of lines before it: the whole file
    when it is small; else the whole lines of the top-level block that holds the first error,
    when they are small (the parser's state at a top-level block is its state at the start of
    a file); else None (tree-sitter's own message is used)."""
    if len(data) <= ORACLE_BYTES:
        return data.decode("utf-8", "replace"), 0
    if error is None:
        return None
    top = error
    while top.parent is not None and top.parent.type not in ("body", "config_file"):
        top = top.parent
    start = data.rfind(b"\n", 0, top.start_byte) + 1
    end = data.find(b"\n", top.end_byte)
    end = len(data) if end < 0 else end + 1
    if end - start > ORACLE_BYTES:
        return None
    return data[start:end].decode("utf-8", "replace"), data.count(b"\n", 0, start)


def syntax_error(rel_path: str, text: str) -> str | None:
    """None when ``text`` parses as HCL native syntax, else the one-line message ``parse_hcl``
    gives (the fix stage's check of a file it changed)."""
    data = text.encode("utf-8")
    try:
        root = parse_tree(data).root_node
    except ParseBudgetExceeded as exc:
        return str(exc)
    if not root.has_error:
        return None
    return _problem(rel_path, data, root, FilePositions(rel_path, data)).message


def _problem(rel_path: str, data: bytes, root: Node, positions: FilePositions) -> SyntaxProblem:
    node = first_error(root)
    if node is not None:
        span = positions.span(node.start_point, node.end_point)
    else:
        span = Span(rel_path, 1, 1)
    window = oracle_window(data, node)
    oracle = hcl2_error(window[0]) if window is not None else None
    if window is not None and oracle is not None:
        if oracle.line is not None:
            span = Span(rel_path, oracle.line + window[1], oracle.column or 1)
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
    IAC0001 finding on the file). The files' comments are not collected (nothing that reads
    a module uses them). A directory or file
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
                  else parse_hcl(rel, data, budgets.syntax_nodes, with_comments=False))
        files.append(parsed)
        findings.extend(
            tool_finding(FILE_DOES_NOT_PARSE, p.message, p.span) for p in parsed.problems)
    return files, findings
