"""``Fn::ForEach`` of the ``AWS::LanguageExtensions`` transform, expanded as CloudFormation does.

```yaml
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Instances:        # a unique loop name
    - Name                       # the identifier
    - [Alpha, Beta]              # the collection: a list, or a Ref to a CommaDelimitedList
    - Instance${Name}:           # output key(s): ${Name}, or &{Name} (non-alphanumerics dropped)
        Type: AWS::EC2::Instance
        Properties:
          Tags: [{Key: Name, Value: !Ref Name}]     # Ref to the identifier: the value
          UserData: !Sub "echo ${Name}"             # ${Name} inside Fn::Sub: the value
```

becomes ``InstanceAlpha`` and ``InstanceBeta``. Loops nest (the identifiers of the outer loops
stay bound), and may stand in any mapping of ``Resources`` and ``Conditions`` (resource
properties included). The generated nodes keep the marks of the loop body they come from, so
findings point at the template's own lines. A collection that cannot be known (a parameter
without value) is expanded once with the identifier left unresolved (the resource is judged
under its pattern name, ``Instance${Name}``) and an IAC0004 note says so; a malformed loop or two
iterations producing the same key are notes too. Nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from linter.frontends.budget import meter
from linter.frontends.cloudformation.spans import SourceText
from linter.model import Finding, Span, Unknown
from linter.regex import lazy
from linter.rule import EVALUATION_NOTE, tool_finding

TRANSFORM = "AWS::LanguageExtensions"
PREFIX = "Fn::ForEach::"
_NON_ALPHANUMERIC = lazy(r"[^0-9a-zA-Z]+")

Resolve = Callable[[Any], Any]
"""Evaluates a collection node: a list of strings, or an Unknown."""


class _Marked:
    """Carries the decoder's marks onto a node the expansion created (spans read them)."""

    start_mark: Any
    end_mark: Any


class MarkedStr(str, _Marked):
    pass


class MarkedDict(dict[Any, Any], _Marked):
    pass


class MarkedList(list[Any], _Marked):
    pass


def _marked(kind: type[Any], value: Any, like: Any) -> Any:
    out = kind(value)
    out.start_mark = getattr(like, "start_mark", None)
    out.end_mark = getattr(like, "end_mark", None)
    return out


def uses_language_extensions(template: Mapping[str, Any]) -> bool:
    transform = template.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return TRANSFORM in names


def has_foreach(node: Any) -> bool:
    if isinstance(node, dict):
        return any((isinstance(k, str) and k.startswith(PREFIX)) or has_foreach(v)
                   for k, v in node.items())
    if isinstance(node, list):
        return any(has_foreach(item) for item in node)
    return False


class Expander:
    """Expands every ``Fn::ForEach`` under one section of a template."""

    def __init__(self, source: SourceText, resolve: Resolve) -> None:
        self.source = source
        self.resolve = resolve
        self.notes: list[Finding] = []

    def note(self, message: str, node: Any, key: Any = None) -> None:
        span = self.source.span(node, key) or Span(self.source.rel_path, 1)
        finding = tool_finding(EVALUATION_NOTE, message, span)
        if finding not in self.notes:
            self.notes.append(finding)

    def expand(self, node: Any, bound: Mapping[str, str | None] | None = None) -> Any:
        bound = bound or {}
        meter().tick()
        if isinstance(node, dict):
            return self._mapping(node, bound)
        if isinstance(node, list):
            return _marked(MarkedList, [self.expand(item, bound) for item in node], node)
        return node

    def _mapping(self, node: dict[Any, Any], bound: Mapping[str, str | None]) -> Any:
        if len(node) == 1 and bound:
            ((function, arg),) = node.items()
            if function == "Ref" and isinstance(arg, str) and arg in bound:
                value = bound[arg]
                return node if value is None else _marked(MarkedStr, value, node)
            if function == "Fn::Sub":
                return _marked(MarkedDict, {function: self._sub(arg, bound)}, node)
        out = _marked(MarkedDict, {}, node)
        for key, value in node.items():
            if isinstance(key, str) and key.startswith(PREFIX):
                self._loop(key, value, bound, out)
                continue
            new_key = _substitute(key, bound) if isinstance(key, str) and bound else key
            out[new_key] = self.expand(value, bound)
        return out

    def _sub(self, arg: Any, bound: Mapping[str, str | None]) -> Any:
        if isinstance(arg, str):
            return _substitute(arg, bound)
        if isinstance(arg, list) and arg and isinstance(arg[0], str):
            rest = [self.expand(item, bound) for item in arg[1:]]
            return _marked(MarkedList, [_substitute(arg[0], bound), *rest], arg)
        return self.expand(arg, bound)

    def _loop(self, key: str, body: Any, bound: Mapping[str, str | None],
              out: dict[Any, Any]) -> None:
        name = key[len(PREFIX):]
        if not (isinstance(body, list) and len(body) == 3 and isinstance(body[0], str)
                and isinstance(body[2], dict)):
            self.note(f"{key} is malformed (expected [Identifier, Collection, {{OutputKey: "
                      "OutputValue}]); it is not expanded and its resources are not judged",
                      body, key)
            return
        identifier, collection, template = body
        values = self._collection(key, self.expand(collection, bound), body)
        current = meter()
        current.instances(len(values), f"{key}")
        for value in values:
            inner = {**bound, str(identifier): value}
            expanded = self.expand(template, inner)
            for out_key, out_value in expanded.items():
                if out_key in out:
                    self.note(f"{key} produces {out_key} more than once (the collection "
                              f"of loop {name} repeats a value); the first is judged",
                              template, out_key)
                    continue
                out[out_key] = out_value
            current.collection(len(out), f"the expansion of {key}")

    def _collection(self, key: str, collection: Any, body: Any) -> list[str | None]:
        value = self.resolve(collection)
        if isinstance(value, list) and all(isinstance(v, (str, int, float)) and
                                           not isinstance(v, bool) for v in value):
            return [str(v) for v in value]
        reason = value.reason if isinstance(value, Unknown) else (
            "it is not a list of strings")
        self.note(f"the collection of {key} is not known ({reason}); its output is judged once "
                  "with the identifier unresolved", body, key)
        return [None]


def _substitute(text: str, bound: Mapping[str, str | None]) -> str:
    """``${Id}`` → the value, ``&{Id}`` → the value without non-alphanumerics (marks kept)."""
    new = text
    for identifier, value in bound.items():
        if value is None:
            continue
        new = new.replace("${" + identifier + "}", value)
        new = new.replace("&{" + identifier + "}", _NON_ALPHANUMERIC.sub("", value))
    if new == text:
        return text
    return _marked(MarkedStr, new, text)  # type: ignore[no-any-return]
