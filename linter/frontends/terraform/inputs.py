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

from linter.discover.read import (
    Refused,
    inside,
    read_confined,
    read_regular,
    real_path,
    refusal_finding,
)
from linter.errors import ConfigError
from linter.frontends.terraform.hcl import DEFAULT_BUDGETS, parse_hcl, read_text
from linter.frontends.terraform.hcl_ast import Expr
from linter.frontends.terraform.values import Value
from linter.json_positions import JsonPositionError, LineIndex, parse_json
from linter.model import Finding, Span
from linter.records import mutable, record
from linter.rule import EVALUATION_NOTE, FILE_DOES_NOT_PARSE, tool_finding


@record
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


@mutable
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
                 into: dict[str, InputValue], findings: list[Finding], max_bytes: int) -> None:
    data = read_regular(path, max_bytes)
    if isinstance(data, Refused):
        findings.append(refusal_finding(data, rel))
        return
    _parse_tfvars(data, rel, into, findings)


def _parse_tfvars(data: bytes, rel: str, into: dict[str, InputValue],
                  findings: list[Finding]) -> None:
    text, problem = read_text(rel, data)
    if problem is not None:
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
                     if e.name.endswith((".tfvars", ".tfvars.json"))
                     and not e.is_dir(follow_symlinks=False)]
    except OSError:
        return []
    fixed = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    auto = sorted(n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json")))
    return fixed + auto


def _var_file(root: pathlib.Path, directory: pathlib.Path, name: str) -> pathlib.Path:
    path = pathlib.Path(name)
    for candidate in ((path,) if path.is_absolute() else (path, directory / path, root / path)):
        if candidate.exists():
            return candidate
    raise ConfigError(f"variables file {name!r} does not exist", file=name)


@record
class Confinement:
    """Variables files named by the repository's configuration: read only inside ``root``."""

    root: str = ""
    paths: tuple[str, ...] = ()

    def refuses(self, name: str, path: pathlib.Path) -> bool:
        if not self.root or name not in self.paths:
            return False
        real = real_path(path)
        return isinstance(real, Refused) or not inside(real, pathlib.Path(self.root))


def collect_inputs(root: pathlib.Path, module_dir: str, var_files: tuple[str, ...] = (),
                   variables: Mapping[str, str] | None = None,
                   environ: Mapping[str, str] | None = None,
                   declared: Iterable[str] = (), *,
                   confinement: Confinement = Confinement(),
                   max_bytes: int = DEFAULT_BUDGETS.file_bytes,
                   note_at: Span | None = None) -> Inputs:
    """Every supplied input of the root module ``module_dir``, later sources overriding.

    ``environ`` is consulted for ``TF_VAR_<name>`` of the ``declared`` variable names only
    (Terraform ignores the others). Files are read through ``linter.discover.read`` (regular
    files of at most ``max_bytes``; the module's own tfvars inside the root); a variables file
    the repository's configuration names outside its directory is not read: an IAC0004 note at
    ``note_at`` (the module) says so.
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
        rel = prefix + name
        files.append(rel)
        data = read_confined(root, rel, max_bytes)
        if isinstance(data, Refused):
            findings.append(refusal_finding(data, rel))
            continue
        _parse_tfvars(data, rel, values, findings)
    for name in var_files:
        path = _var_file(root, directory, name)
        if confinement.refuses(name, path):
            findings.append(tool_finding(
                EVALUATION_NOTE, f"variables file {name} (named by the configuration file) is "
                "outside the repository; not read", note_at or Span(prefix or ".", 1)))
            continue
        rel = _rel(root, path)
        files.append(rel)
        _read_tfvars(path, rel, values, findings, max_bytes)
    for name, raw in (variables or {}).items():
        values[name] = InputValue(source="--var", raw=raw)
    return Inputs(values, findings, files)
