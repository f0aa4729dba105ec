"""python-hcl2 as an independent oracle for the tree-sitter front end.

Every ``.tf`` file under ``fixtures/`` and under the shared peer corpus (when present) is parsed
by both; every attribute whose value is a literal in our tree (string, number, bool, null, and
lists/objects of them — in top-level and nested blocks) must have the same value in
python-hcl2's output.

Normalizing python-hcl2 8.x: strings come back as their source text with the quotes
(``'"ami-1"'``, escapes undecoded), labels and quoted object keys too; blocks are lists of dicts
marked ``__is_block__``.

Known python-hcl2 shortcomings, excluded from the comparison:
* heredocs come back as raw source (``'"<<-EOT\\n  x\\nEOT"'``): ``<<EOT`` ones are compared
  after removing the markers; ``<<-EOT`` ones are skipped (python-hcl2 does not strip the
  indentation, so its value is not Terraform's);
* string escapes are left encoded: they are decoded with ``json.loads`` (HCL's escapes are
  JSON's plus ``\\U########``, ``$${`` and ``%%{``); a string JSON cannot decode is skipped.
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any

import pytest

from linter.frontends.terraform.hcl import parse_hcl
from linter.frontends.terraform.hcl_ast import Block, Body, Expr, Literal, ObjectExpr, TupleExpr
from tests.paths import REPO, SHARED

CORPUS = pathlib.Path(os.environ.get("IACLINT_CORPUS") or SHARED / "corpus")
SKIP = object()


def _files() -> list[pathlib.Path]:
    files = sorted((REPO / "fixtures").rglob("*.tf"))
    if CORPUS.is_dir():
        files += sorted(CORPUS.rglob("*.tf"))
    return [f for f in files if ".terraform" not in f.parts]


def _id(path: pathlib.Path) -> str:
    for base in (REPO, CORPUS):
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    return str(path)


def literal(expr: Expr) -> Any:
    """The Python value of a literal-only expression, else SKIP."""
    if isinstance(expr, Literal):
        if isinstance(expr.value, str) and expr.text.startswith("<<-"):
            return SKIP
        return expr.value
    if isinstance(expr, TupleExpr):
        items = [literal(item) for item in expr.items]
        return SKIP if any(item is SKIP for item in items) else items
    if isinstance(expr, ObjectExpr):
        out: dict[str, Any] = {}
        for item in expr.items:
            if not isinstance(item.key, Literal):
                return SKIP
            value = literal(item.value)
            if value is SKIP:
                return SKIP
            out[str(item.key.value)] = value
        return out
    return SKIP


def normalize(value: Any) -> Any:
    """python-hcl2's value → the value Terraform means (or SKIP)."""
    if isinstance(value, str):
        if value.startswith('"<<EOT') or value.startswith('"<<'):
            if value.startswith('"<<-'):
                return SKIP
            marker, _, rest = value[3:-1].partition("\n")
            body, _, _ = rest.rpartition("\n")
            return (body + "\n" if rest.strip() != marker else "").replace("$${", "${")
        if len(value) >= 2 and value[0] == value[-1] == '"':
            try:
                decoded = json.loads(value)
            except json.JSONDecodeError:
                return SKIP
            return decoded.replace("$${", "${").replace("%%{", "%{")
        return value
    if isinstance(value, list):
        items = [normalize(v) for v in value]
        return SKIP if any(i is SKIP for i in items) else items
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "__is_block__":
                continue
            normalized = normalize(item)
            if normalized is SKIP:
                return SKIP
            out[str(normalize(key))] = normalized
        return out
    return value


def compare_body(ours: Body, theirs: dict[str, Any], where: str, out: list[str]) -> int:
    compared = 0
    for attribute in ours.attributes:
        mine = literal(attribute.expr)
        if mine is SKIP:
            continue
        if attribute.name not in theirs:
            out.append(f"{where}.{attribute.name}: missing in python-hcl2")
            continue
        other = normalize(theirs[attribute.name])
        if other is SKIP:
            continue
        compared += 1
        if mine != other or _types(mine) != _types(other):
            out.append(f"{where}.{attribute.name} (line {attribute.span.start_line}): "
                       f"tree-sitter {mine!r} != python-hcl2 {other!r}")
    by_type: dict[str, list[Block]] = {}
    for block in ours.blocks:
        by_type.setdefault(block.type, []).append(block)
    for block_type, blocks in by_type.items():
        entries = theirs.get(block_type)
        if not isinstance(entries, list) or len(entries) != len(blocks):
            out.append(f"{where}.{block_type}: {len(blocks)} blocks, python-hcl2 has "
                       f"{len(entries) if isinstance(entries, list) else 0}")
            continue
        for index, (block, entry) in enumerate(zip(blocks, entries, strict=True)):
            body = entry
            for label in block.labels:
                key = f'"{label}"' if f'"{label}"' in body else label
                body = body.get(key, {}) if isinstance(body, dict) else {}
            if not isinstance(body, dict):
                out.append(f"{where}.{block_type}[{index}]: not a block in python-hcl2")
                continue
            name = ".".join((block_type, *block.labels))
            compared += compare_body(block.body, body, f"{where}/{name}[{index}]", out)
    return compared


def _types(value: Any) -> Any:
    if isinstance(value, list):
        return [_types(v) for v in value]
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return type(value).__name__
    return "number"


FILES = _files()


@pytest.mark.skipif(not FILES, reason="no .tf files (fixtures/ empty and no corpus)")
@pytest.mark.parametrize("path", FILES, ids=_id)
def test_literal_values_agree_with_python_hcl2(path: pathlib.Path) -> None:
    import hcl2

    data = path.read_bytes()
    ours = parse_hcl(path.name, data)
    try:
        theirs = hcl2.loads(data.decode("utf-8"))
    except Exception as exc:  # python-hcl2 rejects the file
        rejection = str(exc).splitlines()[0]
    else:
        rejection = ""
    if rejection:
        assert ours.problems, f"python-hcl2 rejects a file tree-sitter accepts: {rejection}"
        return
    if ours.problems:
        pytest.fail(f"tree-sitter rejects a file python-hcl2 accepts: {ours.problems[0]}")
    mismatches: list[str] = []
    compare_body(ours.body, theirs, path.name, mismatches)
    assert mismatches == []


def test_oracle_compares_nested_blocks_and_catches_differences() -> None:
    import hcl2

    source = (
        'resource "aws_instance" "a" {\n'
        '  ami = "x\\ty"\n'
        "  n = 2\n"
        '  l = [1, "a", { k = "v" }]\n'
        '  metadata_options { http_tokens = "required" }\n'
        "  h = <<EOT\nhello\nEOT\n"
        "}\n"
    )
    ours = parse_hcl("a.tf", source.encode())
    theirs = hcl2.loads(source)
    mismatches: list[str] = []
    assert compare_body(ours.body, theirs, "a.tf", mismatches) == 5
    assert mismatches == []
    theirs["resource"][0]['"aws_instance"']['"a"']["metadata_options"][0]["http_tokens"] = '"x"'
    compare_body(ours.body, theirs, "a.tf", mismatches)
    assert len(mismatches) == 1
    assert "http_tokens" in mismatches[0]
