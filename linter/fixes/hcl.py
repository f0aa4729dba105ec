"""Terraform: where a setting lives in the HCL files and the edits that set it.

The files are parsed with the front end's parser (tree-sitter-hcl, ``parse_hcl``), whose spans
are the ones the resources carry. A setting is found by walking the resource block: its
``metadata_options`` block (static, or the ``content`` of a ``dynamic`` block that produced a
block), then the attribute. Its expression is followed while it is a plain reference:

* a literal: the site itself;
* ``var.NAME`` in the root module: the tfvars assignment or the variable's default, whichever
  the evaluator used (the resource's ``origins`` say which); in a module: the argument of the
  module call that created this instance (or the default);
* ``local.NAME``: the local's definition;
* ``var.NAME.key`` / ``local.NAME.key``, and ``ITERATOR.value.key`` in the content of a
  ``dynamic`` block whose ``for_each`` is ``[var.NAME]`` (or ``COND ? [var.NAME] : []``, as the
  terraform-aws-modules modules write it): the same, then the item ``key`` of the object
  literal found there (a module argument ``metadata_options = { … }``, a default, a tfvars
  value); any other ``ITERATOR.value…``: the one item of the dynamic block's ``for_each``
  collection (a literal, or followed like any value) when it has exactly one;
* a key missing from an object literal that has other items is added to it (a module reads
  each key of such an object on its own; an empty object may mean "no block" to it);
* a resource that a registry module which is not downloaded would create (built from the call
  by ``frontends/terraform/registry.py``): the key written in the call's argument, followed
  the same way; a call that does not write the argument is explained, not changed;
* anything else (a conditional, ``count.index``, ``each.value``, a function, any other iterator
  of a dynamic block) stops the fix: changing it would change logic the author wrote.

Each name followed is listed with every place in its module that refers to it, for the planner's
check that nothing else reads the value being changed (a reference inside a resource or data
block that creates nothing in that module instance — ``count = 0`` — reads nothing). New
attributes and blocks follow ``terraform fmt``: the indentation of the surrounding body and the
alignment of ``=`` within a run of one-line attributes (a run that was aligned stays aligned);
a key added to an object literal is aligned with the object's items the same way.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import pathlib
import posixpath
import re
from collections import OrderedDict
from collections.abc import Collection, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import field
from typing import Any

from linter.fixes import values
from linter.fixes.sites import NotFixable, Request, Site, names_of, where
from linter.fixes.source import is_readable, read_bytes
from linter.fixes.text import Replacement, Text, apply
from linter.frontends.terraform.hcl import parse_hcl, parse_tf_json
from linter.frontends.terraform.hcl_ast import (
    Attribute,
    Block,
    Body,
    Conditional,
    GetAttr,
    HclFile,
    Index,
    Literal,
    ObjectExpr,
    ObjectItem,
    Template,
    Traversal,
    TupleExpr,
)
from linter.frontends.terraform.hcl_treesitter import (
    Converter,
    FilePositions,
    Node,
    ParseBudgetExceeded,
    parse_tree,
)
from linter.frontends.terraform.modules import parsed_files
from linter.model import Edit, Resource, Span
from linter.options import Budgets
from linter.records import mutable, record

MAX_CHAIN = 16
DEFAULT_UNIT = "  "
ONLY = 0  # a key that takes the one item of a collection (a dynamic block's for_each)
Key = str | int


@record
class _TopBlock:
    """Where a top-level block of a file is: enough to pick blocks without the syntax tree."""

    index: int  # among the top-level blocks of the file
    start_byte: int
    first_line: int
    last_line: int
    kind: str


class _Trees:
    """The tree-sitter trees of the few files being worked on. A tree costs about 65 bytes of
    memory per byte of source, so the trees of every file of a large scan would cost more
    than the rest of the scan: an evicted file is parsed again when a block of it that was
    not converted yet is asked for (the same bytes make the same tree)."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._trees: OrderedDict[str, list[Node]] = OrderedDict()

    def blocks(self, rel: str, data: bytes, max_nodes: int) -> list[Node]:
        found = self._trees.get(rel)
        if found is None:  # parsed within the budget before: the same bytes parse again
            return self.keep(rel, _block_nodes(parse_tree(data, max_nodes).root_node))
        self._trees.move_to_end(rel)
        return found

    def keep(self, rel: str, nodes: list[Node]) -> list[Node]:
        self._trees[rel] = nodes
        self._trees.move_to_end(rel)
        if len(self._trees) > self.size:
            self._trees.popitem(last=False)
        return nodes


def _block_nodes(root: Node) -> list[Node]:
    body = next((c for c in root.children if c.type == "body"), None)
    return [c for c in body.children if c.type == "block"] if body else []


class LineIndex:
    """Line ranges (first, last) by the lines they cover: which include a line, in
    O(log n + k) instead of a pass over all of them (a file of hundreds of blocks is asked
    once per finding in it, and once per edit that verification checks)."""

    def __init__(self, ranges: Sequence[tuple[int, int]]) -> None:
        self._order = sorted(range(len(ranges)), key=lambda i: ranges[i][0])
        self._firsts = [ranges[i][0] for i in self._order]
        self._lasts = [ranges[i][1] for i in self._order]
        # the furthest last line of the ranges up to each position, in order of first line
        self._reach = list(itertools.accumulate(self._lasts, max))

    def at(self, line: int) -> list[int]:
        """The indices of the ranges with first <= line <= last, in increasing order."""
        found: list[int] = []
        position = bisect.bisect_right(self._firsts, line) - 1
        while position >= 0 and self._reach[position] >= line:
            if self._lasts[position] >= line:
                found.append(self._order[position])
            position -= 1
        return sorted(found)


class HclSource:
    """One Terraform file: its text, and blocks converted from the tree-sitter tree only when
    asked for (a file of hundreds of resources is fixed in a few of them)."""

    def __init__(self, rel: str, data: bytes, trees: _Trees | None = None,
                 parsed: HclFile | None = None, max_nodes: int = Budgets().syntax_nodes
                 ) -> None:
        """``parsed``: the front end's syntax tree of these bytes, when it has one;
        ``max_nodes``: the parse budget the front end read the file under."""
        self.rel = rel
        self.data = data
        self.text = Text(rel, data.decode("utf-8"))
        self._full: HclFile | None = None
        self._lines: LineIndex | None = None
        self._lines_of: HclFile | None = None
        self._blocks: dict[int, Block] = {}
        self._tops: list[_TopBlock] = []
        self._trees = trees or _Trees()
        self._max_nodes = max_nodes
        self._positions = FilePositions(rel, data)
        self._converter = Converter(data, self._positions)
        if rel.endswith(".json"):
            self._full = parse_tf_json(rel, data)
            return
        if parsed is not None and not parsed.problems and parsed.path == rel:
            self._full = parsed
            return
        try:
            root = parse_tree(data, max_nodes).root_node
        except ParseBudgetExceeded as exc:
            raise NotFixable(f"{rel}: {exc}; nothing was changed") from exc
        if root.has_error:
            problem = parse_hcl(rel, data).problems
            where_ = f"line {problem[0].span.start_line}: {problem[0].message}" if problem else ""
            raise NotFixable(f"{rel} does not parse ({where_}); nothing was changed")
        for index, node in enumerate(self._trees.keep(rel, _block_nodes(root))):
            head = node.children[0] if node.children else node
            self._tops.append(_TopBlock(index, node.start_byte, node.start_point.row + 1,
                                        node.end_point.row + 1,
                                        data[head.start_byte:head.end_byte].decode()))

    def full(self) -> HclFile:
        """The whole file's syntax tree (converted once)."""
        if self._full is None:
            self._full = parse_hcl(self.rel, self.data, self._max_nodes)
        return self._full

    def blocks(self) -> Iterator[Block]:
        if self._full is not None:
            yield from self._full.body.blocks
            return
        for top in self._tops:
            yield self._block(top)

    def blocks_of(self, kind: str) -> Iterator[Block]:
        """Top-level blocks of one type, converting only those."""
        if self._full is not None:
            yield from self._full.body.blocks_of(kind)
            return
        for top in self._tops:
            if top.kind == kind:
                yield self._block(top)

    def block_at(self, span: Span) -> Block | None:
        """The top-level block that starts where ``span`` starts."""
        for block in self.blocks_at(span.start_line):
            if (block.span.start_line, block.span.start_col) == (span.start_line,
                                                                  span.start_col):
                return block
        return None

    def blocks_at(self, line: int) -> Iterator[Block]:
        """Top-level blocks whose lines include ``line``."""
        if self._full is not None:
            blocks = self._full.body.blocks
            if self._lines is None or self._lines_of is not self._full:
                self._lines_of = self._full
                self._lines = LineIndex([(b.span.start_line, b.span.end_line) for b in blocks])
            yield from (blocks[index] for index in self._lines.at(line))
            return
        for top in self._tops:
            if top.first_line <= line <= top.last_line:
                yield self._block(top)

    def _block(self, top: _TopBlock) -> Block:
        if top.start_byte not in self._blocks:
            node = self._trees.blocks(self.rel, self.data, self._max_nodes)[top.index]
            self._blocks[top.start_byte] = self._converter.block(node)
        return self._blocks[top.start_byte]


class HclSources:
    """The Terraform files of one scan, each read once (through ``linter.fixes.source``: only
    regular files inside the root, within the budget the front end read them under)."""

    def __init__(self, root: pathlib.Path, budgets: Budgets | None = None) -> None:
        self.root = root
        self.budgets = budgets or Budgets()
        self._files: dict[str, HclSource | str] = {}
        self._trees = _Trees()
        self._parsed: dict[str, dict[str, HclFile]] = {}

    def load(self, rel: str) -> HclSource:
        """The file ``rel``; NotFixable when it cannot be read or parsed."""
        if rel not in self._files:
            directory = posixpath.dirname(rel) or "."
            if directory not in self._parsed:
                self._parsed[directory] = parsed_files(self.root, directory)
            try:
                self._files[rel] = HclSource(rel, read_bytes(self.root, rel, self.budgets),
                                             self._trees, self._parsed[directory].get(rel),
                                             self.budgets.syntax_nodes)
            except UnicodeDecodeError as exc:
                self._files[rel] = f"{rel} cannot be read ({exc}); nothing was changed"
            except NotFixable as exc:
                self._files[rel] = str(exc)
        found = self._files[rel]
        if isinstance(found, str):
            raise NotFixable(found)
        return found

    def module_files(self, directory: str) -> list[str]:
        """Every ``.tf`` / ``.tf.json`` file of a module directory (relative paths, sorted)
        that the front end could read: a symlink out of the root, a FIFO or a device is left
        out, as the evaluator left it out."""
        base = self.root / directory if directory else self.root
        try:
            names = sorted(p.name for p in base.iterdir()
                           if p.name.endswith((".tf", ".tf.json")))
        except OSError:
            return []
        found = [posixpath.join(directory, name) if directory else name for name in names]
        return [rel for rel in found if is_readable(self.root, rel)]


@record
class InsertAt:
    """Payload of an insert site: the block that gets the new key (or the new blocks)."""

    source: HclSource
    block: Block
    unit: str

    @property
    def text(self) -> Text:
        return self.source.text


@record
class InsertInObject:
    """Payload of an insert site in an object literal (a module argument, a default)."""

    source: HclSource
    attribute: Attribute  # the attribute or object item whose value is the object
    name: str  # the key added

    @property
    def text(self) -> Text:
        return self.source.text


@record
class ReplaceAt:
    source: HclSource
    literal: Literal
    name: str  # the attribute whose value is replaced

    @property
    def text(self) -> Text:
        return self.source.text


# ---------------------------------------------------------------- locating


def locate(sources: HclSources, request: Request, calls: Mapping[str, Resource],
           created: Collection[tuple[str, str]] = ()) -> Site:
    """The site of one request (NotFixable with the reason when there is none). ``created``:
    (module path without instance keys, ``type.name`` / ``data.type.name``) of every block
    that creates something."""
    resource = request.resources[0]
    if resource.file.endswith(".tf.json"):
        raise NotFixable(f"{resource.file} is Terraform JSON; iaclint rewrites .tf files only")
    if not resource.file.endswith(".tf"):
        raise NotFixable(f"{resource.address} comes from the plan {resource.file}; fix the "
                         "configuration it was planned from")
    if "module_call" in resource.meta:
        return _registry_call(sources, request, calls, created)
    source = sources.load(resource.file)
    block = resource_block(source, resource)
    text = source.text
    unit = _unit(text, block)
    current = block
    path: list[str | int] = []
    iterators: dict[str, Block] = {}
    for depth, name in enumerate(request.container):
        statics = current.body.blocks_of(name)
        dynamics = [b for b in current.body.blocks_of("dynamic") if b.labels == (name,)]
        if len(statics) + len(dynamics) > 1:
            raise NotFixable(f"{resource.address} has {len(statics) + len(dynamics)} {name} "
                             "blocks; iaclint does not choose one")
        if statics:
            current = statics[0]
        elif dynamics:
            produced = resource.get((*path, name))
            contents = dynamics[0].body.blocks_of("content")
            if not isinstance(produced, list) or not produced or len(contents) != 1:
                raise NotFixable(
                    f'{name} is a dynamic block that produces no block here (its for_each is '
                    f"empty); adding a static {name} block beside it would clash when it does "
                    "— set the value in the dynamic block's content or for_each by hand")
            current = contents[0]
            iterators[_iterator_name(dynamics[0])] = dynamics[0]
        else:
            return Site(resource.file, "insert", current.span, current.span,
                        create=request.container[depth:], payload=InsertAt(source, current, unit))
        path.extend((name, 0))
    attribute = current.body.attribute(request.key)
    if attribute is None:
        return Site(resource.file, "insert", current.span, current.span,
                    payload=InsertAt(source, current, unit))
    planned = any("plan_span" in r.meta for r in request.resources)
    scope = _Scope(sources, request, _origins(request), calls, planned, iterators,
                   _as_set(created))
    return _follow(scope, attribute, resource.module, posixpath.dirname(resource.file))


def _as_set(created: Collection[tuple[str, str]]) -> AbstractSet[tuple[str, str]]:
    """``created`` for membership tests, copied only when it is not a set already: the
    planner passes the set of every creating block of the unit (10,000 in a scan of 10,000
    resources), and a copy per located finding made fix planning quadratic."""
    return created if isinstance(created, AbstractSet) else frozenset(created)


def _registry_call(sources: HclSources, request: Request, calls: Mapping[str, Resource],
                   created: Collection[tuple[str, str]]) -> Site:
    """A resource that a registry module which is not downloaded would create (built from the
    call by ``frontends/terraform/registry.py``): its spans point into the call's arguments.
    A key written there is followed like any value; a key missing from a written object is
    added to it; a missing argument is explained (how the module reads a partial object
    depends on its release)."""
    resource = request.resources[0]
    call = calls.get(str(resource.meta["module_call"]))
    if call is None:
        raise NotFixable(f"the call of {resource.meta['module_call']} was not found")
    path: list[str | int] = []
    for name in request.container:
        path.extend((name, 0))
    key_span = resource.spans.get((*path, request.key))
    object_span = resource.spans.get(tuple(path[:-1])) if path else None
    # the data records where an argument's value comes from for the argument as a whole
    scope = _Scope(sources, request, _origins(request, prefixes=True), calls, False, {},
                   _as_set(created), source=f"the call of {call.address} ({where(call.header)})")
    directory = posixpath.dirname(call.file)
    for span, keys in ((key_span, []), (object_span, [request.key])):
        found = _argument_item(sources, call, span) if span is not None else None
        if found is not None:
            return _follow(scope, found, call.module, directory, keys)
    names = ".".join(request.container)
    module = str(resource.meta["module_call"])
    raise NotFixable(
        f"{module} calls a registry module that is not downloaded and does not write "
        f"{names} ({where(call.header)}); the module's default decides, and how the module "
        f"reads a partial {names} object depends on its release: add {names} = {{ "
        f"{request.key} = {values.hcl(request.value)} }} to the call by hand (keeping the "
        "module's other defaults)")


def _argument_item(sources: HclSources, call: Resource, span: Span) -> Attribute | None:
    """The argument of a module call, or an item of an object in one, whose span is ``span``
    (as an attribute)."""
    source = sources.load(span.file)
    for block in source.blocks_at(span.start_line):
        if block.type != "module":
            continue
        for attribute in block.body.attributes:
            found = _item_in(attribute, span)
            if found is not None:
                return found
    return None


def _item_in(attribute: Attribute, span: Span) -> Attribute | None:
    if attribute.span == span:
        return attribute
    expr = attribute.expr
    if isinstance(expr, ObjectExpr) and expr.span.start_line <= span.start_line <= (
            expr.span.end_line):
        for item in expr.items:
            name = _key_text(item.key)
            if name is not None:
                found = _item_in(Attribute(name, item.value, item.span, item.key.span), span)
                if found is not None:
                    return found
    return None


def resource_block(source: HclSource, resource: Resource) -> Block:
    span = resource.spans.get(())
    block = source.block_at(span) if span is not None else None
    if block is not None and block.type == "resource":
        return block
    raise NotFixable(f"the block of {resource.address} was not found in {resource.file}")


def _origins(request: Request, prefixes: bool = False) -> set[Span]:
    """Where the evaluator took the request's value from (with ``prefixes``: or a value that
    holds it)."""
    out: set[Span] = set()
    for resource in request.resources:
        for path, spans in resource.origins.items():
            names = names_of(path)
            if names == request.names or (prefixes and request.names[:len(names)] == names):
                out.update(spans)
    return out


@mutable
class _Scope:
    """What following one request's value needs, and what it collects on the way."""

    sources: HclSources
    request: Request
    origins: set[Span]
    calls: Mapping[str, Resource]
    planned: bool
    iterators: Mapping[str, Block]
    created: AbstractSet[tuple[str, str]]
    links: list[Span] = field(default_factory=list)
    objects: list[Span] = field(default_factory=list)
    expressions: list[Span] = field(default_factory=list)
    references: list[tuple[str, tuple[Span, ...]]] = field(default_factory=list)
    source: str = ""
    taken: list[str] = field(default_factory=list)  # the keys taken since the source

    @property
    def description(self) -> str:
        """Where the value is written, for the fix's description."""
        if not self.taken:
            return self.source
        keys = "".join(k if k.startswith("[") else f".{k}" for k in self.taken).lstrip(".")
        return f"{keys} in {self.source}" if self.source else keys


def _follow(scope: _Scope, attribute: Attribute, module: str, directory: str,
            keys: Sequence[Key] = ()) -> Site:
    """The site of the value ``attribute`` gives (its item at ``keys``, outermost first)."""
    first = attribute.span
    keys = list(keys)
    for _ in range(MAX_CHAIN):
        expr = attribute.expr
        if keys and keys[0] == ONLY and isinstance(expr, (TupleExpr, ObjectExpr)):
            if len(expr.items) != 1:
                raise NotFixable(f"the for_each of {scope.request.resources[0].address}'s "
                                 f"dynamic block ({where(attribute.span)}) has "
                                 f"{len(expr.items)} items; change the one it uses by hand")
            scope.objects.append(attribute.span)
            keys.pop(0)
            if isinstance(expr, TupleExpr):
                value = expr.items[0]
                attribute = Attribute(attribute.name, value, value.span, value.span)
                scope.taken.append("[0]")
            else:
                only = expr.items[0]
                attribute = Attribute(attribute.name, only.value, only.span, only.key.span)
                scope.taken.append(f"[{_key_text(only.key) or 0}]")
            continue
        wanted = keys[0] if keys else None
        if isinstance(wanted, str) and isinstance(expr, ObjectExpr):
            scope.objects.append(attribute.span)
            item = _object_item(expr, wanted)
            if item is None:
                return _object_insert(scope, attribute, expr, keys, first)
            keys.pop(0)
            attribute = Attribute(wanted, item.value, item.span, item.key.span)
            scope.taken.append(wanted)
            continue
        if (not keys and isinstance(expr, Literal)
                and isinstance(expr.value, (str, int, float, bool))):
            return Site(expr.span.file, "replace", expr.span, attribute.span,
                        links=tuple(s for s in (first, *scope.links) if s != attribute.span),
                        objects=tuple(scope.objects), expressions=tuple(scope.expressions),
                        references=tuple(scope.references), source=scope.description,
                        was_string=isinstance(expr.value, str),
                        payload=ReplaceAt(scope.sources.load(expr.span.file), expr,
                                          attribute.name))
        step = _reference(expr, scope.iterators)
        if step is None:
            raise NotFixable(_computed(attribute))
        if scope.planned:  # a plan's values carry no origins: a reference cannot be followed
            raise NotFixable(f"the values of {scope.request.resources[0].address} come from a "
                             "Terraform plan, which does not say where a referenced value is "
                             "set; fix it by hand")
        kind, target, more, spans = step
        keys[:0] = more
        scope.expressions.extend(spans)
        if kind == "for_each":  # the collection of a dynamic block, one item of it
            dynamic = scope.iterators[target]
            found = dynamic.body.attribute("for_each")
            assert found is not None
            attribute = found
            scope.source = (f"the for_each of the dynamic {dynamic.labels[0]} block "
                            f"({where(found.span)})")
            scope.taken = []
        elif kind == "local":
            attribute = _local(scope.sources, directory, target)
            scope.references.append((f"local.{target}", tuple(
                _references(scope, directory, module, ("local", target, keys)))))
            scope.source = f"local.{target} ({where(attribute.span)})"
            scope.taken = []
        else:
            scope.references.append((f"var.{target}" + (f" of {directory}" if directory else ""),
                                     tuple(_references(scope, directory, module,
                                                       ("var", target, keys)))))
            attribute, module, directory, scope.source = _variable(
                scope.sources, directory, module, target, scope.origins, scope.calls)
            scope.taken = []
        scope.links.append(attribute.span)
    raise NotFixable("the value passes through too many references to follow")


def _object_insert(scope: _Scope, attribute: Attribute, expr: ObjectExpr, keys: Sequence[Key],
                   first: Span) -> Site:
    """The site that adds the missing last key to an object literal. Only to an object that
    already has items: the key then changes that setting alone (an empty object may mean
    "no block at all" to the module that reads it), and only the key the request sets."""
    what = f"the object at {where(attribute.span)}"
    if len(keys) != 1 or keys[0] != scope.request.key or not isinstance(keys[0], str):
        raise NotFixable(f"{keys[0]} is not written in {what}; add it there by hand")
    if not expr.items or any(_key_text(item.key) is None for item in expr.items):
        raise NotFixable(f"{keys[0]} is not written in {what}, which is "
                         f"{'empty' if not expr.items else 'built with computed keys'}; add "
                         "it there by hand")
    return Site(attribute.span.file, "insert", expr.span, attribute.span,
                links=tuple(s for s in (first, *scope.links) if s != attribute.span),
                objects=tuple(scope.objects), expressions=tuple(scope.expressions),
                references=tuple(scope.references),
                source=scope.description or f"{attribute.name} ({where(attribute.span)})",
                payload=InsertInObject(scope.sources.load(attribute.span.file), attribute,
                                       keys[0]))


def _reference(expr: Any, iterators: Mapping[str, Block]
               ) -> tuple[str, str, list[Key], list[Span]] | None:
    """``(kind, name, keys, expressions)`` of an expression the chain can follow: ``var.NAME``
    / ``local.NAME`` with object keys after it, or a dynamic block's ``ITERATOR.value.key``:
    ``var``, the variable its ``for_each`` wraps (``[var.NAME]``), and the references in the
    for_each; else ``for_each``, the iterator, and ``ONLY`` first (the one item of the
    collection, when it has one). None for anything else."""
    if not isinstance(expr, Traversal) or not expr.steps:
        return None
    keys = _keys(expr.steps[1:])
    first = expr.steps[0]
    if keys is None or not isinstance(first, GetAttr):
        return None
    if expr.root in ("var", "local"):
        return expr.root, first.name, list[Key](keys), [expr.span]
    dynamic = iterators.get(expr.root)
    for_each = dynamic.body.attribute("for_each") if dynamic is not None else None
    if for_each is None or first.name != "value":
        return None
    wrapped = _wrapped_variable(for_each.expr)
    if wrapped is None:
        return "for_each", expr.root, [ONLY, *keys], []
    name, spans = wrapped
    return "var", name, list(keys), spans


def _keys(steps: Sequence[Any]) -> list[str] | None:
    """The object keys of traversal steps (``.a``, ``["a"]``), None if a step is not a key."""
    out: list[str] = []
    for step in steps:
        if isinstance(step, GetAttr):
            out.append(step.name)
        elif (isinstance(step, Index) and isinstance(step.key, Literal)
              and isinstance(step.key.value, str)):
            out.append(step.key.value)
        else:
            return None
    return out


def _wrapped_variable(expr: Any) -> tuple[str, list[Span]] | None:
    """``[var.NAME]``, or a conditional choosing between it and ``[]`` (on any condition that
    reads ``var.NAME`` only as a whole): the variable's name and every reference to it in the
    expression; None for any other for_each."""
    if isinstance(expr, TupleExpr) and len(expr.items) == 1:
        item = expr.items[0]
        if (isinstance(item, Traversal) and item.root == "var" and len(item.steps) == 1
                and isinstance(item.steps[0], GetAttr)):
            return item.steps[0].name, [item.span]
        return None
    if not isinstance(expr, Conditional):
        return None
    branches = [b for b in (expr.then, expr.otherwise)
                if not (isinstance(b, TupleExpr) and not b.items)]
    if len(branches) != 1:
        return None
    wrapped = _wrapped_variable(branches[0])
    if wrapped is None:
        return None
    name, spans = wrapped
    for node in _walk(expr.condition):
        if isinstance(node, Traversal) and node.root == "var" and node.steps and isinstance(
                node.steps[0], GetAttr) and node.steps[0].name == name:
            if len(node.steps) != 1:
                return None
            spans.append(node.span)
    return name, spans


def _object_item(expr: ObjectExpr, key: str) -> ObjectItem | None:
    """The item ``key`` of an object literal (None if absent, or if a computed key might be
    it)."""
    found = None
    for item in expr.items:
        written = _key_text(item.key)
        if written is None:
            return None
        if written == key:
            found = item
    return found


def _key_text(expr: Any) -> str | None:
    if isinstance(expr, Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, Template) and all(isinstance(p, str) for p in expr.parts):
        return "".join(p for p in expr.parts if isinstance(p, str))
    return None


def _iterator_name(block: Block) -> str:
    attribute = block.body.attribute("iterator")
    if attribute is not None and isinstance(attribute.expr, Traversal) and not attribute.expr.steps:
        return attribute.expr.root
    return block.labels[0]


def _computed(attribute: Attribute) -> str:
    text = getattr(attribute.expr, "text", "")
    what = f"`{text}`" if text and "\n" not in text and len(text) <= 80 else "an expression"
    reason = ("iaclint only rewrites a literal value or the literal a plain var. / local. "
              "reference leads to")
    if any(word in text for word in ("count.index", "each.")):
        reason = ("it differs between the count / for_each instances; set it per instance by "
                  "hand")
    elif ".value" in text or ".key" in text:
        reason = "it comes from a dynamic block's iterator; change the for_each value by hand"
    return f"{attribute.name} is computed by {what} ({where(attribute.span)}): {reason}"


def _local(sources: HclSources, directory: str, name: str) -> Attribute:
    for rel in sources.module_files(directory):
        for block in sources.load(rel).blocks_of("locals"):
            found = block.body.attribute(name)
            if found is not None:
                return found
    raise NotFixable(f"local.{name} is not defined in {directory or 'the root module'}")


def _variable(sources: HclSources, directory: str, module: str, name: str, origins: set[Span],
              calls: Mapping[str, Resource]) -> tuple[Attribute, str, str, str]:
    """The attribute that supplies ``var.NAME`` here, and the module and directory in which its
    expression is evaluated, with a description."""
    variable = _variable_block(sources, directory, name)
    default = variable.body.attribute("default")
    if module:
        call = calls.get(module)
        argument_span = call.spans.get((name,)) if call is not None else None
        if call is not None and argument_span is not None and argument_span in origins:
            argument = _argument(sources.load(call.file), argument_span)
            if argument is not None:
                return (argument, call.module, posixpath.dirname(call.file),
                        f"the argument {name} of {module} ({where(argument.span)})")
    elif default is None or default.span not in origins:
        for origin in sorted(origins):
            if origin.file.endswith(".tfvars"):
                assigned = sources.load(origin.file).full().body.attribute(name)
                if assigned is not None and assigned.span == origin:
                    return (assigned, module, directory,
                            f"var.{name} in {where(assigned.span)}")
            elif origin.file.endswith(".tfvars.json"):
                raise NotFixable(f"var.{name} is set in {origin.file}; iaclint rewrites .tfvars "
                                 "files, not .tfvars.json")
    if default is not None and default.span in origins:
        return (default, module, directory, f"the default of var.{name} ({where(default.span)})")
    raise NotFixable(f"var.{name} is set outside the scanned files (--var, TF_VAR_{name}, a "
                     "--var-file, or a module argument iaclint could not trace)")


def _variable_block(sources: HclSources, directory: str, name: str) -> Block:
    for rel in sources.module_files(directory):
        for block in sources.load(rel).blocks_of("variable"):
            if block.labels == (name,):
                return block
    raise NotFixable(f'variable "{name}" is not declared in {directory or "the root module"}')


def _argument(source: HclSource, span: Span) -> Attribute | None:
    for block in source.blocks_at(span.start_line):
        for attribute in block.body.attributes if block.type == "module" else ():
            if attribute.span == span:
                return attribute
    return None


# ---------------------------------------------------------------- references


def _references(scope: _Scope, directory: str, module: str,
                name: tuple[str, str, Sequence[Key]]) -> Iterator[Span]:
    """Every expression of the module in ``directory`` that may read the value at ``keys`` of
    ``root.name`` (``var.x.b`` does not read ``var.x.a``), except in resource and data blocks
    that create nothing in the module instance ``module``."""
    root, target, keys = name
    instance = _without_keys(module)
    for rel in scope.sources.module_files(directory):
        body = scope.sources.load(rel).full().body
        for block in body.blocks:
            if block.type in ("resource", "data") and len(block.labels) == 2:
                address = ".".join(block.labels)
                address = address if block.type == "resource" else f"data.{address}"
                if (instance, address) not in scope.created:
                    continue
            for expr in _expressions(Body(blocks=(block,))):
                if _reads(expr, root, target, keys):
                    yield expr.span


def _reads(expr: Any, root: str, name: str, keys: Sequence[Key]) -> bool:
    if not (isinstance(expr, Traversal) and expr.root == root and expr.steps
            and isinstance(expr.steps[0], GetAttr) and expr.steps[0].name == name):
        return False
    written: list[str] = []
    for step in expr.steps[1:]:
        more = _keys([step])
        if more is None:
            break  # an index by an expression may be any key
        written.extend(more)
    return all(mine in (ONLY, theirs) for mine, theirs in zip(keys, written, strict=False))


def _without_keys(module: str) -> str:
    """``module.a[0].module.b["x"]`` → ``module.a.module.b``."""
    return re.sub(r"\[[^\]]*\]", "", module)


def created_key(resource: Resource) -> tuple[str, str]:
    """(module path without instance keys, ``type.name`` / ``data.type.name``) of a resource:
    its block creates something in that module."""
    local = resource.address[len(resource.module) + 1:] if resource.module else resource.address
    return _without_keys(resource.module), re.sub(r"\[[^\]]*\]$", "", local)


def _expressions(body: Body) -> Iterator[Any]:
    for attribute in body.attributes:
        yield from _walk(attribute.expr)
    for block in body.blocks:
        yield from _expressions(block.body)


def _walk(node: Any) -> Iterator[Any]:
    if isinstance(node, (tuple, list)):
        for item in node:
            yield from _walk(item)
        return
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return
    if hasattr(node, "span"):
        yield node
    for item in dataclasses.fields(node):
        if item.name not in ("span", "text"):
            yield from _walk(getattr(node, item.name))


# ---------------------------------------------------------------- edits


def replace_edit(site: Site, value: Any) -> Edit:
    payload = site.payload
    assert isinstance(payload, ReplaceAt)
    text = payload.text
    start, end = text.span_offsets(payload.literal.span)
    return text.edit(start, end, values.hcl(values.same_type(value, site.was_string)))


def insert_edits(site: Site, settings: Mapping[str, Any]) -> list[Edit]:
    """The edits that add ``settings`` (in ``site.create`` blocks when given) to the block."""
    payload = site.payload
    if isinstance(payload, InsertInObject):
        return _object_edits(payload, settings)
    assert isinstance(payload, InsertAt)
    text, block, unit = payload.text, payload.block, payload.unit
    start, end = text.span_offsets(block.span)
    header_end = text.span_offsets(block.header)[1]
    opening = text.source.rfind("{", start, header_end)
    if opening < 0:
        opening = text.source.find("{", header_end, end)
    closing = end - 1
    if opening < 0 or text.source[closing] != "}":
        raise NotFixable(f"the braces of the block at {where(block.span)} were not found")
    outer = text.indentation(start)
    inner = _inner_indentation(text, block, outer, unit)
    newline = text.newline
    lines = _new_lines(site.create, settings, inner, unit)
    if text.line_of(opening) == text.line_of(closing):
        if text.source[opening + 1:closing].strip():
            raise NotFixable(f"the block at {where(block.span)} is written on one line; "
                             "iaclint does not reflow it")
        new = "{" + newline + newline.join(lines) + newline + outer + "}"
        return [text.edit(opening, closing + 1, new)]
    if not text.only_space_before(closing):
        raise NotFixable(f"the closing brace at {where(block.span)} shares its line with "
                         "other code; iaclint does not reflow it")
    if not site.create:
        attributes = sorted(block.body.attributes, key=lambda a: (a.span.start_line,
                                                                  a.span.start_col))
        if attributes:
            return _join_run(text, attributes, settings)
    position = text.line_start(closing)
    previous = text.source[text.line_start(max(position - 1, 0)):position].strip()
    blank = newline if site.create and previous and not previous.endswith("{") else ""
    return [text.edit(position, position, blank + newline.join(lines) + newline)]


def _object_edits(payload: InsertInObject, settings: Mapping[str, Any]) -> list[Edit]:
    """New items of an object literal: after its last item, aligned as ``terraform fmt``
    aligns a run of items (``{ a = 1 }`` on one line: ``{ a = 1, k = v }``)."""
    text, expr = payload.text, payload.attribute.expr
    assert isinstance(expr, ObjectExpr)
    assert expr.items
    items = [Attribute(str(_key_text(i.key)), i.value, i.span, i.key.span) for i in expr.items]
    start, end = text.span_offsets(expr.span)
    last = max(items, key=lambda a: (a.span.end_line, a.span.end_col))
    if text.line_of(start) == text.line_of(end - 1):
        position = text.offset(last.span.end_line, last.span.end_col)
        pairs = ", ".join(f"{k} = {values.hcl(v)}" for k, v in settings.items())
        return [text.edit(position, position, ", " + pairs)]
    closing = end - 1
    if (text.source[closing] != "}" or not text.only_space_before(closing)
            or text.line_of(text.offset(last.span.end_line, last.span.end_col))
            == text.line_of(closing)):
        raise NotFixable(f"the object at {where(expr.span)} closes on the line of its last "
                         "item; iaclint does not reflow it")
    return _join_run(text, items, settings)


def _first_item(block: Block) -> Span | None:
    spans = [*(a.span for a in block.body.attributes), *(b.span for b in block.body.blocks)]
    return min(spans, key=lambda s: (s.start_line, s.start_col)) if spans else None


def _inner_indentation(text: Text, block: Block, outer: str, unit: str) -> str:
    first = _first_item(block)
    if first is not None:
        offset = text.offset(first.start_line, first.start_col)
        if text.only_space_before(offset):
            return text.indentation(offset)
    return outer + unit


def _unit(text: Text, block: Block) -> str:
    first = _first_item(block)
    if first is None:
        return DEFAULT_UNIT
    offset = text.offset(first.start_line, first.start_col)
    outer = text.indentation(text.offset(block.span.start_line, block.span.start_col))
    inner = text.indentation(offset)
    if text.only_space_before(offset) and inner.startswith(outer) and len(inner) > len(outer):
        return inner[len(outer):]
    return DEFAULT_UNIT


def _new_lines(create: Sequence[str], settings: Mapping[str, Any], indent: str,
               unit: str) -> list[str]:
    lines: list[str] = []
    for depth, name in enumerate(create):
        lines.append(f"{indent}{unit * depth}{name} {{")
    inner = indent + unit * len(create)
    width = max(len(key) for key in settings)
    lines.extend(f"{inner}{key.ljust(width)} = {values.hcl(value)}"
                 for key, value in settings.items())
    for depth in range(len(create) - 1, -1, -1):
        lines.append(f"{indent}{unit * depth}}}")
    return lines


def _join_run(text: Text, attributes: Sequence[Attribute], settings: Mapping[str, Any]
              ) -> list[Edit]:
    """New attributes after the last one, in its run of one-line attributes: an aligned run
    (``=`` in one column, as ``terraform fmt`` writes it) stays aligned."""
    last = max(attributes, key=lambda a: (a.span.end_line, a.span.end_col))
    run = [last]
    for attribute in reversed([a for a in attributes if a is not last]):
        head = run[0]
        if (attribute.span.start_line == attribute.span.end_line == head.span.start_line - 1
                and head.span.start_line == head.span.end_line):
            run.insert(0, attribute)
        else:
            break
    indent = text.indentation(text.offset(last.span.start_line, last.span.start_col))
    position = text.next_line_start(text.offset(last.span.end_line, last.span.end_col))
    assert position is not None  # the block's closing brace follows
    if last.span.start_line != last.span.end_line:  # a multi-line value ends the run
        width = max(len(k) for k in settings)
        lines = [f"{indent}{key.ljust(width)} = {values.hcl(value)}"
                 for key, value in settings.items()]
        return [text.edit(position, position, text.newline.join(lines) + text.newline)]
    columns = {_equals_column(text, a) for a in run}
    widths = [len(a.name) for a in run]
    aligned = len(columns) == 1 and next(iter(columns)) == max(widths) + 1 and len(run) > 1
    aligned = aligned or (len(run) == 1 and next(iter(columns)) == len(last.name) + 1)
    edits: list[Edit] = []
    width = max([*widths, *(len(k) for k in settings)]) if aligned else 0
    if aligned:
        for attribute in run:
            name_end = text.offset(attribute.name_span.end_line, attribute.name_span.end_col)
            equals = text.source.find("=", name_end)
            if equals - name_end != width - len(attribute.name) + 1:
                edits.append(text.edit(name_end, equals, " " * (width - len(attribute.name) + 1)))
    lines = [f"{indent}{key.ljust(width)} = {values.hcl(value)}"
             for key, value in settings.items()]
    edits.append(text.edit(position, position, text.newline.join(lines) + text.newline))
    return edits


def _equals_column(text: Text, attribute: Attribute) -> int:
    """How far ``=`` stands from the start of the name (``name = x`` → len(name) + 1)."""
    start = text.offset(attribute.name_span.start_line, attribute.name_span.start_col)
    return text.source.find("=", start) - start


# ---------------------------------------------------------------- verification


def verify(source: HclSource, edits: Sequence[Edit], allowed: set[str]) -> str | None:
    """None when the edited file parses and differs from the original only in attributes and
    blocks named in ``allowed``; else what is wrong. Edits inside a top-level block are checked
    by parsing that block alone (a fix touches a few blocks of a possibly long file), and first
    by parsing less (``_inner_blocks_keep``: the ``metadata_options`` block whose value is
    replaced, not the whole launch template; a new block, not the instance it is added to); edits
    outside every block (a tfvars assignment) by parsing the whole file."""
    text = source.text
    replacements = [text.replacement(e) for e in edits]
    groups: dict[tuple[int, int], tuple[Block, list[Replacement]]] = {}
    outside: list[Replacement] = []
    for item in replacements:
        line = text.position(item.start)[0]
        container = None
        for block in source.blocks_at(line):
            start, end = text.span_offsets(block.span)
            if start <= item.start and item.end <= end:
                container = (start, end, block)
        if container is None:
            outside.append(item)
            continue
        start, end, block = container
        groups.setdefault((start, end), (block, []))[1].append(item)
    if outside:
        return _verify_text(source.rel, text.source, apply(text.source, replacements), allowed)
    edited = sorted(groups.items())
    if _inner_blocks_keep(text, edited, allowed):
        return None
    return _verify_blocks(source.rel, text, edited, allowed)


_Edited = Sequence[tuple[tuple[int, int], tuple[Block, list[Replacement]]]]


def _verify_blocks(rel: str, text: Text, edited: _Edited, allowed: set[str]) -> str | None:
    """``verify`` of edits inside the top-level blocks ``edited`` ((start, end) offsets → the
    block and its replacements, in order): the edited blocks parsed again and compared by
    value."""
    blocks: list[Block] = []
    pieces: list[str] = []
    for (start, end), (block, items) in edited:
        shifted = [Replacement(i.start - start, i.end - start, i.new) for i in items]
        blocks.append(block)
        pieces.append(apply(text.source[start:end], shifted))
    fixed = parse_hcl(rel, "\n\n".join(pieces).encode("utf-8"), values_only=True)
    if fixed.problems:
        return f"{fixed.problems[0].message} (in an edited block)"
    if [(b.type, b.labels) for b in fixed.body.blocks] != [(b.type, b.labels) for b in blocks] \
            or fixed.body.attributes:
        return "an edited block would not stay one block"
    return _compare(_flatten(Body(blocks=tuple(blocks))), _flatten(fixed.body), allowed)


def _inner_blocks_keep(text: Text, edited: _Edited, allowed: set[str]) -> bool:
    """True when ``_verify_blocks`` would find nothing wrong, judged from less text (False:
    unsure, the full check decides and words the problem). Each edited top-level block is
    judged by one of:

    * lines inserted in a blank gap between the items of its body (``_between_items``: a new
      ``metadata_options`` block): the new lines parsed alone, inside a stand-in block, and
      spliced among the old items, whose values are unchanged;
    * otherwise the innermost block whose braces enclose all its edits, parsed alone: an
      edited block that parses into one block of the same type and labels stands in its
      parent's body as the old one did (the text around it is unchanged, and it begins with
      the same header and ends with the same brace).

    Either way the flattened keys are the paths the whole comparison gives them (the prefix
    of the parents, with each block's index among its namesakes), and every other path is the
    same before and after."""
    probes: list[tuple[Block, tuple[str, ...], int | None]] = []  # insertion offset or None
    pieces: list[str] = []
    expected: list[tuple[str, tuple[str, ...]]] = []
    seen: dict[tuple[str, ...], int] = {}
    for (start, end), (block, items) in edited:
        key = (block.type, *block.labels)
        index = seen.get(key, 0)
        seen[key] = index + 1
        prefix = (*key, f"#{index}")
        if len(items) == 1 and _between_items(text, block, end, items[0]):
            probes.append((block, prefix, items[0].start))
            pieces.append(f"{_STAND_IN} {{\n{items[0].new}}}")
            expected.append((_STAND_IN, ()))
            continue
        low, high = min(i.start for i in items), max(i.end for i in items)
        block, prefix, start, end = _innermost(text, block, prefix, start, end, low, high)
        shifted = [Replacement(i.start - start, i.end - start, i.new) for i in items]
        probes.append((block, prefix, None))
        pieces.append(apply(text.source[start:end], shifted))
        expected.append((block.type, block.labels))
    fixed = parse_hcl("", "\n\n".join(pieces).encode("utf-8"), values_only=True)
    if fixed.problems or fixed.body.attributes or [
            (b.type, b.labels) for b in fixed.body.blocks] != expected:
        return False
    for (old, prefix, at), new in zip(probes, fixed.body.blocks, strict=True):
        after = new.body if at is None else _spliced(text, old.body, new.body, at)
        if _compare(_flatten(old.body, prefix), _flatten(after, prefix), allowed) is not None:
            return False
    return True


_STAND_IN = "inserted"  # the block type that holds inserted lines parsed alone


def _between_items(text: Text, block: Block, end: int, item: Replacement) -> bool:
    """Whether ``item`` inserts whole lines (at a line start, ending with a line break) into
    a gap of only blanks between the items of ``block``'s body (or its braces), whose offsets
    end at ``end``: such lines parse in the body as they parse alone."""
    source, at = text.source, item.start
    if item.end != at or not item.new.endswith("\n") or source[at - 1:at] != "\n":
        return False
    before = text.span_offsets(block.header)[1]
    after = end - 1
    if source[before - 1:before] != "{" or source[after] != "}" or not before <= at <= after:
        return False
    spans = [*(a.span for a in block.body.attributes), *(b.span for b in block.body.blocks)]
    for span in spans:
        member_start, member_end = text.span_offsets(span)
        if member_end <= at:
            before = max(before, member_end)
        elif member_start >= at:
            after = min(after, member_start)
        else:
            return False
    return not source[before:after].strip(" \t\r\n")


def _spliced(text: Text, old: Body, new: Body, at: int) -> Body:
    """``old`` with the items of ``new`` among its own at offset ``at``, in source order."""
    def first(member: Attribute | Block) -> bool:
        return text.span_offsets(member.span)[0] < at

    return Body((*(a for a in old.attributes if first(a)), *new.attributes,
                 *(a for a in old.attributes if not first(a))),
                (*(b for b in old.blocks if first(b)), *new.blocks,
                 *(b for b in old.blocks if not first(b))))


def _innermost(text: Text, block: Block, prefix: tuple[str, ...], start: int, end: int,
               low: int, high: int) -> tuple[Block, tuple[str, ...], int, int]:
    """The innermost block at or below ``block`` (whose flattened prefix is ``prefix`` and
    offsets ``start``-``end``) with offsets ``low``-``high`` between its braces, its prefix and
    offsets."""
    source = text.source
    while True:
        seen: dict[tuple[str, ...], int] = {}
        for child in block.body.blocks:
            key = (child.type, *child.labels)
            index = seen.get(key, 0)
            seen[key] = index + 1
            child_start, child_end = text.span_offsets(child.span)
            opening = text.span_offsets(child.header)[1]
            if (child_start < opening <= low and high < child_end
                    and source[opening - 1] == "{" and source[child_end - 1] == "}"):
                block, prefix = child, (*prefix, *key, f"#{index}")
                start, end = child_start, child_end
                break
        else:
            return block, prefix, start, end


def _verify_text(rel: str, before: str, after: str, allowed: set[str]) -> str | None:
    parse = parse_tf_json if rel.endswith(".json") else parse_hcl
    fixed = parse(rel, after.encode("utf-8"))
    if fixed.problems:
        problem = fixed.problems[0]
        return f"line {problem.span.start_line}: {problem.message}"
    return _compare(_flatten(parse(rel, before.encode("utf-8")).body), _flatten(fixed.body),
                    allowed)


def _flatten(body: Body, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], object]:
    out: dict[tuple[str, ...], object] = {}
    for attribute in body.attributes:
        out.update(_flatten_value(attribute.expr, (*prefix, attribute.name)))
    seen: dict[tuple[str, ...], int] = {}
    for block in body.blocks:
        key = (block.type, *block.labels)
        index = seen.get(key, 0)
        seen[key] = index + 1
        out.update(_flatten(block.body, (*prefix, *key, f"#{index}")))
    return out


def _flatten_value(expr: Any, key: tuple[str, ...]) -> dict[tuple[str, ...], object]:
    """An attribute's value; an object literal with written keys item by item (a fix that sets
    one key of a module argument changes that key only)."""
    out: dict[tuple[str, ...], object] = {}
    if isinstance(expr, ObjectExpr) and expr.items:
        names = [_key_text(item.key) for item in expr.items]
        if None not in names and len(set(names)) == len(names):
            for name, item in zip(names, expr.items, strict=True):
                assert name is not None
                out.update(_flatten_value(item.value, (*key, name)))
            return out
    if isinstance(expr, TupleExpr) and expr.items:
        for index, value in enumerate(expr.items):
            out.update(_flatten_value(value, (*key, f"#{index}")))
        return out
    return {key: expr.value if isinstance(expr, Literal) else getattr(expr, "text", "")}


def _compare(old: Mapping[tuple[str, ...], object], new: Mapping[tuple[str, ...], object],
             allowed: set[str]) -> str | None:
    for path in old:
        if path not in new:
            return f"{'.'.join(path)} would disappear"
    for path, value in new.items():
        if (path not in old or old[path] != value) and not allowed.intersection(path):
            return f"{'.'.join(path)} would change"
    return None
