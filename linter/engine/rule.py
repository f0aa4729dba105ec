"""A loaded, validated rule (the YAML file's content in typed form)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from linter.model import Format, Severity


@dataclass(frozen=True)
class Docs:
    what: str = ""
    why: str = ""
    # bad examples per format: {"terraform": …, "cloudformation": …}
    example: Mapping[str, str] = field(default_factory=dict)
    fix: str = ""  # prose: what to do instead
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class Remediation:
    terraform: str = ""  # snippet
    cloudformation: str = ""  # snippet
    cli: str = ""  # AWS CLI command(s) for an already-deployed resource


@dataclass(frozen=True)
class MatchBlock:
    """One format's match: which native types, where to point, and the condition tree."""

    types: tuple[str, ...]
    where: Mapping[str, Any]  # condition tree, validated by the schema and the loader
    at: str = ""  # attribute path the finding points at when present (else deepest node, header)
    at_paths: tuple[str, ...] = ()  # all `at` alternatives in order (the first that exists wins)


@dataclass(frozen=True)
class Rule:
    id: str  # IAC0101
    name: str  # kebab-case: imds-v1-allowed
    category: str
    severity: Severity
    security_severity: str  # "8.1" (SARIF property, GitHub's 0.0-10.0 scale)
    title: str
    message: str  # template: {address}, {type}, {value}, {path}, predicate details
    docs: Docs
    remediation: Remediation
    match: Mapping[Format, MatchBlock]
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # old names/ids kept after a rename
    suppressible: bool = True
    source: str = ""  # the YAML file it came from
    options: Mapping[str, Any] = field(default_factory=dict)  # rule-specific knobs

    @property
    def help_uri(self) -> str:
        return f"https://github.com/iaclint/iaclint/blob/main/docs/rules/{self.name}.md"
