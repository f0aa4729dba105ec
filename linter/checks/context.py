"""The context a check (predicate) is evaluated in: the resource, its graph, the scan options."""

from __future__ import annotations

from dataclasses import dataclass

from linter.graph.graph import Graph
from linter.model import Resource
from linter.options import ScanOptions


@dataclass(frozen=True)
class RuleContext:
    resource: Resource
    graph: Graph
    options: ScanOptions
