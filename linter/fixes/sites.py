"""The vocabulary of fix planning: what a finding asks for (``Request``), where its value is
written (``Site``) and why a finding cannot be fixed (``NotFixable``)."""

from __future__ import annotations

from dataclasses import field
from typing import Any

from linter.model import Finding, Path, Resource, Span
from linter.records import record


class NotFixable(Exception):
    """This finding is left as it is; the message says why (shown to the user as its note)."""


@record
class Request:
    """One setting a finding asks for: ``key`` = ``value`` in the block / mapping ``container``
    of ``resources`` (one resource, or the condition variants of one CloudFormation resource)."""

    finding: Finding
    resources: tuple[Resource, ...]
    container: tuple[str, ...]
    key: str
    value: Any

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.container, self.key)

    @property
    def file(self) -> str:
        return self.resources[0].file


@record
class Site:
    """Where a request's value is written.

    ``kind`` ``replace``: the literal at ``target`` becomes the value. ``insert``: the key (and
    the containers in ``create``) are added to the block / mapping at ``target``.
    ``anchor`` is the span whose users must all be resources this fix is for (the attribute, the
    source of the value, or the block that gets the new key); ``links`` the spans of the
    references followed on the way (a module argument, a local), users of which are the chain
    itself. ``expressions`` are the reference expressions of the chain (the target attribute's
    ``var.x``, the argument's ``local.y``): every other reference to a followed name must be
    one of some request's expressions. ``references`` lists, per followed name, every place
    that refers to it. ``objects`` are the object values the chain takes one key of (a module
    argument ``metadata_options = { … }`` read through a dynamic block's iterator): the fixed
    resources may read them at any path (they read their other keys), nothing else may."""

    file: str
    kind: str  # replace | insert
    target: Span  # the literal replaced, or the block / mapping that gets the key
    anchor: Span
    create: tuple[str, ...] = ()  # containers to create (insert only)
    links: tuple[Span, ...] = ()
    objects: tuple[Span, ...] = ()
    expressions: tuple[Span, ...] = ()
    references: tuple[tuple[str, tuple[Span, ...]], ...] = ()
    source: str = ""  # "the default of var.tokens (variables.tf:3)" ("" = the resource itself)
    was_string: bool = False  # the replaced literal was a string
    payload: Any = field(default=None, compare=False, hash=False)  # format-specific locator data

    @property
    def identity(self) -> tuple[str, str, int, int, tuple[str, ...]]:
        return (self.kind, self.file, self.target.start_line, self.target.start_col, self.create)


def names_of(path: Path) -> tuple[str, ...]:
    return tuple(k for k in path if isinstance(k, str))


def where(span: Span) -> str:
    return f"{span.file}:{span.start_line}"
