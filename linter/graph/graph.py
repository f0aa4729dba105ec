"""``Graph``: the resources of one scan and the edges between them, with lookups rules use."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import field
from typing import Any, TypeVar

from linter.model import Edge, Resource
from linter.records import mutable

T = TypeVar("T")


@mutable
class Graph:
    resources: dict[str, Resource] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    base: Graph | None = None  # with --diff-base: the graph of the base revision
    derived: bool = False  # the identity edges were added (linter.graph.identity.derive)
    # views computed once per graph (policies of a principal, documents of a resource, indexes);
    # valid because nothing changes a graph's resources or reference edges after ``build``
    memo: dict[tuple[str, str] | tuple[str, str, int], Any] = field(default_factory=dict,
                                                                    repr=False)
    _out: dict[str, list[Edge]] = field(default_factory=lambda: defaultdict(list), repr=False)
    _in: dict[str, list[Edge]] = field(default_factory=lambda: defaultdict(list), repr=False)
    _by_type: dict[str, list[Resource]] = field(
        default_factory=lambda: defaultdict(list), repr=False
    )

    def remembered(self, kind: str, resource: Resource, compute: Callable[[], T]) -> T:
        """``compute()``, the view ``kind`` of ``resource``, made the first time it is asked on
        this graph and the same object after (see ``memo``)."""
        key = (kind, resource.address, id(resource))
        if key in self.memo:
            found: T = self.memo[key]
            return found
        made = self.memo[key] = compute()
        return made

    def add_resource(self, resource: Resource) -> None:
        self.resources[resource.address] = resource
        self._by_type[resource.type].append(resource)

    def add_edge(self, edge: Edge) -> None:
        self.edges.append(edge)
        self._out[edge.source].append(edge)
        self._in[edge.target].append(edge)

    def all_resources(self) -> list[Resource]:
        """Every resource, including each condition variant of a CloudFormation resource
        (``resources`` keeps one per address)."""
        return [r for rs in self._by_type.values() for r in rs]

    def of_type(self, *types: str) -> list[Resource]:
        return [r for t in types for r in self._by_type.get(t, ())]

    def out_edges(self, address: str, kind: str | None = None) -> list[Edge]:
        return [e for e in self._out.get(address, ()) if kind is None or e.kind == kind]

    def in_edges(self, address: str, kind: str | None = None) -> list[Edge]:
        return [e for e in self._in.get(address, ()) if kind is None or e.kind == kind]

    def targets(self, address: str, kind: str | None = None) -> list[Resource]:
        return [
            self.resources[e.target]
            for e in self.out_edges(address, kind)
            if e.target in self.resources
        ]

    def sources(self, address: str, kind: str | None = None) -> list[Resource]:
        return [
            self.resources[e.source]
            for e in self.in_edges(address, kind)
            if e.source in self.resources
        ]


def build(resources: Iterable[Resource], edges: Iterable[Edge]) -> Graph:
    """The graph of one scan. Edges whose target is not a scanned resource are kept (the target
    may be outside the scan); derived edges (profile → role, template → group …) are added by
    ``linter.graph.identity`` (the identity-graph issue)."""
    graph = Graph()
    for resource in resources:
        graph.add_resource(resource)
    for edge in edges:
        graph.add_edge(edge)
    return graph
