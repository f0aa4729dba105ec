"""``scan_tfvars``: hard-coded AWS credentials in ``*.tfvars`` / ``*.tfvars.json`` files.

A variable file is no resource, but its values feed the configuration's variables (the provider
block's ``secret_key = var.secret_key``, ``user_data = var.init_script``), so a key written there is
as leaked as one written in a resource. Each credential is reported at its line in the tfvars file
(inside a heredoc when it is one), as finding IAC0401 with the address ``var.NAME``. Every value is
treated like user data, since nothing says where it goes: base64 is decoded, scripts are read,
PEM private keys count. The predicate skips values whose origin is a tfvars file, so nothing is
reported twice.
"""

from __future__ import annotations

import pathlib
from typing import Any

from linter.engine.fingerprint import file_fingerprint
from linter.model import Finding, Format, Path, Resource, Severity, Span
from linter.parse.hcl import parse_hcl
from linter.parse.hcl_ast import Expr, Literal, ObjectExpr, Template, TupleExpr
from linter.parse.json_positions import JNode, LineIndex, parse_json
from linter.secrets.locate import Leak, find_leaks
from linter.secrets.predicate import describe

RULE_ID = "IAC0401"
RULE_NAME = "hardcoded-aws-credentials"
CATEGORY = "hardcoded-credentials"
SEVERITY = Severity.ERROR  # keep in step with rules/aws/secrets/hardcoded-aws-credentials.yaml


def scan_tfvars(root: pathlib.Path, rel_path: str, data: bytes) -> list[Finding]:
    """The credentials in one variable file. A file that does not parse yields nothing here: the
    Terraform evaluator, which reads the same file for its values, reports it."""
    try:
        variables = (_json_variables(rel_path, data) if rel_path.endswith(".json")
                     else _hcl_variables(rel_path, data))
    except Exception:
        return []
    findings: list[Finding] = []
    for name, value, spans in variables:
        variable = Resource(
            address=f"var.{name}", type="tfvars", format=Format.TERRAFORM, kind="tfvars",
            attributes={name: value}, spans=spans, file=rel_path,
        )
        leaks = find_leaks(variable, scripts_everywhere=True)
        if leaks:
            findings.append(_finding(rel_path, name, leaks))
    return findings


_Variable = tuple[str, Any, dict[Path, Span]]


def _hcl_variables(rel_path: str, data: bytes) -> list[_Variable]:
    out: list[_Variable] = []
    for attribute in parse_hcl(rel_path, data).body.attributes:
        spans: dict[Path, Span] = {}
        value = _value(attribute.expr, (attribute.name,), spans)
        if value is not None:
            spans[()] = attribute.span
            out.append((attribute.name, value, spans))
    return out


def _json_variables(rel_path: str, data: bytes) -> list[_Variable]:
    text = data.decode("utf-8-sig")
    root = parse_json(text)
    lines = LineIndex(text)
    out: list[_Variable] = []
    for member in root.members if root.kind == "object" else ():
        spans: dict[Path, Span] = {(): lines.span(rel_path, member.key_start, member.value.end)}
        out.append((member.key, _json_value(member.value, (member.key,), spans, lines, rel_path),
                    spans))
    return out


def _json_value(node: JNode, path: Path, spans: dict[Path, Span], lines: LineIndex,
                rel_path: str) -> Any:
    spans[path] = lines.span(rel_path, node.start, node.end)
    if node.kind == "object":
        return {m.key: _json_value(m.value, (*path, m.key), spans, lines, rel_path)
                for m in node.members}
    if node.kind == "array":
        return [_json_value(item, (*path, index), spans, lines, rel_path)
                for index, item in enumerate(node.items)]
    return node.scalar


def _value(expr: Expr, path: Path, spans: dict[Path, Span]) -> Any:
    """The literal value of ``expr`` (strings, numbers, objects, tuples); None for anything else.

    A template with interpolations keeps its source text, which reads as a placeholder."""
    spans[path] = expr.span
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Template):
        if all(isinstance(part, str) for part in expr.parts):
            return "".join(str(part) for part in expr.parts)
        return expr.text
    if isinstance(expr, TupleExpr):
        return [_value(item, (*path, index), spans) for index, item in enumerate(expr.items)]
    if isinstance(expr, ObjectExpr):
        out: dict[str, Any] = {}
        for item in expr.items:
            key = item.key.value if isinstance(item.key, Literal) else None
            if isinstance(key, str):
                out[key] = _value(item.value, (*path, key), spans)
        return out
    return None


def _finding(rel_path: str, name: str, leaks: list[Leak]) -> Finding:
    details = describe(leaks)
    message = (f"var.{name} in {rel_path} is set to a hard-coded {details['what']}: anyone who "
               "can read this file can use it")
    return Finding(
        rule_id=RULE_ID,
        rule_name=RULE_NAME,
        category=CATEGORY,
        severity=SEVERITY,
        message=message,
        span=leaks[0].span,
        address=f"var.{name}",
        resource_type="tfvars",
        fingerprint=file_fingerprint(RULE_ID, rel_path, f"var.{name}"),
        properties={"redact": details["redact"]},
    )
