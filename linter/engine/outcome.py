"""Three-valued outcomes of conditions, and the context a condition is evaluated in."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from linter.graph.graph import Graph
from linter.model import Path, Related, Resource, Span, Unknown
from linter.options import ScanOptions


class Tri(enum.Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Outcome:
    verdict: Tri
    paths: tuple[Path, ...] = ()  # attribute paths of ctx.resource where the condition held
    spans: tuple[Span, ...] = ()  # explicit spans (e.g. a statement in another resource)
    details: Mapping[str, Any] = field(default_factory=dict)  # message placeholders
    related: tuple[Related, ...] = ()
    unknowns: tuple[Unknown, ...] = ()

    @staticmethod
    def true(**kwargs: Any) -> Outcome:
        return Outcome(Tri.TRUE, **kwargs)

    @staticmethod
    def false(**kwargs: Any) -> Outcome:
        return Outcome(Tri.FALSE, **kwargs)

    @staticmethod
    def unknown(*unknowns: Unknown, **kwargs: Any) -> Outcome:
        return Outcome(Tri.UNKNOWN, unknowns=unknowns, **kwargs)


@dataclass(frozen=True)
class RuleContext:
    resource: Resource
    graph: Graph
    options: ScanOptions
