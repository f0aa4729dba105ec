"""File-system functions (``file``, ``templatefile``, ``fileexists``, ``fileset``) confined to
the scan root.

Terraform resolves relative paths against the working directory, which is the root module's
directory. iaclint reads only regular files that resolve (symlinks followed) inside the scan
root: an absolute path, a ``..`` that escapes the root or a symlink out of it gives an Unknown
and an IAC0004 note, and nothing is read.
"""

from __future__ import annotations

import fnmatch
import os
import pathlib
from dataclasses import field

from linter.discover.read import MISSING, Refused, read_regular
from linter.frontends.budget import meter
from linter.frontends.terraform.expressions import Context, Trace, evaluate
from linter.frontends.terraform.hcl import parse_hcl
from linter.frontends.terraform.hcl_ast import Template, Traversal
from linter.frontends.terraform.values import EvalError, Value
from linter.model import Finding, Span, Unknown
from linter.records import mutable
from linter.rule import EVALUATION_NOTE, tool_finding

_MAX_TEMPLATE_DEPTH = 8


@mutable
class FileAccess:
    """Shared by one evaluation: the scan root, the working directory, notes and files read."""

    root: pathlib.Path
    cwd: str  # the root module's directory, relative to the root ("" = the root itself)
    notes: list[Finding] = field(default_factory=list)
    files_read: list[str] = field(default_factory=list)
    _real_root: pathlib.Path | None = None
    depth: int = 0

    @property
    def real_root(self) -> pathlib.Path:
        if self._real_root is None:
            self._real_root = self.root.resolve()
        return self._real_root

    def note(self, message: str, span: Span) -> None:
        finding = tool_finding(EVALUATION_NOTE, message, span)
        if finding not in self.notes:
            self.notes.append(finding)

    def locate(self, path: str, span: Span, function: str) -> pathlib.Path | Unknown:
        """The real path of ``path`` inside the root, or an Unknown (and a note) if outside."""
        text = f'{function}("{path}")'
        if os.path.isabs(path) or path.startswith("~"):
            self.note(f"{function}() of an absolute path is not read: {path}", span)
            return Unknown(text, f"{function}() of a path outside the scan root", span)
        base = self.root / self.cwd if self.cwd not in ("", ".") else self.root
        real = (base / path).resolve()
        try:
            real.relative_to(self.real_root)
        except ValueError:
            self.note(f"{function}() of a path outside the scan root is not read: {path}", span)
            return Unknown(text, f"{function}() of a path outside the scan root", span)
        return real

    def relative(self, real: pathlib.Path) -> str:
        return real.relative_to(self.real_root).as_posix()


@mutable
class FunctionFiles:
    """The ``FunctionEnv`` of one function call (``span`` is the call, for notes)."""

    access: FileAccess
    span: Span
    read: str | None = None  # the file this call read (file(), templatefile())

    def file_read(self) -> str | None:
        return self.read

    def read_file(self, path: str) -> str | Unknown:
        real = self.access.locate(path, self.span, "file")
        if isinstance(real, Unknown):
            return real
        data = read_regular(real, meter().budgets.file_bytes)
        if isinstance(data, Refused):
            if data.kind == MISSING:
                raise EvalError(f"no file exists at {path!r}")
            raise EvalError(f"{path!r} {data.message}")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise EvalError(f"{path!r} is not valid UTF-8") from None
        rel = self.access.relative(real)
        if rel not in self.access.files_read:
            self.access.files_read.append(rel)
        self.read = rel
        return text

    def file_exists(self, path: str) -> bool | Unknown:
        real = self.access.locate(path, self.span, "fileexists")
        if isinstance(real, Unknown):
            return real
        return real.is_file()

    def file_set(self, path: str, pattern: str) -> list[str] | Unknown:
        real = self.access.locate(path, self.span, "fileset")
        if isinstance(real, Unknown):
            return real
        if not real.is_dir():
            return []
        found: list[str] = []
        for directory, _dirs, names in os.walk(real):
            for name in names:
                rel = (pathlib.Path(directory) / name).relative_to(real).as_posix()
                if fnmatch.fnmatchcase(rel, pattern):
                    found.append(rel)
        return sorted(found)

    def render_template(self, path: str, text: str, variables: dict[str, Value]) -> Value:
        if self.access.depth >= _MAX_TEMPLATE_DEPTH:
            raise EvalError("templatefile() calls nest too deeply")
        real = self.access.locate(path, self.span, "templatefile")
        rel = self.access.relative(real) if isinstance(real, pathlib.Path) else path
        template = parse_template(rel, text)
        if template is None:
            raise EvalError(f"the template {path!r} does not parse")
        for name in variables:
            if not name.isidentifier():
                raise EvalError(f"invalid template variable name {name!r}")
        self.access.depth += 1
        try:
            ctx = Context(TemplateResolver(self.access), dict(variables), Trace())
            value = evaluate(template, ctx)
        finally:
            self.access.depth -= 1
        if isinstance(value, Unknown) and value.reason.startswith("error: "):
            raise EvalError(f"in template {path}: {value.reason[7:]}")
        return value


class TemplateResolver:
    """Inside a template file only the template variables exist (no var., local. …)."""

    def __init__(self, access: FileAccess) -> None:
        self.access = access

    def resolve(self, traversal: Traversal, ctx: Context) -> tuple[Value, int]:
        raise EvalError(f"{traversal.root!r} is not a variable of the template")

    def functions(self, span: Span) -> FunctionFiles:
        return FunctionFiles(self.access, span)


def parse_template(rel_path: str, text: str) -> Template | None:
    """A template file's text as a ``Template`` (parsed as a heredoc body)."""
    marker = "IACLINT_TEMPLATE_END"
    while marker in text:
        marker += "_"
    trailing = text.endswith("\n")
    source = f"t = <<{marker}\n{text}{'' if trailing else chr(10)}{marker}\n"
    parsed = parse_hcl(rel_path, source.encode())
    attribute = parsed.body.attribute("t")
    if parsed.problems or attribute is None:
        return None
    expr = attribute.expr
    if not isinstance(expr, Template):
        return Template(parts=(expr,), span=expr.span, text=text)
    parts = list(expr.parts)
    if not trailing and parts and isinstance(parts[-1], str) and parts[-1].endswith("\n"):
        parts[-1] = parts[-1][:-1]
        if not parts[-1]:
            parts.pop()
    return Template(parts=tuple(parts), span=expr.span, text=text)
