"""Evaluation of CloudFormation intrinsic functions and conditions over a decoded template.

``TemplateScope`` holds what a whole template shares (parameters, mappings, conditions, the raw
resources, the assumed values of undecidable condition atoms); ``Evaluator`` turns one resource's
node tree into plain values, recording as it goes the span of every output path, the origin of
values that came from parameters or mappings, the edges to other resources, and every Unknown.

Semantics (what a demanding user expects from ``aws cloudformation deploy``):

* ``Ref``: parameter → its value (origin recorded); pseudo parameters → ``AWS::Partition`` "aws",
  ``AWS::URLSuffix`` "amazonaws.com", ``AWS::NoValue`` removes the key or list element, account,
  region, stack name/id and notification ARNs → Unknown; resource → an edge, and its name where the
  template names it (``InstanceProfileName``, ``RoleName`` …), else Unknown.
* ``Fn::GetAtt`` → edge + Unknown. ``Fn::Sub`` (both forms), ``Fn::Join``, ``Fn::Select``,
  ``Fn::Split``, ``Fn::FindInMap`` (with the LanguageExtensions ``DefaultValue``), ``Fn::If``,
  ``Fn::Length``, ``Fn::ToJsonString`` are computed. ``Fn::Base64`` yields its argument unencoded
  (CloudFormation encodes at deploy; rules want the text). ``Fn::GetAZs``, ``Fn::ImportValue``,
  ``Fn::Cidr``, ``Fn::Transform``, unknown ``Fn::`` names and ``{{resolve:…}}`` dynamic references
  → Unknown.
* Conditions: ``Fn::Equals`` compares CloudFormation's string forms; ``Fn::And/Or/Not`` are
  three-valued; an ``Fn::Equals`` with an Unknown side is an *atom*: ``TemplateScope.assumed``
  may fix its truth value so that each assignment can be judged on its own. A condition that is
  malformed, undefined or refers to itself is Unknown for good (``TemplateScope.broken``).

Bounds (``linter.frontends.budget``): nesting deeper than the intrinsic-depth budget, strings
longer than the string-length budget and the template's time budget give an Unknown at that
node. ``Fn::Sub`` is linear in its input: each variable is evaluated once per ``Fn::Sub``,
however often the string names it, and Unknown parts are merged once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from linter.frontends.budget import BudgetExceeded, meter
from linter.frontends.cloudformation.parameters import ParamValue
from linter.frontends.cloudformation.spans import SourceText
from linter.model import Edge, Path, Span, Unknown
from linter.records import mutable, record
from linter.regex import lazy

NO_VALUE: Any = object()  # the result of !Ref AWS::NoValue: the key or element is removed

KNOWN_PSEUDO = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
UNKNOWN_PSEUDO = {
    "AWS::AccountId", "AWS::Region", "AWS::StackName", "AWS::StackId", "AWS::NotificationARNs",
}
# Ref to these resource types returns a name the template may spell out
REF_NAME_PROPERTY = {
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::Policy": "PolicyName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::SSM::Parameter": "Name",
    "AWS::Logs::LogGroup": "LogGroupName",
}
_SUB_VARIABLE = lazy(r"\$\{([^}]*)\}")
# a whole value that is one SSM dynamic reference: {{resolve:ssm:name}} / {{resolve:ssm:name:3}}
_SSM_REFERENCE = lazy(r"^\{\{resolve:ssm:([^:}]+)(?::\d+)?\}\}$")
_MAX_DEPTH = 64  # of condition expressions (intrinsic values use the intrinsic-depth budget)
_SHOWN_PARTS = 5  # Unknown parts named in a merged Unknown's reason

AtomKey = tuple[str, str]  # (expression of the unknown side, the other side's value or expression)


@record
class Atom:
    """An ``Fn::Equals`` whose truth cannot be known: one of its sides is Unknown."""

    key: AtomKey
    expression: str  # the unknown side (``!Ref Env``)
    literal: str | None  # the known side, when there is one
    unknown: Unknown


@mutable
class TemplateScope:
    """What every resource of one template shares."""

    source: SourceText
    params: Mapping[str, ParamValue]
    mappings: Mapping[str, Any]
    conditions: Mapping[str, Any]
    resources: Mapping[str, Any]
    assumed: Mapping[AtomKey, bool] = field(default_factory=dict)
    atoms: dict[AtomKey, Atom] = field(default_factory=dict)  # atoms met so far
    _condition_cache: dict[str, bool | Unknown] = field(default_factory=dict)
    _evaluating: set[str] = field(default_factory=set)
    # the scopes made by ``with_assumptions``, by assumptions (resources of a template that
    # depend on the same undecidable comparisons share them and their conditions' values)
    _assumed_scopes: dict[frozenset[tuple[AtomKey, bool]], TemplateScope] = field(
        default_factory=dict)

    def with_assumptions(self, assumed: Mapping[AtomKey, bool]) -> TemplateScope:
        key = frozenset(assumed.items())
        scope = self._assumed_scopes.get(key)
        if scope is None:
            scope = self._assumed_scopes[key] = TemplateScope(
                self.source, self.params, self.mappings, self.conditions, self.resources,
                dict(assumed), self.atoms)
        return scope

    def condition(self, name: str) -> bool | Unknown:
        """The value of a named condition (Unknown when undecidable under ``assumed``)."""
        if name in self._condition_cache:
            return self._condition_cache[name]
        node = self.conditions.get(name)
        if node is None:
            return Unknown(name, f"condition {name} is not defined in Conditions")
        if name in self._evaluating:
            return Unknown(name, f"condition {name} refers to itself (a cycle)")
        self._evaluating.add(name)
        try:
            value = Evaluator(self, "").condition_node(node)
        except BudgetExceeded as exc:
            value = Unknown(name, meter().record(exc, self.source.span(node)))
        finally:
            self._evaluating.discard(name)
        self._condition_cache[name] = value
        return value

    def broken(self, name: str) -> str:
        """Why condition ``name`` can never be decided (malformed, undefined, a cycle), or ""
        when its value is known or depends only on atoms (undecidable comparisons)."""
        probe = TemplateScope(self.source, self.params, self.mappings, self.conditions,
                              self.resources)
        value = probe.condition(name)
        if not isinstance(value, Unknown):
            return ""
        if not probe.atoms:
            return value.reason
        # the atoms' truth fixed one way: a condition built only of atoms becomes decided
        assumed = probe.with_assumptions(dict.fromkeys(probe.atoms, True))
        decided = assumed.condition(name)
        return decided.reason if isinstance(decided, Unknown) else ""


@mutable
class Evaluator:
    """Evaluates one resource's nodes; collects spans, origins, edges and unknowns."""

    scope: TemplateScope
    address: str
    spans: dict[Path, Span] = field(default_factory=dict)
    origins: dict[Path, tuple[Span, ...]] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    unknowns: list[Unknown] = field(default_factory=list)
    _resolving: set[str] = field(default_factory=set)
    _at: Path = ()  # output path of the intrinsic being evaluated (fallback location)
    # the intrinsic-depth budget of the unit being evaluated (deeper values are Unknown)
    _max_depth: int = field(default_factory=lambda: meter().budgets.intrinsic_depth)

    # ---- plain nodes -------------------------------------------------------------------------

    def value(self, node: Any, path: Path, key: Any = None, record: bool = True,
              depth: int = 0) -> Any:
        """The evaluated value of ``node`` placed at output ``path``.

        ``record``: whether ``path`` is a real output path (spans are recorded) or ``node`` is
        an argument of an intrinsic whose result lands at ``path`` (only origins/edges are).
        """
        if depth > self._max_depth:
            try:
                meter().depth(depth, "intrinsic functions and values")
            except BudgetExceeded as exc:
                return self.unknown(node, meter().record(exc, self.located(node)))
        if record and path not in self.spans:
            span = self.scope.source.span(node, key)
            if span is not None:
                self.spans[path] = span
        if isinstance(node, str):
            if "{{resolve:" in node:
                ssm = _SSM_REFERENCE.match(node.strip())
                return self.unknown(node, "dynamic reference, resolved at deploy time",
                                    resolved_from=f"ssm:{ssm.group(1)}" if ssm else "")
            return str(node)
        if isinstance(node, dict):
            function = intrinsic_name(node)
            if function is not None:
                return self.intrinsic(function, node[function], node, path, depth)
            out: dict[str, Any] = {}
            for child_key, child in node.items():
                child_path = (*path, str(child_key))
                result = self.value(child, child_path, child_key if record else None, record,
                                    depth + 1)
                if result is not NO_VALUE:
                    out[str(child_key)] = result
            return out
        if isinstance(node, list):
            items: list[Any] = []
            for child in node:
                result = self.value(child, (*path, len(items)), None, record, depth + 1)
                if result is not NO_VALUE:
                    items.append(result)
            return items
        return node

    def unknown(self, node: Any, reason: str, refs: tuple[str, ...] = (),
                fallback: str = "", resolved_from: str = "") -> Unknown:
        result = Unknown(self.expression(node, fallback), reason, self.located(node), refs,
                         resolved_from=resolved_from)
        self.unknowns.append(result)
        return result

    def located(self, node: Any) -> Span | None:
        """The span of ``node``, else of the nearest output path (nodes SAM generated)."""
        span = self.scope.source.span(node)
        if span is not None:
            return span
        for cut in range(len(self._at), -1, -1):
            if self._at[:cut] in self.spans:
                return self.spans[self._at[:cut]]
        return None

    def expression(self, node: Any, fallback: str = "") -> str:
        if isinstance(node, _Located):
            return node.text
        # the source text, else the fallback: made only when the text is not found (the
        # text of a node that has one is never empty)
        return self.scope.source.text(node, "") or fallback or _compact(node)

    def merged_unknown(self, node: Any, parts: list[Unknown]) -> Unknown:
        """One Unknown for ``node`` standing for its Unknown ``parts`` (which it replaces in
        ``unknowns``); linear in the number of parts, its reason naming the first few."""
        merged = {id(p) for p in parts}
        self.unknowns[:] = [u for u in self.unknowns if id(u) not in merged]
        distinct = list({id(p): p for p in parts}.values())
        refs = tuple(dict.fromkeys(r for part in distinct for r in part.refs))
        expressions = list(dict.fromkeys(p.expression for p in distinct))
        reasons = list(dict.fromkeys(p.reason for p in distinct))
        return self.unknown(node, f"depends on {_some(expressions, ', ')}: "
                            f"{_some(reasons, '; ')}", refs)

    def _origin(self, path: Path, span: Span | None) -> None:
        if span is not None and span not in self.origins.get(path, ()):
            self.origins[path] = (*self.origins.get(path, ()), span)

    def _edge(self, target: str, node: Any, path: Path, attribute: str = "") -> None:
        self.edges.append(Edge(self.address, target, "reference", path, self.located(node),
                               attribute))

    # ---- intrinsic functions -----------------------------------------------------------------

    def intrinsic(self, function: str, arg: Any, node: Any, path: Path, depth: int) -> Any:
        self._at = path
        handler = _HANDLERS.get(function)
        if handler is None:
            return self.unknown(node, f"{function} is not evaluated by iaclint")
        try:
            meter().tick()  # once the time is spent, intrinsics are Unknown; literals stay
            return handler(self, arg, node, path, depth + 1)
        except _Malformed as err:
            return self.unknown(node, f"malformed {function}: {err}")
        except BudgetExceeded as exc:
            return self.unknown(node, meter().record(exc, self.located(node)))

    def arg(self, node: Any, path: Path, depth: int) -> Any:
        return self.value(node, path, None, False, depth)

    def ref(self, name: Any, node: Any, path: Path, depth: int) -> Any:
        if not isinstance(name, str):
            name = self.arg(name, path, depth)
            if not isinstance(name, str):
                return self.unknown(node, "Ref to a computed name")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in KNOWN_PSEUDO:
            return KNOWN_PSEUDO[name]
        if name in UNKNOWN_PSEUDO:
            return self.unknown(node, f"{name} is known only at deploy time")
        if name in self.scope.params:
            param = self.scope.params[name]
            self._origin(path, param.origin)
            if isinstance(param.value, Unknown):
                result = Unknown(self.expression(node, f"!Ref {name}"), param.value.reason,
                                 self.located(node),
                                 resolved_from=param.value.resolved_from)
                self.unknowns.append(result)
                return result
            return param.value
        if name in self.scope.resources:
            self._edge(name, node, path)
            return self.resource_name(name, node, path, depth)
        return self.unknown(node, f"Ref to {name}, which is neither a parameter nor a resource")

    def resource_name(self, name: str, node: Any, path: Path, depth: int) -> Any:
        """What ``Ref`` to resource ``name`` returns, when the template spells it out."""
        body = self.scope.resources.get(name)
        kind = body.get("Type") if isinstance(body, dict) else None
        prop = REF_NAME_PROPERTY.get(kind) if isinstance(kind, str) else None
        properties = body.get("Properties") if isinstance(body, dict) else None
        if prop and isinstance(properties, dict) and prop in properties and (
                name not in self._resolving):
            self._resolving.add(name)
            try:
                value = self.arg(properties[prop], path, depth)
            finally:
                self._resolving.discard(name)
            if isinstance(value, (str, int)) and value is not NO_VALUE:
                return str(value)
        return self.unknown(node, f"the physical id of {name} is known only after deploy", (name,))

    def get_att(self, arg: Any, node: Any, path: Path, depth: int) -> Any:
        if isinstance(arg, str):
            target, _, attribute = arg.partition(".")
        elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            target = arg[0]
            attribute_value = self.arg(arg[1], path, depth)
            attribute = attribute_value if isinstance(attribute_value, str) else "?"
        else:
            raise _Malformed("expected [LogicalId, Attribute] or 'LogicalId.Attribute'")
        if target in self.scope.resources:
            self._edge(target, node, path, attribute)
            return self.unknown(node, f"{target}.{attribute} is known only after deploy", (target,))
        return self.unknown(node, f"GetAtt of {target}, which is not a resource of the template")

    def sub(self, arg: Any, node: Any, path: Path, depth: int) -> Any:
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            text, variables = arg[0], arg[1]
        elif isinstance(arg, list) and len(arg) == 1:
            text, variables = arg[0], {}
        else:
            text, variables = arg, {}
        if not isinstance(text, str):
            text = self.arg(text, path, depth)
            if isinstance(text, Unknown):
                return text
            if not isinstance(text, str):
                raise _Malformed("the template must be a string")
        parts = self.sub_parts(str(text), variables, node, path, depth)
        unknown_parts = [p for p in parts if isinstance(p, Unknown)]
        if unknown_parts:
            return self.merged_unknown(node, unknown_parts)
        return _joined([str(p) for p in parts], "Fn::Sub's result")

    def sub_parts(self, text: str, variables: Mapping[str, Any], node: Any, path: Path,
                  depth: int) -> list[str | Unknown]:
        """The pieces of a ``Fn::Sub`` string: literal text and substituted values."""
        parts: list[str | Unknown] = []
        position = 0
        values: dict[str, Any] = {}  # each variable evaluated once, however often it is named
        length = len(text)
        current = meter()
        for match in _SUB_VARIABLE.finditer(text):
            parts.append(text[position : match.start()])
            position = match.end()
            name = match.group(1).strip()
            if name.startswith("!"):
                parts.append("${" + name[1:] + "}")
                continue
            if name not in values:
                value = self.sub_variable(name, variables, node, path, depth)
                values[name] = value if value is NO_VALUE or isinstance(value, Unknown) else (
                    _to_text(value))
            value = values[name]
            if value is NO_VALUE:
                continue
            if isinstance(value, str):
                length += len(value)
                current.string(length, "Fn::Sub's result")
            parts.append(value)
        parts.append(text[position:])
        return parts

    def sub_variable(self, name: str, variables: Mapping[str, Any], node: Any, path: Path,
                     depth: int) -> Any:
        if name in variables:
            value = self.arg(variables[name], path, depth)
            if isinstance(value, (list, dict)):
                return self.unknown(node, f"${{{name}}} is not a string")
            return value
        if name in self.scope.params or name in KNOWN_PSEUDO or name in UNKNOWN_PSEUDO or (
                name in self.scope.resources or name == "AWS::NoValue"):
            value = self.ref(name, _Located(node, f"${{{name}}}"), path, depth)
            if isinstance(value, list):
                return self.unknown(node, f"${{{name}}} is a list parameter")
            return value
        target, dot, attribute = name.partition(".")
        if dot and target in self.scope.resources:
            return self.get_att([target, attribute], _Located(node, f"${{{name}}}"), path, depth)
        return self.unknown(node, f"${{{name}}} names no parameter, resource or variable",
                            fallback=f"${{{name}}}")

    def join(self, arg: Any, node: Any, path: Path, depth: int) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            raise _Malformed("expected [delimiter, [values]]")
        delimiter = self.arg(arg[0], path, depth)
        values = self.arg(arg[1], path, depth)
        if isinstance(delimiter, Unknown):
            return delimiter
        if isinstance(values, Unknown):
            return values
        if not isinstance(values, list):
            raise _Malformed("the second argument must be a list")
        unknowns = [v for v in values if isinstance(v, Unknown)]
        if unknowns:
            return self.merged_unknown(node, unknowns)
        return _joined([_to_text(v) for v in values], "Fn::Join's result", str(delimiter))

    def select(self, arg: Any, node: Any, path: Path, depth: int) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            raise _Malformed("expected [index, [values]]")
        index = self.arg(arg[0], path, depth)
        values = self.arg(arg[1], path, depth)
        if isinstance(index, Unknown):
            return index
        if isinstance(values, Unknown):
            return values
        try:
            position = int(index)
        except (TypeError, ValueError) as err:
            raise _Malformed(f"index {index!r} is not a number") from err
        if not isinstance(values, list) or not 0 <= position < len(values):
            raise _Malformed(f"index {position} is out of range")
        return values[position]

    def split(self, arg: Any, node: Any, path: Path, depth: int) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            raise _Malformed("expected [delimiter, string]")
        delimiter = self.arg(arg[0], path, depth)
        text = self.arg(arg[1], path, depth)
        if isinstance(delimiter, Unknown):
            return delimiter
        if isinstance(text, Unknown):
            return text
        if not isinstance(delimiter, str) or not delimiter or not isinstance(text, str):
            raise _Malformed("expected a non-empty delimiter and a string")
        meter().collection(text.count(delimiter) + 1, "Fn::Split's result")
        return text.split(delimiter)

    def find_in_map(self, arg: Any, node: Any, path: Path, depth: int) -> Any:
        if not isinstance(arg, list) or len(arg) not in (3, 4):
            raise _Malformed("expected [MapName, TopLevelKey, SecondLevelKey]")
        keys = [self.arg(a, path, depth) for a in arg[:3]]
        default = arg[3].get("DefaultValue", NO_VALUE) if (
            len(arg) == 4 and isinstance(arg[3], dict)) else NO_VALUE
        unknowns = [k for k in keys if isinstance(k, Unknown)]
        if unknowns:
            return self.merged_unknown(node, unknowns)
        level: Any = self.scope.mappings
        for position, key in enumerate(keys):
            if not isinstance(level, dict) or _to_text(key) not in level:
                if default is not NO_VALUE:
                    return self.arg(default, path, depth)
                raise _Malformed(f"no entry {'.'.join(_to_text(k) for k in keys)} in Mappings")
            entry_key = next(k for k in level if k == _to_text(key))
            entry = level[entry_key]
            if position == len(keys) - 1:
                self._origin(path, self.scope.source.span(entry, entry_key))
            level = entry
        return self.arg(level, path, depth)

    def if_(self, arg: Any, node: Any, path: Path, depth: int) -> Any:
        if not isinstance(arg, list) or len(arg) != 3 or not isinstance(arg[0], str):
            raise _Malformed("expected [ConditionName, ValueIfTrue, ValueIfFalse]")
        chosen = self.scope.condition(arg[0])
        if isinstance(chosen, Unknown):
            return self.unknown(node, f"condition {arg[0]} is undecidable: {chosen.reason}")
        return self.value(arg[1] if chosen else arg[2], path, None, True, depth)

    def base64(self, arg: Any, node: Any, path: Path, depth: int) -> Any:
        return self.arg(arg, path, depth)

    def length(self, arg: Any, node: Any, path: Path, depth: int) -> Any:
        value = self.arg(arg, path, depth)
        if isinstance(value, Unknown):
            return value
        if not isinstance(value, list):
            raise _Malformed("expected a list")
        return len(value)

    def to_json_string(self, arg: Any, node: Any, path: Path, depth: int) -> Any:
        value = self.arg(arg, path, depth)
        if _contains_unknown(value):
            return self.unknown(node, "the object holds values known only at deploy time")
        if value is NO_VALUE:
            raise _Malformed("the value is AWS::NoValue")
        text = json.dumps(value, separators=(",", ":"))
        meter().string(len(text), "Fn::ToJsonString's result")
        return text

    def deploy_time(self, arg: Any, node: Any, path: Path, depth: int) -> Any:
        function = intrinsic_name(node) if isinstance(node, dict) else None
        self.arg(arg, path, depth)  # for the edges and origins of its arguments
        return self.unknown(node, f"{function or 'this function'} is resolved at deploy time")

    # ---- conditions --------------------------------------------------------------------------

    def condition_node(self, node: Any, depth: int = 0) -> bool | Unknown:
        if depth > _MAX_DEPTH or not isinstance(node, dict) or len(node) != 1:
            return self.unknown(node, "not a condition expression")
        ((function, arg),) = node.items()
        if function == "Condition" and isinstance(arg, str):
            return self.scope.condition(arg)
        if function == "Fn::Equals":
            return self.equals(arg, node, depth)
        if function in ("Fn::And", "Fn::Or") and isinstance(arg, list):
            values = [self.condition_node(item, depth + 1) for item in arg]
            decisive = function == "Fn::Or"  # True decides Or, False decides And
            if any(v is decisive for v in values):
                return bool(decisive)
            unknowns = [v for v in values if isinstance(v, Unknown)]
            return unknowns[0] if unknowns else not decisive
        if function == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            value = self.condition_node(arg[0], depth + 1)
            return value if isinstance(value, Unknown) else not value
        return self.unknown(node, f"{function} is not a condition function")

    def equals(self, arg: Any, node: Any, depth: int) -> bool | Unknown:
        if not isinstance(arg, list) or len(arg) != 2:
            return self.unknown(node, "Fn::Equals needs two values")
        left, right = (self.value(a, (), None, False, depth + 1) for a in arg)
        if not isinstance(left, Unknown) and not isinstance(right, Unknown):
            return _to_text(left) == _to_text(right)
        unknown_side = left if isinstance(left, Unknown) else right
        other = right if isinstance(left, Unknown) else left
        if isinstance(other, Unknown):
            key: AtomKey = (unknown_side.expression, other.expression)
            literal = None
        else:
            literal = _to_text(other)
            key = (unknown_side.expression, literal)
        self.scope.atoms.setdefault(key, Atom(key, unknown_side.expression, literal, unknown_side))
        if key in self.scope.assumed:
            return self.scope.assumed[key]
        return unknown_side


class _Malformed(ValueError):
    """An intrinsic function whose arguments have the wrong shape."""


@record
class _Located:
    """A node stand-in for a ``${Name}`` inside a Sub string: the Sub's marks, its own text."""

    node: Any
    text: str

    @property
    def start_mark(self) -> Any:
        return getattr(self.node, "start_mark", None)

    @property
    def end_mark(self) -> Any:
        return getattr(self.node, "end_mark", None)


def intrinsic_name(node: Mapping[Any, Any]) -> str | None:
    """``Ref`` / ``Fn::X`` when ``node`` is a one-key intrinsic function mapping."""
    if len(node) != 1:
        return None
    (key,) = node.keys()
    if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::")):
        return key
    return None


def _to_text(value: Any) -> str:
    """CloudFormation's string form of a scalar (how Equals, Join and Sub see it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _some(items: list[str], separator: str) -> str:
    """The first few of ``items`` joined, and how many more there are."""
    shown = separator.join(items[:_SHOWN_PARTS])
    if len(items) > _SHOWN_PARTS:
        shown += f"{separator}and {len(items) - _SHOWN_PARTS} more"
    return shown


def _joined(pieces: list[str], what: str, separator: str = "") -> str:
    """``separator.join(pieces)`` held to the string budget before it is built."""
    meter().string(sum(map(len, pieces)) + len(separator) * max(len(pieces) - 1, 0), what)
    return separator.join(pieces)


def _compact(node: Any) -> str:
    if isinstance(node, _Located):
        return node.text
    try:
        return json.dumps(node, separators=(", ", ": "), default=str)[:200]
    except (TypeError, ValueError):
        return str(node)[:200]


def _contains_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(_contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_unknown(v) for v in value)
    return False


_HANDLERS = {
    "Ref": lambda ev, arg, node, path, depth: ev.ref(arg, node, path, depth),
    "Fn::GetAtt": Evaluator.get_att,
    "Fn::Sub": Evaluator.sub,
    "Fn::Join": Evaluator.join,
    "Fn::Select": Evaluator.select,
    "Fn::Split": Evaluator.split,
    "Fn::FindInMap": Evaluator.find_in_map,
    "Fn::If": Evaluator.if_,
    "Fn::Base64": Evaluator.base64,
    "Fn::Length": Evaluator.length,
    "Fn::ToJsonString": Evaluator.to_json_string,
    "Fn::GetAZs": Evaluator.deploy_time,
    "Fn::ImportValue": Evaluator.deploy_time,
    "Fn::Cidr": Evaluator.deploy_time,
    "Fn::Transform": Evaluator.deploy_time,
    "Fn::GetStackOutput": Evaluator.deploy_time,
}
