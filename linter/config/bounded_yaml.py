"""Loading YAML with aliases bounded: an alias bomb is refused before it is expanded.

PyYAML's composer shares the node of an anchor between its aliases, so the node graph of a
"billion laughs" document is small; anything that later walks the loaded value (a schema
validator, a conversion, JSON encoding) expands it. ``load_bounded`` composes the document
(libyaml when available), counts the nodes the value would have with every alias expanded —
memoized per node, so the count costs the size of the graph, not of the expansion — and refuses
a document past ``max_nodes`` (or one that refers to itself) before constructing anything.
Construction uses the safe constructor only.
"""

from __future__ import annotations

from typing import Any

import yaml

_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlTooLarge(ValueError):
    """The document expands (aliases included) past the node limit, or is recursive."""


def expanded_nodes(root: yaml.Node, limit: int) -> int:
    """Nodes of ``root`` with aliases expanded; stops counting a little past ``limit``."""
    sizes: dict[int, int] = {}
    busy: set[int] = set()
    # iterative post-order walk: (node, children counted?)
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            busy.discard(key)
            total = 1
            for child in _children(node):
                total += sizes[id(child)]
                if total > limit:
                    total = limit + 1
                    break
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in busy:
            raise YamlTooLarge("the document refers to itself (a recursive alias)")
        busy.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in busy:
                raise YamlTooLarge("the document refers to itself (a recursive alias)")
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_bounded(text: str, max_nodes: int) -> Any:
    """The value of the YAML document ``text`` (None when empty); ``YamlTooLarge`` past
    ``max_nodes`` nodes; ``yaml.YAMLError`` on a syntax error (or, with ``single``, on more
    than one document)."""
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        count = expanded_nodes(node, max_nodes)
        if count > max_nodes:
            raise YamlTooLarge(f"aliases expand the document to more than {max_nodes} nodes "
                               "(an alias bomb?)")
        return loader.construct_document(node)
    finally:
        loader.dispose()
