"""Hand-built resources and graphs for engine tests (no front end involved)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linter.checks.context import RuleContext
from linter.graph.graph import Graph, build
from linter.model import Format, Path, Resource, Span
from linter.options import ScanOptions


def spans_for(attributes: Any, file: str, first_line: int) -> dict[Path, Span]:
    """One line per attribute, block and list element, in document order (like a front end)."""
    spans: dict[Path, Span] = {(): Span(file, first_line)}
    line = first_line

    def walk(node: Any, path: Path) -> None:
        nonlocal line
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            line += 1
            here = (*path, key)
            spans[here] = Span(file, line)
            if isinstance(value, (dict, list)):
                walk(value, here)

    walk(attributes, ())
    return spans


def tf(address: str, attributes: Mapping[str, Any] | None = None, *, kind: str = "resource",
       file: str = "main.tf", line: int = 1, origins: Mapping[Path, tuple[Span, ...]] | None = None,
       ) -> Resource:
    attrs = dict(attributes or {})
    type_ = address.split(".")[-2] if kind != "data" else address.split(".")[1]
    return Resource(address=address, type=type_, format=Format.TERRAFORM, kind=kind,
                    attributes=attrs, spans=spans_for(attrs, file, line), file=file,
                    origins=dict(origins or {}))


def cfn(logical_id: str, type_: str, properties: Mapping[str, Any] | None = None, *,
        file: str = "template.yaml", line: int = 1) -> Resource:
    attrs: dict[str, Any] = {"Type": type_}
    if properties is not None:
        attrs["Properties"] = dict(properties)
    return Resource(address=logical_id, type=type_, format=Format.CLOUDFORMATION,
                    kind="resource", attributes=attrs, spans=spans_for(attrs, file, line),
                    file=file)


def graph_of(*resources: Resource) -> Graph:
    return build(resources, [])


def ctx(resource: Resource, options: ScanOptions | None = None) -> RuleContext:
    return RuleContext(resource, graph_of(resource), options or ScanOptions())
