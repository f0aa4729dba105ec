"""The fast way to decode a CloudFormation template: libyaml's parser, marks on every node.

``load(text)`` reads the YAML (or JSON) text's parser events from libyaml (PyYAML's
``CSafeLoader``) and builds from them the tree that PyYAML's composer and cfn-lint's decoder
(``cfnlint.decode.cfn_yaml``) build: mappings, lists and strings become ``MarkedDict`` /
``MarkedList`` / ``MarkedStr`` carrying their node's ``start_mark`` / ``end_mark`` (0-based
``line`` and ``column``), plain scalars are resolved by PyYAML's own resolver and built by its
safe constructors (ints, floats, booleans, ``None``, dates, ``bytes``), and short-form tags
become intrinsic functions the way cfn-lint converts them: ``!Ref X`` → ``{"Ref": "X"}``,
``!Condition X`` → ``{"Condition": "X"}``, ``!Sub …`` → ``{"Fn::Sub": …}``, ``!GetAtt a.b`` →
``{"Fn::GetAtt": ["a", "b"]}``.

cfn-lint builds the same tree through PyYAML's pure-Python constructor: three times the cost
(1.6 s against 0.5 s for the 482 templates of two public template collections). Whatever this
module does not reproduce exactly — an empty document, anchors and aliases, merge keys (``<<``),
null or unhashable keys, ``!!set`` and other rare tags, and every syntax error — raises
``Unsupported``, and the caller decodes the text with cfn-lint instead (its findings for broken
templates, its alias guard, its JSON fallback). A repeated key raises ``DuplicateKeys`` with the
problems cfn-lint would report.

The node classes behave like cfn-lint's ``dict_node`` / ``list_node`` / ``str_node``: the same
``get`` (a dict default takes the mapping's marks) and ``deepcopy`` (marks kept, as the SAM
expansion relies on); unlike cfn-lint's, they can also be pickled.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from linter.records import mutable

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_STR = "tag:yaml.org,2002:str"
_UNCONVERTED = ("Ref", "Condition")  # short-form tags kept as they are; the rest get "Fn::"
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def scalar_tag(event: Any, implicit: dict[Any, list[tuple[str, Any]]]) -> str:
    """The tag of a scalar event as a loader's resolver gives it (``implicit``: its
    ``yaml_implicit_resolvers``): the explicit tag, else the first implicit resolver matching a
    plain scalar, else ``str`` (what ``Resolver.resolve`` does, without a node per scalar)."""
    tag: str | None = event.tag
    if tag is not None and tag != "!":
        return tag
    value = event.value
    if event.implicit[0]:
        for candidate, regexp in implicit.get(value[0] if value else "", ()):
            if regexp.match(value):
                return str(candidate)
    return _STR


class Unsupported(Exception):
    """The text needs cfn-lint's decoder (or is not valid YAML at all)."""


class DuplicateKeys(Exception):
    """A mapping repeats a key: ``problems`` are what cfn-lint reports for it (1-based line and
    column, message), for the first such mapping cfn-lint's constructor would finish."""

    def __init__(self, problems: list[tuple[int, int, str]]) -> None:
        super().__init__(problems[0][2])
        self.problems = problems


@mutable
class Mark:
    """A position given to a node built without one (cfn-lint's default: line 1, column 1)."""

    line: int = 1
    column: int = 1


class MarkedStr(str):
    """A string with the marks of its node."""

    start_mark: Any
    end_mark: Any

    def __new__(cls, value: str, start_mark: Any = None, end_mark: Any = None) -> MarkedStr:
        return super().__new__(cls, value)

    def __init__(self, value: str, start_mark: Any = None, end_mark: Any = None) -> None:
        self.start_mark = start_mark or Mark()
        self.end_mark = end_mark or Mark()

    def __deepcopy__(self, memo: dict[int, Any]) -> MarkedStr:
        result = MarkedStr(self, self.start_mark, self.end_mark)
        memo[id(self)] = result
        return result


class MarkedDict(dict[Any, Any]):
    """A mapping with the marks of its node."""

    __slots__ = ("end_mark", "start_mark", "using_merge")  # no instance dict: smaller, faster
    start_mark: Any
    end_mark: Any
    using_merge: bool

    def __init__(self, value: Any = (), start_mark: Any = None, end_mark: Any = None,
                 using_merge: bool = False) -> None:
        super().__init__(value)
        self.start_mark = start_mark or Mark()
        self.end_mark = end_mark or Mark()
        self.using_merge = using_merge

    def get(self, key: Any, default: Any = None) -> Any:
        """``dict.get``; a mapping given as the default takes this mapping's marks."""
        if isinstance(default, dict):
            default = MarkedDict(default, self.start_mark, self.end_mark)
        return super().get(key, default)

    def __deepcopy__(self, memo: dict[int, Any]) -> MarkedDict:
        result = MarkedDict(self, self.start_mark, self.end_mark)
        memo[id(self)] = result
        for key, value in self.items():
            result[copy.deepcopy(key)] = copy.deepcopy(value, memo)
        return result


class MarkedList(list[Any]):
    """A list with the marks of its node."""

    __slots__ = ("end_mark", "start_mark")
    start_mark: Any
    end_mark: Any

    def __init__(self, value: Any = (), start_mark: Any = None, end_mark: Any = None) -> None:
        super().__init__(value)
        self.start_mark = start_mark or Mark()
        self.end_mark = end_mark or Mark()

    def __deepcopy__(self, memo: dict[int, Any]) -> MarkedList:
        result = MarkedList([], self.start_mark, self.end_mark)
        memo[id(self)] = result
        for value in self:
            result.append(copy.deepcopy(value, memo))
        return result


def load(text: str) -> Any:
    """The template tree of ``text`` (see the module docstring); ``Unsupported`` when only
    cfn-lint's decoder gives the right answer."""
    loader = _Loader(text)
    try:
        return _Builder().run(loader.get_event, anchors="&" in text)
    except (Unsupported, DuplicateKeys):
        raise
    except Exception as err:  # YAML errors; a scalar its tag rejects (``!!int abc``); ...
        raise Unsupported(f"{type(err).__name__}: {err}") from err
    finally:
        loader.dispose()


_Open = tuple[Any, bool, list[Any]]  # a mapping or sequence being read: its start event,
# whether it is a mapping, the children read so far

_new_str = str.__new__
_new_dict = dict.__new__
_new_list = list.__new__


class _Builder:
    """Builds the tree from the parser's events, as PyYAML's composer and cfn-lint's
    constructor would from the same events (the composer's tag resolution included)."""

    def __init__(self) -> None:
        self.scalars = _scalar_constructors()
        self.duplicates: list[tuple[int, int, str]] = []
        self.implicit: dict[Any, list[tuple[str, Any]]] = (
            yaml.resolver.Resolver.yaml_implicit_resolvers)
        if None in self.implicit:  # wildcard resolvers: not PyYAML's defaults
            raise Unsupported("wildcard implicit resolvers")

    def run(self, next_event: Any, anchors: bool) -> Any:
        """Reads every event up to the end of the stream (a syntax error anywhere raises);
        ``anchors``: the text may hold anchors (it has an ``&``)."""
        stack: list[_Open] = []
        root: list[Any] = []
        children = root  # of the innermost open mapping or sequence
        documents = 0
        implicit = self.implicit
        scalar_event, stream_end = yaml.ScalarEvent, yaml.StreamEndEvent
        mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
        mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        while True:
            event = next_event()
            kind = type(event)
            if kind is scalar_event:
                if anchors and event.anchor is not None:
                    raise Unsupported("YAML anchor")
                value = event.value
                if event.tag is None and (not event.implicit[0] or (
                        value and value[0] not in implicit)):
                    # a string (the common case, kept short): quoted, or no resolver applies
                    node = _new_str(MarkedStr, value)
                    node.start_mark, node.end_mark = event.start_mark, event.end_mark
                    children.append(node)
                else:
                    children.append(self.scalar(event))
            elif kind is mapping_end or kind is sequence_end:
                value = self.close(stack.pop(), event)
                children = stack[-1][2] if stack else root
                children.append(value)
            elif kind is mapping_start or kind is sequence_start:
                if anchors and event.anchor is not None:
                    raise Unsupported("YAML anchor")
                if len(stack) >= MAX_DEPTH:
                    raise Unsupported("nests too deeply")
                children = []
                stack.append((event, kind is mapping_start, children))
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise Unsupported("more than one document")
            elif kind is yaml.AliasEvent:
                raise Unsupported("YAML alias")
            elif kind is stream_end or event is None:
                break
        if len(root) != 1:
            raise Unsupported("empty document")
        if self.duplicates:
            raise DuplicateKeys(self.duplicates)
        return root[0]

    def scalar(self, event: Any) -> Any:
        """A scalar that is not a plain string: resolved or tagged."""
        tag, value = scalar_tag(event, self.implicit), event.value
        if tag == _STR:
            return MarkedStr(value, event.start_mark, event.end_mark)
        if tag.startswith("!"):
            name = _function(tag)
            if name == "Fn::GetAtt":
                value = MarkedList(value.split(".", 1), event.start_mark, event.end_mark)
            return MarkedDict({name: value}, event.start_mark, event.end_mark)
        construct = self.scalars.get(tag)
        if construct is None:
            raise Unsupported(f"tag {tag}")
        return construct(yaml.ScalarNode(tag, value, event.start_mark, event.end_mark,
                                         event.style))

    def close(self, opened: _Open, end: Any) -> Any:
        start, is_mapping, children = opened
        start_mark, end_mark, tag = start.start_mark, end.end_mark, start.tag
        if tag is None or tag == "!":
            tag = _MAP if is_mapping else _SEQ
        if not tag.startswith("!"):
            if tag == _SEQ and not is_mapping:
                items = _new_list(MarkedList)
                items += children
                items.start_mark, items.end_mark = start_mark, end_mark
                return items
            if tag == _MAP and is_mapping:
                mapping = self.mapping(children)
                mapping.start_mark, mapping.end_mark = start_mark, end_mark
                return mapping
            raise Unsupported(f"tag {tag}")
        name = _function(tag)
        value: Any
        if not is_mapping:
            value = MarkedList(children, start_mark, end_mark) if name == "Fn::GetAtt" else (
                children)
        elif name == "Fn::GetAtt":
            raise Unsupported("!GetAtt of a mapping")
        else:  # cfn-lint builds a short form's mapping as a plain dict: the last duplicate wins
            value = self.entries(children, strict=False)
        return MarkedDict({name: value}, start_mark, end_mark)

    def mapping(self, children: list[Any]) -> MarkedDict:
        """A block or flow mapping's keys and values read in turn → a ``MarkedDict`` without
        marks. Keys are hashable, distinct and not null in nearly every mapping: those go
        straight into the dict; for the rest ``entries`` reports what is wrong."""
        mapping: MarkedDict = _new_dict(MarkedDict)
        try:
            mapping.update(zip(children[::2], children[1::2], strict=True))
        except TypeError:  # an unhashable key
            pass
        else:
            if len(mapping) * 2 == len(children) and None not in mapping:
                mapping.using_merge = False
                return mapping
        mapping = _new_dict(MarkedDict)
        mapping.update(self.entries(children, strict=True))
        mapping.using_merge = False
        return mapping

    def entries(self, children: list[Any], strict: bool) -> dict[Any, Any]:
        """Keys and values read in turn → a dict. ``strict``: a repeated key is reported as
        cfn-lint reports it (a short form's mapping keeps the last value, as in cfn-lint)."""
        out: dict[Any, Any] = {}
        problems: list[tuple[int, int, str]] = []
        for index in range(0, len(children), 2):
            key = children[index]
            if key is None or isinstance(key, (dict, list)):
                raise Unsupported("null or unhashable key")
            if strict and key in out:
                if not isinstance(key, str):
                    raise Unsupported("duplicate key that is not a string")
                if not problems:  # cfn-lint names the first occurrence once, with the first
                    problems.append(_duplicate(key, next(k for k in out if k == key)))
                problems.append(_duplicate(key, key))
            out[key] = children[index + 1]
        if problems and not self.duplicates:
            self.duplicates = problems
        return out


def _duplicate(key: str, where: Any) -> tuple[int, int, str]:
    mark = where.start_mark
    return (mark.line + 1, mark.column + 1, f"Duplicate found {key!r} (line {mark.line + 1})")


MAX_DEPTH = 200  # deeper (hostile) input takes cfn-lint's path, which reports it


def _function(tag: str) -> str:
    """``!Ref`` → ``Ref``, ``!Sub`` → ``Fn::Sub`` (cfn-lint's conversion of short forms)."""
    suffix = tag[1:]
    return suffix if suffix in _UNCONVERTED else f"Fn::{suffix}"


def _scalar_constructors() -> dict[str, Any]:
    constructor = SafeConstructor()
    return {
        "tag:yaml.org,2002:null": constructor.construct_yaml_null,
        "tag:yaml.org,2002:bool": constructor.construct_yaml_bool,
        "tag:yaml.org,2002:int": constructor.construct_yaml_int,
        "tag:yaml.org,2002:float": constructor.construct_yaml_float,
        "tag:yaml.org,2002:timestamp": constructor.construct_yaml_timestamp,
        "tag:yaml.org,2002:binary": constructor.construct_yaml_binary,
    }
