"""Builders of small graphs for the identity-graph tests (resources as the evaluators make them)."""

from __future__ import annotations

from typing import Any

from linter.graph.graph import Graph, build
from linter.graph.identity import derive
from linter.model import Edge, Format, Path, Resource, Span, Unknown
from linter.options import ScanOptions


def _spans(node: Any, path: Path, file: str, counter: list[int], out: dict[Path, Span]) -> None:
    counter[0] += 1
    out[path] = Span(file, counter[0])
    if isinstance(node, dict):
        for key, value in node.items():
            _spans(value, (*path, key), file, counter, out)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _spans(value, (*path, index), file, counter, out)


def _edges(address: str, node: Any, path: Path) -> list[Edge]:
    if isinstance(node, Unknown):
        return [Edge(address, ref, "reference", path) for ref in node.refs]
    if isinstance(node, dict):
        return [e for key, value in node.items() for e in _edges(address, value, (*path, key))]
    if isinstance(node, list):
        return [e for i, value in enumerate(node) for e in _edges(address, value, (*path, i))]
    return []


def make_resource(address: str, type_: str, attributes: dict[str, Any],
                  fmt: Format = Format.TERRAFORM, file: str = "") -> Resource:
    file = file or ("main.tf" if fmt is Format.TERRAFORM else "template.yaml")
    spans: dict[Path, Span] = {}
    _spans(attributes, (), file, [0], spans)
    return Resource(address, type_, fmt, "resource", attributes, spans, file)


def tf(address: str, attributes: dict[str, Any] | None = None) -> Resource:
    type_ = address.split(".")[-2] if not address.startswith("data.") else address.split(".")[1]
    return make_resource(address, type_.split("[")[0], attributes or {})


def cfn(logical_id: str, type_: str, properties: dict[str, Any] | None = None) -> Resource:
    attributes: dict[str, Any] = {"Type": type_}
    if properties is not None:
        attributes["Properties"] = properties
    return make_resource(logical_id, type_, attributes, Format.CLOUDFORMATION)


def ref(address: str, attribute: str = "id") -> Unknown:
    """A Terraform reference the evaluator could not know (``aws_x.y.id``)."""
    return Unknown(f"{address}.{attribute}", "known after apply", refs=(address,))


def cfn_ref(logical_id: str) -> Unknown:
    return Unknown(f"!Ref {logical_id}", "physical id", refs=(logical_id,))


def graph_of(*resources: Resource, options: ScanOptions | None = None,
             edges: list[Edge] | None = None) -> Graph:
    edges = [*(e for r in resources for e in _edges(r.address, r.attributes, ())),
             *(edges or ())]
    graph = build(resources, edges)
    derive(graph)
    return graph
