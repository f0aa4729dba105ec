"""Shared helpers for the CloudFormation evaluator tests."""

from __future__ import annotations

import pathlib
import textwrap
from typing import Any

from linter.frontends.cloudformation.template import evaluate_template
from linter.model import ParseResult, Resource
from linter.options import ScanOptions


def evaluate(text: str, root: pathlib.Path | None = None, **options: Any) -> ParseResult:
    data = textwrap.dedent(text).lstrip("\n").encode()
    return evaluate_template(root or pathlib.Path("."), "template.yaml", data,
                             ScanOptions(**options))


def only(result: ParseResult, address: str) -> Resource:
    found = [r for r in result.resources if r.address == address]
    assert len(found) == 1, [r.address for r in result.resources]
    return found[0]


def props(result: ParseResult, address: str) -> Any:
    return only(result, address).attributes["Properties"]
