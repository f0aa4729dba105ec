"""Values of a root module's input variables, collected in Terraform's precedence order.

Later sources win: ``TF_VAR_name`` environment variables, ``terraform.tfvars``,
``terraform.tfvars.json``, ``*.auto.tfvars`` / ``*.auto.tfvars.json`` in lexical order,
``--var-file`` files in the order given, then ``--var NAME=VALUE``. (Variable defaults come
before all of them and are read from the configuration by the evaluator.)

Values from ``.tfvars`` files are evaluated here (constant expressions only); values given as
raw strings (``--var``, ``TF_VAR_``) stay raw until the variable's type is known, because
Terraform reads them literally for primitive types and as HCL expressions otherwise.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from linter.discover import overlay
from linter.errors import ConfigError
from linter.frontends.terraform.hcl import parse_hcl, read_text
from linter.frontends.terraform.hcl_ast import Expr
from linter.frontends.terraform.values import Value
from linter.json_positions import JsonPositionError, LineIndex, parse_json
from linter.model import Finding, Span
from linter.rule import FILE_DOES_NOT_PARSE, tool_finding


@dataclass(frozen=True)
class InputValue:
    """One supplied value of a variable: an expression (tfvars) or a raw string (CLI, env)."""

    source: str  # "terraform.tfvars", "--var", "TF_VAR_name" …
    expr: Expr | None = None  # tfvars (.tfvars: HCL expression; .tfvars.json: literal)
    literal: Value = None  # .tfvars.json values (already plain JSON)
    raw: str | None = None  # --var / TF_VAR_ strings
    origin: Span | None = None  # where the value is written (tfvars line), None for CLI/env
    is_literal: bool = False

    @property
    def origins(self) -> tuple[Span, ...]:
        return (self.origin,) if self.origin is not None else ()


@dataclass
class Inputs:
    values: dict[str, InputValue]
    findings: list[Finding]
    files: list[str]


def _rel(root: pathlib.Path, path: pathlib.Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _read_tfvars(path: pathlib.Path, rel: str,
                 into: dict[str, InputValue], findings: list[Finding]) -> None:
    try:
        data = overlay.read_bytes(path)
    except OSError as exc:
        findings.append(tool_finding(FILE_DOES_NOT_PARSE, f"cannot read file: {exc.strerror}",
                                     Span(rel, 1, 1)))
        return
    text, problem = read_text(rel, data)
    if problem is not None:
        if text is None and data.strip() == b"":
            return  # an empty tfvars file sets nothing, as in Terraform
        findings.append(problem)
        return
    assert text is not None
    if rel.endswith(".json"):
        _read_tfvars_json(text, rel, into, findings)
        return
    parsed = parse_hcl(rel, data)
    findings.extend(tool_finding(FILE_DOES_NOT_PARSE, p.message, p.span) for p in parsed.problems)
    for attribute in parsed.body.attributes:
        into[attribute.name] = InputValue(source=rel, expr=attribute.expr, origin=attribute.span)
    for block in parsed.body.blocks:
        findings.append(tool_finding(
            FILE_DOES_NOT_PARSE, f"blocks are not allowed in a variables file ({block.type})",
            block.header))


def _read_tfvars_json(text: str, rel: str, into: dict[str, InputValue],
                      findings: list[Finding]) -> None:
    lines = LineIndex(text)
    try:
        root = parse_json(text)
    except JsonPositionError as exc:
        line, col = lines.position(exc.offset)
        findings.append(tool_finding(FILE_DOES_NOT_PARSE, f"invalid JSON: {exc.message}",
                                     Span(rel, line, col)))
        return
    if root.kind != "object":
        findings.append(tool_finding(FILE_DOES_NOT_PARSE,
                                     "a variables file must hold a JSON object",
                                     lines.span(rel, root.start, root.end)))
        return
    for member in root.members:
        span = lines.span(rel, member.key_start, member.value.end)
        into[member.key] = InputValue(source=rel, literal=member.value.to_python(), origin=span,
                                      is_literal=True)


def _value_files(directory: str) -> list[str]:
    """terraform.tfvars, terraform.tfvars.json, then *.auto.tfvars(.json) in lexical order."""
    try:
        with os.scandir(directory) as entries:
            names = [e.name for e in entries
                     if e.name.endswith((".tfvars", ".tfvars.json")) and e.is_file()]
    except OSError:
        return []
    fixed = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    auto = sorted(n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json")))
    return fixed + auto


def _var_file(root: pathlib.Path, directory: pathlib.Path, name: str) -> pathlib.Path:
    path = pathlib.Path(name)
    for candidate in ((path,) if path.is_absolute() else (path, directory / path, root / path)):
        if candidate.is_file():
            return candidate
    raise ConfigError(f"variables file {name!r} does not exist", file=name)


def collect_inputs(root: pathlib.Path, module_dir: str, var_files: tuple[str, ...] = (),
                   variables: Mapping[str, str] | None = None,
                   environ: Mapping[str, str] | None = None,
                   declared: Iterable[str] = ()) -> Inputs:
    """Every supplied input of the root module ``module_dir``, later sources overriding.

    ``environ`` is consulted for ``TF_VAR_<name>`` of the ``declared`` variable names only
    (Terraform ignores the others).
    """
    directory = root / module_dir if module_dir not in ("", ".") else root
    values: dict[str, InputValue] = {}
    findings: list[Finding] = []
    files: list[str] = []
    if environ is not None:
        for name in declared:
            raw = environ.get(f"TF_VAR_{name}")
            if raw is not None:
                values[name] = InputValue(source=f"TF_VAR_{name}", raw=raw)
    prefix = "" if module_dir in ("", ".") else module_dir.rstrip("/") + "/"
    for name in _value_files(str(directory)):
        files.append(prefix + name)
        _read_tfvars(directory / name, prefix + name, values, findings)
    for name in var_files:
        path = _var_file(root, directory, name)
        rel = _rel(root, path)
        files.append(rel)
        _read_tfvars(path, rel, values, findings)
    for name, raw in (variables or {}).items():
        values[name] = InputValue(source="--var", raw=raw)
    return Inputs(values, findings, files)
