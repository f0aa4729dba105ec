"""Helpers of the Terraform evaluator tests: write a module to a temporary directory, evaluate."""

from __future__ import annotations

import pathlib
import textwrap
from typing import Any

from linter.frontends.terraform.module import evaluate_module
from linter.model import ParseResult, Resource
from linter.options import ScanOptions


def write(root: pathlib.Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def run(root: pathlib.Path, files: dict[str, str], module_dir: str = ".",
        options: ScanOptions | None = None) -> ParseResult:
    write(root, files)
    return evaluate_module(root, module_dir, options or ScanOptions(use_env_vars=False))


def resource(result: ParseResult, address: str) -> Resource:
    found = [r for r in result.resources if r.address == address]
    assert found, f"{address} not in {[r.address for r in result.resources]}"
    return found[0]


def addresses(result: ParseResult) -> list[str]:
    return [r.address for r in result.resources]


def value(root: pathlib.Path, expr: str, prelude: str = "") -> Any:
    """The evaluated value of ``expr`` as an attribute of a test resource."""
    result = run(root, {"main.tf": f'{prelude}\nresource "test" "t" {{\n  v = {expr}\n}}\n'})
    return resource(result, "test.t").attributes.get("v")
