"""CloudFormation: where a setting lives in a YAML or JSON template and the edits that set it.

The template is read into one small node tree with character offsets — PyYAML's composer for
YAML (every node keeps its marks, its tag such as ``!Ref`` and its style; nothing is
constructed, so short-form tags need no loader) and the project's position-keeping JSON reader
for JSON. A setting is found under ``Resources.<LogicalId>`` along the autofix's mapping path.
Its value is followed one step when it is a ``Ref`` to a Parameter (its ``Default``, when the
scan used it: the resource's ``origins`` say so, and the new value must satisfy the Parameter's
``AllowedValues`` / ``AllowedPattern`` / ``MinValue`` / ``MaxValue``) or a ``Fn::FindInMap`` (the
Mappings entry the scan selected). Any other intrinsic function stops the fix.

New keys follow the file: in a block mapping, a new line at the indentation of its keys (new
nested mappings indented by the file's own step); in a flow mapping, ``, Key: value`` before the
closing brace; in JSON, the members' indentation, or one line when the object is on one line.
"""

from __future__ import annotations

import functools
import itertools
import json
import json.decoder
import json.scanner
import pathlib
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import field
from typing import Any

import yaml

from linter.fixes import values
from linter.fixes.sites import NotFixable, Request, Site, names_of, where
from linter.fixes.source import read_text
from linter.fixes.text import Replacement, Text, apply
from linter.frontends.cloudformation.marked_yaml import scalar_tag
from linter.json_positions import JNode, JsonPositionError, parse_json
from linter.model import Edit, Resource, Span
from linter.options import Budgets
from linter.records import mutable, record
from linter.regex import lazy

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STANDARD_TAG = "tag:yaml.org,2002:"
_STR = _STANDARD_TAG + "str"
_SUB_NAME = lazy(r"\$\{([^}!][^}]*)\}")


@mutable(eq=False, slots=True)
class Node:
    kind: str  # map | seq | scalar
    start: int  # character offsets into the file's text
    end: int
    value: Any = None  # a scalar's Python value
    tag: str = ""  # a short-form intrinsic (!Ref, !If …); "" for plain nodes
    style: str = ""  # a scalar's quoting: "" plain, "'" or '"', "|" / ">" block
    flow: bool = False  # {…} / […] (every JSON collection)
    pairs: list[tuple[Node, Node]] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)

    def get(self, key: str) -> Node | None:
        found = None
        for k, v in self.pairs:
            if k.value == key:
                found = v
        return found

    def key_of(self, key: str) -> Node | None:
        found = None
        for k, _v in self.pairs:
            if k.value == key:
                found = k
        return found

    def walk(self) -> Iterator[Node]:
        yield self
        for key, value in self.pairs:
            yield key
            yield from value.walk()
        for item in self.items:
            yield from item.walk()


class Template:
    """One template: its text and node tree (``NotFixable`` when it cannot be read).

    The tree is parsed on first use of ``root``, when a cheap pass (``_surely_parses``) finds
    that parsing cannot fail; otherwise at once, so a broken template raises here with the
    message it always had. Until then a resource's entry can be read alone (``entry``): most
    fixes need nothing else."""

    def __init__(self, rel: str, source: str) -> None:
        self.rel = rel
        self.text = Text(rel, source)
        self.is_json = source.lstrip("\ufeff \t\r\n").startswith("{")
        self.entries: dict[str, Entry | None] = {}  # read alone, by logical id (None: not)
        self._root: Node | None = None
        self._alone = _surely_parses(source[1:] if source.startswith("\ufeff") else source,
                                     self.is_json)
        if not self._alone:
            self._root = parse(rel, source, self.is_json)

    @property
    def root(self) -> Node:
        """The whole document's tree."""
        if self._root is None:
            self._root = parse(self.rel, self.text.source, self.is_json)
        return self._root

    def entry(self, logical_id: str, span: Span | None) -> Entry | None:
        """``Resources.<logical_id>`` read alone, as ``root`` holds it: its key and value; None
        when that cannot be made sure of (the caller reads ``root``).

        ``span`` is the resource's span in the front end, which decoded the same text as this
        tree — its key is that entry's key — and rejects a template with a repeated key. The
        entry is read from where the span starts, and kept when the key there is the logical
        id, the value a mapping and the span ends where the value does."""
        if logical_id not in self.entries:
            found = None
            if self._alone and span is not None and _LOGICAL_ID.fullmatch(logical_id):
                start, end = self.text.span_offsets(span)
                reader = _json_entry if self.is_json else _yaml_entry
                found = reader(self.text, logical_id, start)
                if found is not None and not _ends_as_span(self.text.source, end, found.value):
                    found = None
            self.entries[logical_id] = found
        return self.entries[logical_id]

    def span(self, start: int, end: int) -> Span:
        return self.text.span(start, end)


@mutable(eq=False, slots=True)
class Entry:
    """A resource's entry read alone: key and value (offsets into the whole text) and, in YAML,
    what ``_enclosing_entry`` would find around it in ``root``: the offset of the next key of
    Resources (-1 for the last) and ``stop``, the start of that key's line (for the last, of
    the next top-level key's line, or the end of the text); None when not known."""

    key: Node
    value: Node
    following: int = -1
    stop: int | None = None


def parse(rel: str, source: str, is_json: bool) -> Node:
    skip = 1 if source.startswith("\ufeff") else 0
    body = source[skip:]
    try:
        if is_json:
            node = _json_direct(body, skip) or _from_json(parse_json(body), skip)
        else:
            node = _yaml_events(body, skip) or _yaml_composed(rel, body, skip)
    except (yaml.YAMLError, JsonPositionError, RecursionError, ValueError) as exc:
        raise NotFixable(f"{rel} does not parse ({str(exc).splitlines()[0]}); nothing was "
                         "changed") from exc
    if node.kind != "map":
        raise NotFixable(f"{rel} is not a template mapping")
    return node


def _yaml_composed(rel: str, body: str, skip: int) -> Node:
    """The tree of ``body`` through PyYAML's composer (anchors, aliases, errors: the messages
    the notes quote)."""
    aliases: set[int] = set()
    composed = yaml.compose(body, Loader=_Loader)
    if composed is None:
        raise NotFixable(f"{rel} is empty")
    node = _from_yaml(composed, skip, set(), aliases)
    if aliases:
        raise NotFixable(f"{rel} uses YAML anchors and aliases; iaclint does not "
                         "rewrite such templates")
    return node


_MAX_EVENT_DEPTH = 64  # deeper documents take the composer's way (its recursion limit)


def _yaml_events(body: str, skip: int) -> Node | None:
    """The tree ``_yaml_composed`` builds, read straight from libyaml's parser events (no
    intermediate PyYAML nodes: a third of the cost); None for what only the composer answers
    exactly — no document or more than one, anchors and aliases, deep nesting, any error —
    and for resolvers other than PyYAML's defaults."""
    if _Loader.yaml_path_resolvers or None in _Loader.yaml_implicit_resolvers:
        return None
    loader = _Loader(body)
    try:
        return _EventBuilder(skip).run(loader.get_event)
    except Exception:  # a syntax error: the composer reports it
        return None
    finally:
        loader.dispose()


class _EventBuilder:
    """``Node``s from parser events, as the composer and ``_from_yaml`` make them from the
    same events (tags resolved by the loader's implicit resolvers, scalars constructed by the
    safe constructor)."""

    def __init__(self, skip: int) -> None:
        self.skip = skip
        self.implicit: dict[Any, list[tuple[str, Any]]] = _Loader.yaml_implicit_resolvers

    def run(self, next_event: Any) -> Node | None:
        """The one document's root; None for no document or more than one, and as ``node``."""
        root: Node | None = None
        while True:
            event = next_event()
            kind = type(event)
            if kind is yaml.DocumentStartEvent:
                if root is not None:
                    return None
                root = self.node(next_event(), next_event)
                if root is None:
                    return None
            elif kind is yaml.StreamEndEvent or event is None:
                return root

    def node(self, event: Any, next_event: Any) -> Node | None:
        """The node that starts with ``event``, reading its events to its end (no further);
        None for an anchor or alias in it, or nesting deeper than ``_MAX_EVENT_DEPTH``."""
        skip = self.skip
        stack: list[tuple[Any, list[Node]]] = []  # open collections: start event, children
        done: list[Node] = []
        children = done
        implicit = self.implicit
        scalar_event, mapping_start = yaml.ScalarEvent, yaml.MappingStartEvent
        sequence_start = yaml.SequenceStartEvent
        mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        while True:
            kind = type(event)
            if kind is scalar_event:
                if event.anchor is not None:
                    return None
                value = event.value
                if event.tag is None and (not event.implicit[0] or (
                        value and value[0] not in implicit)):  # a string: no resolver applies
                    children.append(Node("scalar", event.start_mark.index + skip,
                                         event.end_mark.index + skip, value, "",
                                         event.style or "", False, [], []))
                else:
                    children.append(self.scalar(event))
            elif kind is mapping_end or kind is sequence_end:
                start, items = stack.pop()
                children = stack[-1][1] if stack else done
                children.append(self.collection(start, event, items, skip))
            elif kind is mapping_start or kind is sequence_start:
                if event.anchor is not None or len(stack) >= _MAX_EVENT_DEPTH:
                    return None
                opened: list[Node] = []
                stack.append((event, opened))
                children = opened
            else:  # an alias (no other event is part of a node)
                return None
            if not stack:
                return done[0]
            event = next_event()

    def scalar(self, event: Any) -> Node:
        value = event.value
        tag = scalar_tag(event, self.implicit)
        start, end = event.start_mark.index + self.skip, event.end_mark.index + self.skip
        style = event.style or ""
        if not tag.startswith(_STANDARD_TAG):
            return Node("scalar", start, end, value, tag, style, False, [], [])
        if tag != _STR:
            value = _construct(yaml.ScalarNode(tag, value, event.start_mark, event.end_mark,
                                               event.style))
        return Node("scalar", start, end, value, "", style, False, [], [])

    @staticmethod
    def collection(start_event: Any, end_event: Any, children: list[Node], skip: int) -> Node:
        tag = start_event.tag
        if tag is None or tag == "!" or tag.startswith(_STANDARD_TAG):
            tag = ""
        start, end = start_event.start_mark.index + skip, end_event.end_mark.index + skip
        flow = bool(start_event.flow_style)
        if type(start_event) is yaml.MappingStartEvent:
            pairs = list(zip(children[::2], children[1::2], strict=True))
            return Node("map", start, end, None, tag, "", flow, pairs, [])
        return Node("seq", start, end, None, tag, "", flow, [], children)


def _construct(node: yaml.ScalarNode) -> Any:
    """A resolved or ``!!``-tagged scalar's Python value (its text when it does not construct),
    as ``_from_yaml`` builds it."""
    try:
        return yaml.constructor.SafeConstructor().construct_object(node)
    except (yaml.YAMLError, ValueError, TypeError):
        return node.value


def _from_yaml(node: yaml.Node, skip: int, seen: set[int], aliases: set[int]) -> Node:
    if id(node) in seen:
        aliases.add(id(node))
    seen.add(id(node))
    tag = "" if node.tag.startswith(_STANDARD_TAG) else node.tag
    start, end = node.start_mark.index + skip, node.end_mark.index + skip
    if isinstance(node, yaml.MappingNode):
        pairs = [(_from_yaml(k, skip, seen, aliases), _from_yaml(v, skip, seen, aliases))
                 for k, v in node.value]
        return Node("map", start, end, tag=tag, flow=bool(node.flow_style), pairs=pairs)
    if isinstance(node, yaml.SequenceNode):
        items = [_from_yaml(i, skip, seen, aliases) for i in node.value]
        return Node("seq", start, end, tag=tag, flow=bool(node.flow_style), items=items)
    assert isinstance(node, yaml.ScalarNode)
    value: Any = node.value
    if not tag and node.tag != _STR:
        try:
            value = yaml.constructor.SafeConstructor().construct_object(node)
        except (yaml.YAMLError, ValueError, TypeError):
            value = node.value
    return Node("scalar", start, end, value=value, tag=tag, style=node.style or "")


_JSON_BLANK = " \t\n\r"  # JSON whitespace (most structure is not followed by any)
_JSON_SPACE = re.compile(f"[{_JSON_BLANK}]*").match


def _space(text: str, pos: int) -> int:
    """The offset of the first character at or after ``pos`` that is not JSON whitespace."""
    match = _JSON_SPACE(text, pos)
    return match.end() if match is not None else pos

_JSON_NUMBER = json.scanner.NUMBER_RE.match
_JSON_STRING = json.decoder.scanstring  # type: ignore[attr-defined]  # C-accelerated, untyped
_JSON_CONSTANTS = (("true", True), ("false", False), ("null", None))


def _json_direct(body: str, skip: int) -> Node | None:
    """The tree ``_from_json(parse_json(body))`` builds, read in one pass with no position
    nodes in between; None when ``body`` is not valid JSON (``parse_json`` then says why)."""
    try:
        node, pos = _JsonBuilder(body, skip).value(_space(body, 0))
    except Exception:  # invalid JSON, nesting deeper than the stack: parse_json reports it
        return None
    return node if _space(body, pos) == len(body) else None


class _JsonBuilder:
    """``Node``s of a JSON text with their offsets (strings and numbers decoded as the stdlib
    and ``linter.json_positions`` decode them)."""

    def __init__(self, text: str, skip: int) -> None:
        self.text = text
        self.skip = skip

    def value(self, pos: int) -> tuple[Node, int]:
        text, skip = self.text, self.skip
        ch = text[pos]
        if ch == "{":
            return self.object(pos)
        if ch == "[":
            return self.array(pos)
        if ch == '"':
            string, end = _JSON_STRING(text, pos + 1, True)
            return Node("scalar", pos + skip, end + skip, string, "", '"', False, [], []), end
        for word, constant in _JSON_CONSTANTS:
            if text.startswith(word, pos):
                end = pos + len(word)
                return Node("scalar", pos + skip, end + skip, constant, "", "", False, [],
                            []), end
        match = _JSON_NUMBER(text, pos)
        if match is None:
            raise ValueError("expected a value")
        integer, frac, exp = match.groups()
        number: int | float = (
            float(integer + (frac or "") + (exp or "")) if frac or exp else int(integer))
        end = match.end()
        return Node("scalar", pos + skip, end + skip, number, "", "", False, [], []), end

    def object(self, start: int) -> tuple[Node, int]:
        # ``x if text[x] not in blank else space(text, x)``: the whitespace scan only where
        # there is whitespace (an index past the end is invalid JSON: the caller falls back)
        text, skip, space, blank = self.text, self.skip, _space, _JSON_BLANK
        pairs: list[tuple[Node, Node]] = []
        pos = start + 1 if text[start + 1] not in blank else space(text, start + 1)
        if text[pos] != "}":
            while True:
                if text[pos] != '"':
                    raise ValueError("expected a property name")
                key, key_end = _JSON_STRING(text, pos + 1, True)
                colon = key_end if text[key_end] not in blank else space(text, key_end)
                if text[colon] != ":":
                    raise ValueError("expected ':'")
                pos_value = colon + 1 if text[colon + 1] not in blank else space(text, colon + 1)
                value, after = self.value(pos_value)
                pairs.append((Node("scalar", pos + skip, key_end + skip, key, "", '"', False,
                                   [], []), value))
                pos = after if text[after] not in blank else space(text, after)
                if text[pos] == ",":
                    pos = pos + 1 if text[pos + 1] not in blank else space(text, pos + 1)
                    continue
                if text[pos] != "}":
                    raise ValueError("expected ',' or '}'")
                break
        return Node("map", start + skip, pos + 1 + skip, None, "", "", True, pairs, []), pos + 1

    def array(self, start: int) -> tuple[Node, int]:
        text, skip, space, blank = self.text, self.skip, _space, _JSON_BLANK
        items: list[Node] = []
        pos = start + 1 if text[start + 1] not in blank else space(text, start + 1)
        if text[pos] != "]":
            while True:
                value, after = self.value(pos)
                items.append(value)
                pos = after if text[after] not in blank else space(text, after)
                if text[pos] == ",":
                    pos = pos + 1 if text[pos + 1] not in blank else space(text, pos + 1)
                    continue
                if text[pos] != "]":
                    raise ValueError("expected ',' or ']'")
                break
        return Node("seq", start + skip, pos + 1 + skip, None, "", "", True, [], items), pos + 1


def _from_json(node: JNode, skip: int) -> Node:
    if node.kind == "object":
        pairs = [(Node("scalar", m.key_start + skip, m.key_end + skip, value=m.key, style='"'),
                  _from_json(m.value, skip)) for m in node.members]
        return Node("map", node.start + skip, node.end + skip, flow=True, pairs=pairs)
    if node.kind == "array":
        return Node("seq", node.start + skip, node.end + skip, flow=True,
                    items=[_from_json(i, skip) for i in node.items])
    return Node("scalar", node.start + skip, node.end + skip, value=node.scalar,
                style='"' if node.kind == "string" else "")


def to_python(node: Node) -> Any:
    """The node's data, tags kept as ``{"!Tag": value}`` (for comparing before and after)."""
    if node.kind == "map":
        data: Any = {str(k.value): to_python(v) for k, v in node.pairs}
    elif node.kind == "seq":
        data = [to_python(i) for i in node.items]
    else:
        data = node.value
    return {node.tag: data} if node.tag else data


# ---------------------------------------------------------------- a resource read alone

_SAFE_DEPTH = 150  # the full parse recurses two frames a level at most (the composer, the
# JSON readers), far within the interpreter's default limit of 1000 at this depth
_LOGICAL_ID = lazy(r"[A-Za-z0-9]+")  # CloudFormation's logical ids (nothing to escape)


def _no_constant(name: str) -> Any:
    """``NaN`` / ``Infinity``, which ``json`` reads and the template readers do not."""
    raise ValueError(f"{name} is not JSON")


def _surely_parses(body: str, is_json: bool) -> bool:
    """Whether ``parse`` surely gives a tree for ``body`` (the text after a byte-order mark),
    found at a fraction of its cost: a JSON object the stdlib's C reader accepts, or YAML
    libyaml's parser accepts that is one block mapping with no anchors, aliases or directives.
    Either not nested deeper than ``_SAFE_DEPTH``. False means "parse now", not "broken"."""
    if is_json:
        try:
            data = json.loads(body, parse_constant=_no_constant)
        except (ValueError, RecursionError):
            return False
        return isinstance(data, dict) and _json_depth(body) <= _SAFE_DEPTH
    if _Loader.yaml_path_resolvers or None in _Loader.yaml_implicit_resolvers:
        return False
    return (not _odd_characters(body) and not _maybe_anchor(body) and not _maybe_directive(body)
            and _one_document(body) and _yaml_shallow(body)
            and _yaml_valid_mapping(body))


_JSON_TEXT = lazy(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_JSON_BRACKETS = lazy(r"[\[\]{}]")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _json_depth(body: str) -> int:
    """How deep the collections of valid JSON ``body`` nest."""
    if body.count("{") + body.count("[") <= _SAFE_DEPTH:
        return 0  # no deeper than that, whatever it is
    brackets = _JSON_BRACKETS.findall(_JSON_TEXT.sub("", body))
    return max(itertools.accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def _odd_characters(body: str) -> bool:
    """Whether ``body`` has a line break of libyaml's other than "\\n" (a lone "\\r", NEL, LS,
    PS: the line patterns here and ``Text`` see lines only at "\\n"), or a byte-order mark
    (libyaml skips one that starts the text without counting it in its offsets)."""
    return body.count("\r") != body.count("\r\n") or any(
        mark in body for mark in "\x85\u2028\u2029\ufeff")


# In the text read backwards: an ``&`` or ``*`` and a name character (libyaml's: a valid
# document has no other) where a node (its anchor, or an alias) can start — first on its line,
# or after an indicator (``-``, ``?``, ``,``, ``[``, ``{``, ``:`` and a space, ``:`` right after
# a quoted key or a collection) or a tag. It also matches text that is none (in a comment, a
# scalar), which only costs the full parse.
_ANCHOR_BACKWARDS = lazy(
    "[A-Za-z0-9_-][&*][ \t]*(?:\ufeff?(?:\n|\\Z)|[-?,\\[{]|[ \t]:|:[\"'\\]}]|[ \t][^ \t\n]*!)")
_SUB_VARIABLE = lazy(r"\$\{[^{}\n]*\}")


def _maybe_anchor(body: str) -> bool:
    """Whether ``body`` may have an anchor or an alias. ``${Name}`` (``Fn::Sub``) is never YAML
    structure in a valid document (``$`` starts no node, and no flow collection follows it in
    a flow collection): it is blanked first."""
    if "&" not in body and "*" not in body:
        return False
    text = _SUB_VARIABLE.sub("$", body) if "${" in body else body
    return _ANCHOR_BACKWARDS.search(text[::-1]) is not None


def _maybe_directive(body: str) -> bool:
    """Whether a line of ``body`` starts with ``%`` (a directive, where one is allowed)."""
    return body.startswith("%") or "\n%" in body


_DOCUMENT_MARKER = lazy(r"^(?:---|\.\.\.)(?=[ \t\r\n]|\Z)", re.MULTILINE)
_BARE_START = lazy(r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*(---)[ \t]*(?:#[^\n]*)?(?:\r?\n|\Z)")


def _one_document(body: str) -> bool:
    """Whether ``body`` holds at most one document: no ``---`` or ``...`` line, except one
    ``---`` alone on its line before anything but blank lines and comments."""
    if not body.startswith(("---", "...")) and "\n---" not in body and "\n..." not in body:
        return True
    markers = [m.start() for m in _DOCUMENT_MARKER.finditer(body)]
    if not markers:
        return True
    start = _BARE_START.match(body)
    return markers == [start.start(1)] if start is not None else False


def _yaml_shallow(body: str) -> bool:
    """Whether the collections of valid YAML ``body`` (one document, no ``---`` before content)
    surely nest no deeper than ``_SAFE_DEPTH``. A block collection starts at a column after
    only indentation and ``-`` / ``?`` / ``:`` indicators on its line, and nests inside
    collections of smaller columns (or is the one sequence at its mapping's column): columns
    below ``widest`` nest at most ``2 * widest + 1`` deep. Each flow collection adds one at
    most (its bracket never follows ``$``: ``${`` is in a scalar)."""
    flow = body.count("[") + body.count("{") - body.count("${")
    # columns 0 .. widest - 1 keep within the bound; a multiple of 8, for few patterns
    widest = (_SAFE_DEPTH - 1 - flow) // 16 * 8
    if widest < 1:
        return False
    wide, wide_line = _line_start_patterns(widest)
    return wide.match(body) is None and wide_line.search(body) is None


@functools.cache
def _line_start_patterns(width: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Patterns of ``width`` characters of indentation and indicators: at the start of the
    text, and after a line break."""
    return re.compile(f"[ \\t?:-]{{{width}}}"), re.compile(f"\\n[ \\t?:-]{{{width}}}")


def _yaml_valid_mapping(body: str) -> bool:
    """Whether libyaml parses ``body`` without an error and its document is a mapping."""
    loader: Any = _Loader(body)
    try:
        kinds = [type(loader.get_event()) for _ in range(3)]
    except Exception:
        return False
    finally:
        loader.dispose()
    if kinds != [yaml.StreamStartEvent, yaml.DocumentStartEvent, yaml.MappingStartEvent]:
        return False
    loader = _Loader(body)
    try:
        loader.raw_parse()  # every event in C: no Python object for any
    except Exception:  # a syntax error, or no libyaml (PyYAML's parser has no raw_parse)
        return False
    finally:
        loader.dispose()
    return True


def _ends_as_span(source: str, span_end: int, value: Node) -> bool:
    """Whether the front end's span of the resource ends where ``value`` does: at its end, or
    (a block mapping ends where the next key starts) at its last line with content."""
    return span_end <= value.end and _FILLER.fullmatch(source, span_end, value.end) is not None


_FILLER = lazy(r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*")


def _json_entry(text: Text, logical_id: str, start: int) -> Entry | None:
    """The entry whose key is the string at ``start``: a JSON value means the same wherever it
    stands, so its value is read from where it starts, with the one-pass reader."""
    source = text.source
    if not source.startswith('"', start):
        return None
    try:
        name, key_end = _JSON_STRING(source, start + 1, True)
        colon = _space(source, key_end)
        if name != logical_id or source[colon:colon + 1] != ":":
            return None
        value, _end = _JsonBuilder(source, 0).value(_space(source, colon + 1))
    except Exception:  # not what the front end said: the whole tree answers
        return None
    key = Node("scalar", start, key_end, name, "", '"', False, [], [])
    return Entry(key, value) if value.kind == "map" else None


def _yaml_entry(text: Text, logical_id: str, start: int) -> Entry | None:
    """The entry whose key is the plain scalar at ``start``, first on its line: the text from
    that line on is parsed alone, up to the event after the entry's value. With the key at its
    column, the block structure is the same alone as in place — lines indented further belong
    to the entry, a line indented as far or less ends it — and the events are read only until
    the value is complete."""
    source = text.source
    line = text.line_start(start)
    if source[line:start].strip(" "):
        return None
    region = source[line:]
    loader = _Loader(region)
    try:
        return _entry_events(text, logical_id, start, line, len(region), loader.get_event)
    except Exception:  # an error after the entry, or text that is not block mappings
        return None
    finally:
        loader.dispose()


def _entry_events(text: Text, logical_id: str, start: int, line: int, length: int,
                  next_event: Any) -> Entry | None:
    """``_yaml_entry`` from the events of the text from ``line`` on (``length`` characters):
    one block mapping, its first key the plain string ``logical_id`` at ``start``, its value a
    mapping; then the next key (its line is ``stop``) or the mapping's end, which is marked at
    the next token (a top-level key) or at the end of the text."""
    opening = [next_event() for _ in range(3)]
    kinds = [type(event) for event in opening]
    mapping = opening[2]
    if (kinds != [yaml.StreamStartEvent, yaml.DocumentStartEvent, yaml.MappingStartEvent]
            or opening[1].explicit or mapping.flow_style or mapping.tag is not None
            or mapping.anchor is not None):
        return None
    builder = _EventBuilder(line)
    key = builder.node(next_event(), next_event)
    if (key is None or key.kind != "scalar" or key.tag or key.style or key.value != logical_id
            or key.start != start):
        return None
    value = builder.node(next_event(), next_event)
    if value is None or value.kind != "map":
        return None
    after = next_event()
    kind = type(after)  # (not narrowing ``after``: its marks are there)
    if kind is yaml.ScalarEvent:
        following = after.start_mark.index + line
        return Entry(key, value, following, text.line_start(following))
    if kind is not yaml.MappingEndEvent:
        return Entry(key, value)
    if after.end_mark.index >= length:
        return Entry(key, value, -1, len(text.source))
    following = after.end_mark.index + line
    stop = text.line_start(following)
    return Entry(key, value, -1, stop if not text.source[stop:following].strip(" ") else None)


# ---------------------------------------------------------------- intrinsics


def ref_name(node: Node) -> str | None:
    if node.kind == "scalar" and node.tag == "!Ref" and isinstance(node.value, str):
        return node.value
    if node.kind == "map" and not node.tag and len(node.pairs) == 1:
        key, value = node.pairs[0]
        if key.value == "Ref" and value.kind == "scalar" and not value.tag:
            return str(value.value)
    return None


def find_in_map(node: Node) -> list[Node] | None:
    if node.kind == "seq" and node.tag == "!FindInMap":
        return node.items
    if node.kind == "map" and not node.tag and len(node.pairs) == 1:
        key, value = node.pairs[0]
        if key.value == "Fn::FindInMap" and value.kind == "seq" and not value.tag:
            return value.items
    return None


def intrinsic(node: Node) -> str | None:
    """The intrinsic function a node calls (``Fn::If`` for ``!If`` …), else None."""
    if node.tag.startswith("!"):
        name = node.tag[1:]
        return name if name in ("Ref", "Condition") else f"Fn::{name}"
    if node.kind == "map" and len(node.pairs) == 1:
        key = str(node.pairs[0][0].value)
        if key == "Ref" or key.startswith("Fn::"):
            return key
    return None


# ---------------------------------------------------------------- locating


@record
class ReplaceAt:
    template: Template
    node: Node
    name: str  # the key whose value is replaced


@record
class InsertAt:
    template: Template
    mapping: Node
    owner: Node | None  # the key naming the mapping (None for the document)


def locate(template: Template, request: Request) -> Site:
    resource = request.resources[0]
    source = resource.meta.get("source_resource")
    if source:
        raise NotFixable(f"{resource.address} is generated by the SAM transform from {source}; "
                         "set the value on the SAM resource by hand")
    owner, node = _resource(template, resource)
    if node is None or owner is None or node.kind != "map":
        raise NotFixable(f"{resource.address} was not found under Resources in {template.rel}")
    for depth, name in enumerate(request.container):
        child = node.get(name)
        if child is None:
            return _insert_site(template, node, owner, request.container[depth:])
        called = intrinsic(child)
        if called is not None or child.kind != "map":
            what = f"computed by {called}" if called else f"not a mapping ({child.kind})"
            raise NotFixable(f"{name} of {resource.address} is {what}; iaclint does not "
                             "rewrite it")
        owner, node = node.key_of(name), child
        assert owner is not None
    value = node.get(request.key)
    key = node.key_of(request.key)
    if value is None or key is None:
        return _insert_site(template, node, owner, ())
    return _follow(template, request, key, value)


def _resource(template: Template, resource: Resource) -> tuple[Node | None, Node | None]:
    """The key and value of ``Resources.<address>``: read alone when the template allows it
    (``Template.entry``), else from the whole tree."""
    entry = template.entry(resource.address, resource.spans.get(()))
    if entry is not None:
        return entry.key, entry.value
    resources = template.root.get("Resources")
    if resources is None:
        return None, None
    return resources.key_of(resource.address), resources.get(resource.address)


def _insert_site(template: Template, mapping: Node, owner: Node, create: tuple[str, ...]
                 ) -> Site:
    anchor = template.span(owner.start, mapping.end)
    return Site(template.rel, "insert", template.span(mapping.start, mapping.end), anchor,
                create=create, payload=InsertAt(template, mapping, owner))


def _origins(request: Request) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for resource in request.resources:
        for path, spans in resource.origins.items():
            if names_of(path) == request.names:
                out.update((s.start_line, s.start_col) for s in spans)
    return out


def _start(template: Template, node: Node) -> tuple[int, int]:
    return template.text.position(node.start)


def _follow(template: Template, request: Request, key: Node, value: Node) -> Site:
    attribute = template.span(key.start, value.end)
    if value.kind == "scalar" and not value.tag and isinstance(value.value,
                                                                (str, int, float, bool)):
        return Site(template.rel, "replace", template.span(value.start, value.end), attribute,
                    was_string=isinstance(value.value, str),
                    payload=ReplaceAt(template, value, str(key.value)))
    origins = _origins(request)
    name = ref_name(value)
    if name is not None:
        return _parameter(template, request, attribute, value, name, origins)
    lookup = find_in_map(value)
    if lookup is not None:
        return _mapping(template, request, attribute, value, lookup, origins)
    called = intrinsic(value) or f"a {value.kind}"
    raise NotFixable(f"{request.key} is computed by {called} ({where(attribute)}); iaclint only "
                     "rewrites a literal, a Parameter's Default or a Mappings entry")


def _parameter(template: Template, request: Request, attribute: Span, value: Node, name: str,
               origins: set[tuple[int, int]]) -> Site:
    parameters = template.root.get("Parameters")
    body = parameters.get(name) if parameters is not None else None
    if body is None or body.kind != "map":
        raise NotFixable(f"{request.key} refers to {name}, which is not a Parameter of "
                         f"{template.rel}")
    default, default_key = body.get("Default"), body.key_of("Default")
    if default is None or default_key is None:
        raise NotFixable(f"Parameter {name} has no Default; its value is given at deployment")
    if _start(template, default_key) not in origins:
        raise NotFixable(f"the value of Parameter {name} comes from --cfn-param or a parameter "
                         "file, not from its Default")
    if default.kind != "scalar" or default.tag:
        raise NotFixable(f"the Default of Parameter {name} is not a plain value")
    _check_constraints(name, body, request.value)
    references = tuple(template.span(n.start, n.end) for n in _parameter_uses(template, name))
    anchor = template.span(default_key.start, default.end)
    return Site(template.rel, "replace", template.span(default.start, default.end), anchor,
                links=(attribute,), expressions=(template.span(value.start, value.end),),
                references=((f"Parameter {name}", references),),
                source=f"the Default of Parameter {name} ({where(anchor)})",
                was_string=isinstance(default.value, str),
                payload=ReplaceAt(template, default, "Default"))


def _check_constraints(name: str, body: Node, value: Any) -> None:
    allowed = body.get("AllowedValues")
    if allowed is not None and allowed.kind == "seq":
        choices = [str(i.value) for i in allowed.items if i.kind == "scalar"]
        if str(value) not in choices:
            raise NotFixable(f"Parameter {name} allows only {', '.join(choices)}; add "
                             f"{value} to its AllowedValues by hand")
    pattern = body.get("AllowedPattern")
    if pattern is not None and pattern.kind == "scalar":
        try:
            matched = re.fullmatch(str(pattern.value), str(value)) is not None
        except re.error:
            matched = False
        if not matched:
            raise NotFixable(f"Parameter {name}'s AllowedPattern does not accept {value}")
    for bound, sign in (("MinValue", 1), ("MaxValue", -1)):
        limit = body.get(bound)
        if limit is not None and limit.kind == "scalar":
            try:
                ok = (float(value) - float(limit.value)) * sign >= 0
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise NotFixable(f"Parameter {name}'s {bound} does not accept {value}")


def _parameter_uses(template: Template, name: str) -> Iterator[Node]:
    """Every Ref to the parameter, and every Fn::Sub string that names it."""
    for node in template.root.walk():
        if ref_name(node) == name or _sub_names(node, name):
            yield node


def _sub_names(node: Node, name: str) -> bool:
    return (node.kind == "scalar" and isinstance(node.value, str) and "${" in node.value
            and any(m.group(1).strip() == name for m in _SUB_NAME.finditer(node.value)))


def _literal_key(template: Template, node: Node, origins: set[tuple[int, int]]
                 ) -> str | None:
    """A FindInMap key: a literal, or a Ref to a Parameter whose Default the scan used."""
    if node.kind == "scalar" and not node.tag:
        return str(node.value)
    name = ref_name(node)
    parameters = template.root.get("Parameters")
    body = parameters.get(name) if parameters is not None and name else None
    if body is not None:
        default, default_key = body.get("Default"), body.key_of("Default")
        if default is not None and default_key is not None and default.kind == "scalar" and (
                _start(template, default_key) in origins):
            return str(default.value)
    return None


def _mapping(template: Template, request: Request, attribute: Span, value: Node,
             lookup: list[Node], origins: set[tuple[int, int]]) -> Site:
    if len(lookup) != 3:
        raise NotFixable(f"{request.key} uses Fn::FindInMap with a default value; iaclint does "
                         "not rewrite it")
    keys = [_literal_key(template, node, origins) for node in lookup]
    if None in keys:
        raise NotFixable(f"{request.key} uses Fn::FindInMap with a key iaclint cannot resolve")
    table, first, second = (str(k) for k in keys)
    mappings = template.root.get("Mappings")
    level = mappings.get(table) if mappings is not None else None
    level = level.get(first) if level is not None and level.kind == "map" else None
    entry_key = level.key_of(second) if level is not None and level.kind == "map" else None
    entry = level.get(second) if level is not None and level.kind == "map" else None
    if entry is None or entry_key is None or entry.kind != "scalar" or entry.tag:
        raise NotFixable(f"Mappings {table}.{first}.{second} was not found or is not a value")
    if _start(template, entry_key) not in origins:
        raise NotFixable(f"the scan did not take {request.key} from Mappings "
                         f"{table}.{first}.{second}")
    uses = tuple(template.span(n.start, n.end)
                 for n in _mapping_uses(template, table, first, second))
    entry_span = template.span(entry_key.start, entry.end)
    return Site(template.rel, "replace", template.span(entry.start, entry.end), entry_span,
                links=(attribute,), expressions=(template.span(value.start, value.end),),
                references=((f"Mappings {table}.{first}.{second}", uses),),
                source=f"Mappings {table}.{first}.{second} ({where(entry_span)})",
                was_string=isinstance(entry.value, str), payload=ReplaceAt(template, entry, second))


def _mapping_uses(template: Template, table: str, first: str, second: str) -> Iterator[Node]:
    """Every Fn::FindInMap that may read the entry (a key that is not a literal may be any)."""
    for node in template.root.walk():
        lookup = find_in_map(node)
        if lookup is None or not lookup:
            continue
        wanted = (table, first, second)
        if all(i >= len(lookup) or lookup[i].kind != "scalar" or lookup[i].tag
               or str(lookup[i].value) == wanted[i] for i in range(3)):
            yield node


# ---------------------------------------------------------------- edits


def replace_edit(site: Site, value: Any) -> Edit:
    payload = site.payload
    assert isinstance(payload, ReplaceAt)
    template, node = payload.template, payload.node
    written = values.same_type(value, site.was_string)
    if template.is_json:
        new = values.json_value(written)
    else:
        style = node.style if node.style in ("'", '"') else ""
        if isinstance(written, str) and node.style in ("|", ">"):
            style = '"'
        new = values.yaml_value(written, style)
    return template.text.edit(node.start, node.end, new)


def insert_edits(site: Site, settings: Mapping[str, Any]) -> list[Edit]:
    payload = site.payload
    assert isinstance(payload, InsertAt)
    if payload.template.is_json:
        return [_insert_json(payload, site.create, settings)]
    return [_insert_yaml(payload, site.create, settings)]


def _last_leaf_end(node: Node) -> int:
    if node.flow or node.kind == "scalar":
        return node.end
    if node.kind == "map" and node.pairs:
        return _last_leaf_end(node.pairs[-1][1])
    if node.kind == "seq" and node.items:
        return _last_leaf_end(node.items[-1])
    return node.end


def _column(text: Text, offset: int) -> int:
    return offset - text.line_start(offset)


def _insert_yaml(payload: InsertAt, create: Sequence[str], settings: Mapping[str, Any]) -> Edit:
    template, mapping, owner = payload.template, payload.mapping, payload.owner
    text = template.text
    if mapping.flow:
        inner: Any = {key: value for key, value in settings.items()}
        for name in reversed(create):
            inner = {name: inner}
        members = ", ".join(f"{k}: {_yaml_flow(v)}" for k, v in inner.items())
        if mapping.pairs:
            position = mapping.pairs[-1][1].end
            return text.edit(position, position, ", " + members)
        closing = text.source.rfind("}", mapping.start, mapping.end)
        return text.edit(closing, closing, members)
    column = _column(text, mapping.pairs[0][0].start)
    step = column - _column(text, owner.start) if owner is not None else 2
    step = step if step > 0 else 2
    lines = [f"{' ' * (column + step * depth)}{name}:" for depth, name in enumerate(create)]
    indent = " " * (column + step * len(create))
    lines.extend(f"{indent}{key}: {values.yaml_value(value)}" for key, value in settings.items())
    last = text.last_content_end(_last_leaf_end(mapping))
    newline = text.newline
    following = text.next_line_start(last - 1)
    if following is None:
        return text.edit(len(text.source), len(text.source), newline + newline.join(lines))
    return text.edit(following, following, newline.join(lines) + newline)


def _yaml_flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml_flow(v)}" for k, v in value.items()) + "}"
    return values.yaml_value(value)


def _insert_json(payload: InsertAt, create: Sequence[str], settings: Mapping[str, Any]) -> Edit:
    template, mapping = payload.template, payload.mapping
    text = template.text
    newline = text.newline
    if not mapping.pairs:
        content = _json_members(create, settings, None, "", newline)
        return text.edit(mapping.start + 1, mapping.start + 1, content)
    last_key, last_value = mapping.pairs[-1]
    if text.line_of(last_key.start) == text.line_of(mapping.start):
        content = _json_members(create, settings, None, "", newline)
        return text.edit(last_value.end, last_value.end, ", " + content)
    indent = text.indentation(last_key.start)
    outer = text.indentation(mapping.start)
    unit = indent[len(outer):] if indent.startswith(outer) and len(indent) > len(outer) else "  "
    content = _json_members(create, settings, unit, indent, newline)
    return text.edit(last_value.end, last_value.end, "," + newline + indent + content)


def _json_members(create: Sequence[str], settings: Mapping[str, Any], unit: str | None,
                  indent: str, newline: str) -> str:
    """``"A": {"B": {"k": v}}`` — on one line when ``unit`` is None, else indented."""
    if not create:
        separator = ", " if unit is None else "," + newline + indent
        return separator.join(f"{values.json_value(k)}: {values.json_value(v)}"
                              for k, v in settings.items())
    name, rest = create[0], create[1:]
    if unit is None:
        return (f"{values.json_value(name)}: {{"
                + _json_members(rest, settings, None, "", newline) + "}")
    inner = indent + unit
    return (f"{values.json_value(name)}: {{" + newline + inner
            + _json_members(rest, settings, unit, inner, newline) + newline + indent + "}")


def read_template(root: pathlib.Path, rel: str, budgets: Budgets | None = None) -> Template:
    """The template ``rel``, read as the front end read it (``linter.fixes.source``)."""
    return Template(rel, read_text(root, rel, budgets or Budgets()))


# ---------------------------------------------------------------- verification


def verify(template: Template, after: str, allowed: set[str],
           edits: Sequence[Edit] = ()) -> str | None:
    """None when ``after`` (the template's text with ``edits`` made) parses and its data
    differs from the template's only under keys named in ``allowed``; else what is wrong.

    Two shortcuts give the same answers as the full comparison, which still says what is
    wrong: the part of the document enclosing every edit is parsed again alone
    (``_edited_part_same``), and trees that ``_same_outside`` finds equal need no
    flattening."""
    if edits and _edited_part_same(template, after, allowed, edits):
        return None
    try:
        new = parse(template.rel, after, template.is_json)
    except NotFixable as exc:
        return str(exc)
    if _surely_same(template.root, new, allowed):
        return None
    return _compare(dict(_flatten(to_python(template.root))), dict(_flatten(to_python(new))),
                    allowed)


def _edited_part_same(template: Template, after: str, allowed: set[str],
                      edits: Sequence[Edit]) -> bool:
    """Whether the part of the document enclosing every edit, parsed alone from ``after``,
    holds the same data outside ``allowed``: then so does the whole edited document, whose
    other text is the original's, for a part that parses alone as it does in place. In JSON,
    the innermost collection below the document (a value's text means the same wherever it
    stands); in YAML, the innermost entry of nested block mappings that stays one entry, from
    its key's line to the next key's, edited after the start of its key (block structure
    follows indentation: with the key at its column, lines indented further belong to it in
    place and alone, and an edit that reaches out of the entry leaves more or other than that
    one entry, or no valid YAML, when parsed alone)."""
    replaced = {template.text.replacement(edit) for edit in edits}
    alone = _entries_same(template, replaced, allowed)
    if alone is not None:
        return alone
    first, last = min(r.start for r in replaced), max(r.end for r in replaced)
    growth = sum(len(r.new) - (r.end - r.start) for r in replaced)
    if template.is_json:
        region = _json_region(template.root, first, last)
        edited = (_json_direct(after[region.start:region.end + growth], 0)
                  if region is not None else None)
        return region is not None and edited is not None and _surely_same(region, edited,
                                                                          allowed)
    return bool(_single_entry_same(lambda start, end: after[start:end + growth], allowed,
                                   _yaml_entries(template, replaced)))


def _entries_same(template: Template, replaced: Collection[Replacement], allowed: set[str]
                  ) -> bool | None:
    """``_edited_part_same`` without the whole tree, when every replacement lies in a resource
    entry read alone (``Template.entry``): each such entry's edited part, parsed alone, holds
    the same data outside ``allowed`` (True: so does the document, the parts being replaced
    one after the other), or one does not (False); None when that needs the whole tree."""
    groups: dict[int, tuple[Entry, list[Replacement]]] = {}
    for replacement in replaced:
        entry = _entry_enclosing(template, replacement)
        if entry is None:
            return None
        groups.setdefault(id(entry), (entry, []))[1].append(replacement)
    for entry, group in groups.values():
        answer = _entry_same(template, entry, group, allowed)
        if answer is not True:
            return answer
    return True


def _entry_enclosing(template: Template, replacement: Replacement) -> Entry | None:
    """The resource entry read alone that encloses ``replacement``: inside the value's
    brackets in JSON, after the key and up to ``stop`` in YAML."""
    start, end = replacement.start, replacement.end
    for entry in template.entries.values():
        if entry is None:
            continue
        if template.is_json:
            if entry.value.start < start and end < entry.value.end:
                return entry
        elif entry.stop is not None and entry.key.start < start and end <= entry.stop:
            return entry
    return None


def _entry_same(template: Template, entry: Entry, replaced: Sequence[Replacement],
                allowed: set[str]) -> bool | None:
    """``_edited_part_same`` for the replacements in one resource entry read alone: the part
    ``_json_region`` or ``_entries_from`` finds in it, with the replacements made."""
    source = template.text.source

    def edited(start: int, end: int) -> str:
        return apply(source[start:end], (Replacement(r.start - start, r.end - start, r.new)
                                         for r in replaced))

    if template.is_json:
        first, last = min(r.start for r in replaced), max(r.end for r in replaced)
        region = _json_region(entry.value, first, last) or entry.value
        new = _json_direct(edited(region.start, region.end), 0)
        return new is not None and _surely_same(region, new, allowed)
    return _single_entry_same(edited, allowed, _entries_from(template.text, entry, replaced))


def _single_entry_same(edited: Callable[[int, int], str], allowed: set[str],
                       entries: Sequence[tuple[int, int, Node, Node]]) -> bool | None:
    """For the innermost of ``entries`` whose edited text (``edited(start, end)``) parses alone
    as one entry: whether it holds the same data outside ``allowed``; None when none does."""
    for start, end, key, value in reversed(entries):
        parsed = _yaml_events(edited(start, end), 0)
        # more than one entry or none (the edit wrote lines less indented than the key, as a
        # sibling of the entry or one of its ancestors): the enclosing entry may still parse
        if parsed is not None and parsed.kind == "map" and len(parsed.pairs) == 1:
            new_key, new_value = parsed.pairs[0]
            return (isinstance(key.value, str) and isinstance(new_key.value, str)
                    and new_key.value == key.value and _surely_same(value, new_value, allowed))
    return None


def _json_region(root: Node, first: int, last: int) -> Node | None:
    """The innermost mapping or list below ``root`` whose brackets enclose the offsets
    ``first`` to ``last`` (None: only the root's do)."""
    found: Node | None = None
    node: Node | None = root
    while node is not None:
        children = [value for _key, value in node.pairs] + node.items
        node = next((child for child in children if child.kind != "scalar"
                     and child.start < first and last < child.end), None)
        found = node or found
    return found


def _yaml_entries(template: Template, replaced: Collection[Replacement]
                  ) -> list[tuple[int, int, Node, Node]]:
    """The entries of nested block mappings whose lines enclose every replacement, outermost
    first: (start of the key's line, start of the next key's line or the enclosing entry's
    end, key, value); none when the document has directives (which would not apply to an
    entry alone)."""
    source = template.text.source
    if any(line.startswith("%") for line in source[:template.root.start].splitlines()):
        return []
    return _entries_within(template.text, template.root, len(source), replaced)


def _entries_from(text: Text, entry: Entry, replaced: Collection[Replacement]
                  ) -> list[tuple[int, int, Node, Node]]:
    """``_yaml_entries`` from a resource's entry read alone down (the document has no
    directives: ``_surely_parses``); none when the entry's own lines do not qualify."""
    assert entry.stop is not None
    outer = _entry_lines(text, entry.key, entry.value, entry.following, entry.stop, replaced)
    if outer is None:
        return []
    return [outer, *_entries_within(text, entry.value, entry.stop, replaced)]


def _entries_within(text: Text, mapping: Node, end: int, replaced: Collection[Replacement]
                    ) -> list[tuple[int, int, Node, Node]]:
    """The enclosing entries of ``mapping`` (ending at ``end``) and of its values, down."""
    found: list[tuple[int, int, Node, Node]] = []
    while mapping.kind == "map" and not mapping.flow:
        entry = _enclosing_entry(text, mapping, end, replaced)
        if entry is None:
            break
        found.append(entry)
        _start, end, _key, mapping = entry
    return found


def _enclosing_entry(text: Text, mapping: Node, end: int, replaced: Collection[Replacement]
                     ) -> tuple[int, int, Node, Node] | None:
    """The entry of a block mapping ending at ``end`` that encloses every replacement, when
    its lines qualify (``_entry_lines``)."""
    first, last = min(r.start for r in replaced), max(r.end for r in replaced)
    keys = [key.start for key, _value in mapping.pairs] + [-1]
    for index, (key, value) in enumerate(mapping.pairs):
        following = keys[index + 1]
        stop = text.line_start(following) if following >= 0 else end
        if key.start < first and last <= stop:
            return _entry_lines(text, key, value, following, stop, replaced)
    return None


def _entry_lines(text: Text, key: Node, value: Node, following: int, stop: int,
                 replaced: Collection[Replacement]) -> tuple[int, int, Node, Node] | None:
    """An entry from its key's line to ``stop`` (the next key's line, at ``following``, or
    the enclosing entry's end), when its key and the next start their lines: each replacement
    after the start of its key (the key keeps its column), and one that reaches the next
    key's line leaves a line break before it."""
    starts_lines = all(text.source[text.line_start(k):k].strip(" ") == ""
                       for k in (key.start, following) if k >= 0)
    breaks = stop == len(text.source) or all(
        r.new.endswith("\n") or r.new == "" == text.source[r.start:r.end]
        for r in replaced if r.end == stop)
    return (text.line_start(key.start), stop, key, value) if starts_lines and breaks else None


def _surely_same(old: Node, new: Node, allowed: set[str]) -> bool:
    """``_same_outside``, False for trees too deep to compare recursively."""
    try:
        return _same_outside(old, new, allowed)
    except RecursionError:
        return False


def _same_outside(old: Node, new: Node, allowed: set[str]) -> bool:
    """True only when ``_compare`` finds the trees' data equal outside ``allowed``: a stricter
    test that builds nothing (same kinds, tags, scalar types and values, list lengths; mapping
    keys distinct strings, the same outside ``allowed``, and a mapping empty in one tree empty
    in the other). False means "compare in full", not "different"."""
    if old.kind != new.kind or old.tag != new.tag:
        return False
    if old.kind == "scalar":
        return type(old.value) is type(new.value) and not isinstance(
            old.value, (dict, list)) and bool(old.value == new.value)
    if old.kind == "seq":
        return len(old.items) == len(new.items) and all(
            _same_outside(a, b, allowed) for a, b in zip(old.items, new.items, strict=True))
    old_members, new_members = _members(old), _members(new)
    if old_members is None or new_members is None or bool(old_members) != bool(new_members):
        return False
    kept = old_members.keys() - allowed
    return kept == new_members.keys() - allowed and all(
        _same_outside(old_members[key], new_members[key], allowed) for key in kept)


def _members(mapping: Node) -> dict[str, Node] | None:
    """A mapping's values by key; None unless every key is a distinct string."""
    members = {key.value: value for key, value in mapping.pairs if isinstance(key.value, str)}
    return members if len(members) == len(mapping.pairs) else None


def _flatten(data: Any) -> list[tuple[tuple[str, ...], Any]]:
    """(path, leaf) of every leaf of ``data`` in order: a mapping's keys as text, ``#i`` for a
    list's items; an empty mapping or list is a leaf."""
    out: list[tuple[tuple[str, ...], Any]] = []
    _flatten_into(data, (), out)
    return out


def _flatten_into(data: Any, prefix: tuple[str, ...], out: list[tuple[tuple[str, ...], Any]]
                  ) -> None:
    """``_flatten`` by appending (no chain of generators as deep as the document)."""
    if isinstance(data, dict) and data:
        for key, value in data.items():
            _flatten_into(value, (*prefix, str(key)), out)
    elif isinstance(data, list) and data:
        for index, value in enumerate(data):
            _flatten_into(value, (*prefix, f"#{index}"), out)
    else:
        out.append((prefix, data))


def _compare(old: Mapping[tuple[str, ...], object], new: Mapping[tuple[str, ...], object],
             allowed: set[str]) -> str | None:
    for path, value in old.items():
        filled = value in ({}, []) and any(p[:len(path)] == path for p in new)
        if path not in new and not filled and not allowed.intersection(path):
            return f"{'.'.join(path)} would disappear"
    for path, value in new.items():
        if (path not in old or old[path] != value) and not allowed.intersection(path):
            return f"{'.'.join(path)} would change"
    return None
