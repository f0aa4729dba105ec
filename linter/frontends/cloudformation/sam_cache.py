"""SAM expansions remembered between runs.

Importing the SAM translator costs about 0.4 s of CPU (it imports boto3, botocore and pydantic
models of every SAM resource): more than scanning a hundred plain templates, and paid again by
every run of a repository that holds one SAM template. The expansion of a template is a pure
function of the decoded template (its values and marks), the parameter values given, the
translator's version and this code, so it is kept in the cache directory
(``linter.discover.cache_files``: ``IACLINT_CACHE_DIR``, off with ``IACLINT_NO_CACHE=1``) under
the SHA-256 of all of those, as JSON: a later run with the same inputs reads it instead of
importing the translator. A rejection (``SamError``) is kept the same way.

Nodes keep their type and marks through the cache: a ``MarkedDict``/``MarkedList``/``MarkedStr``
comes back as one with the same line and column marks, a plain dict, list or string as a plain
one, a date as a date. A template holding anything else (bytes, nodes of cfn-lint's decoder) is
expanded and not cached. An entry is checked before use (its key, a checksum over its content, its
shape); anything wrong and the template is expanded again.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import pathlib
from collections.abc import Mapping
from typing import Any

from linter import __version__
from linter.discover import cache_files
from linter.frontends.cloudformation import sam
from linter.frontends.cloudformation.marked_yaml import Mark, MarkedDict, MarkedList, MarkedStr
from linter.frontends.cloudformation.sam import SamError, SamExpansion, expand_sam

_CACHE_NAME = "sam-expansions"
_MAX_ENTRY_BYTES = 64 * 1024 * 1024
_ENTRY_KEYS = frozenset({"key", "expansion", "error", "check"})


class _NotCacheable(Exception):
    """The tree holds a value the cache does not keep exactly."""


def enabled() -> bool:
    """Whether expansions are read from (and written to) the cache in this run."""
    return cache_files.cache_dir(_CACHE_NAME) is not None


def expand_sam_cached(template: Mapping[str, Any], parameter_values: Mapping[str, str]
                      ) -> SamExpansion:
    """``expand_sam(template, parameter_values)``, read from the cache when an earlier run
    expanded the same template with the same values."""
    directory = cache_files.cache_dir(_CACHE_NAME)
    if directory is None:
        return expand_sam(template, parameter_values)
    try:
        key = _key(template, parameter_values)
    except (_NotCacheable, RecursionError):
        return expand_sam(template, parameter_values)
    remembered = _read(directory, key)
    if remembered is not None:
        if isinstance(remembered, str):
            raise SamError(remembered)
        return remembered
    try:
        expansion = expand_sam(template, parameter_values)
    except SamError as err:
        _write(directory, key, None, str(err))
        raise
    try:
        encoded = {"template": encode(expansion.template),
                   "source_of": dict(expansion.source_of),
                   "rejected": dict(expansion.rejected)}
    except (_NotCacheable, RecursionError):
        return expansion
    _write(directory, key, encoded, None)
    return expansion


@functools.cache
def _code_digest() -> str:
    """What else the expansion depends on: iaclint's and the translator's versions and the
    source of the expansion code (a change to it during development changes the key)."""
    import samtranslator  # its package only: the version, not the translator

    parts = [__version__, str(getattr(samtranslator, "__version__", "?"))]
    for source in (sam.__file__, __file__):
        try:
            parts.append(hashlib.sha256(pathlib.Path(str(source)).read_bytes()).hexdigest())
        except OSError:
            parts.append("?")
    return "\0".join(parts)


def _key(template: Mapping[str, Any], parameter_values: Mapping[str, str]) -> str:
    inputs = [_code_digest(), encode(dict(template)),
              sorted((str(k), str(v)) for k, v in parameter_values.items())]
    text = json.dumps(inputs, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _checksum(key: str, expansion: Any, error: Any) -> str:
    text = json.dumps([key, expansion, error], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write(directory: pathlib.Path, key: str, expansion: Any, error: str | None) -> None:
    entry = {"key": key, "expansion": expansion, "error": error,
             "check": _checksum(key, expansion, error)}
    cache_files.write_entry(directory, f"{key}.json",
                            json.dumps(entry, separators=(",", ":"), ensure_ascii=False))


def _read(directory: pathlib.Path, key: str) -> SamExpansion | str | None:
    """The remembered expansion, or the remembered rejection's message; None when there is no
    entry or it does not check out."""
    entry = cache_files.read_entry(directory, f"{key}.json", _MAX_ENTRY_BYTES)
    if entry is None or set(entry) != _ENTRY_KEYS or entry["key"] != key:
        return None
    expansion, error = entry["expansion"], entry["error"]
    try:
        if entry["check"] != _checksum(key, expansion, error):
            return None
    except (TypeError, ValueError):
        return None
    if isinstance(error, str) and expansion is None:
        return error
    try:
        template = decode(expansion["template"])
        source_of, rejected = expansion["source_of"], expansion["rejected"]
        if not (isinstance(template, dict) and _strings(source_of) and _strings(rejected)):
            return None
        return SamExpansion(template, source_of, rejected)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError):
        return None


def _strings(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items())


# ---------------------------------------------------------------- nodes ↔ JSON


def encode(node: Any) -> Any:
    """A JSON value that ``decode`` turns back into ``node``: scalars as they are, a string as
    itself or ``{"s": …, "m": marks}``, a mapping as ``{"d": [[key, value], …]}`` and a list
    as ``{"l": […]}`` (with ``"m"`` for marked nodes), a YAML date or timestamp as ``{"date": …}``
    / ``{"datetime": …}``. The translator's own dict and string subclasses (``Py27Dict``,
    ``Py27UniStr``, ``Py27LongInt``; a dict kept in the order it iterates) come back as plain
    ones. ``_NotCacheable``
    for anything else."""
    kind = type(node)
    if kind is str or kind is bool or kind is int or node is None:
        return node
    if kind is float:
        if node != node or node in (float("inf"), float("-inf")):
            raise _NotCacheable("a float JSON cannot hold")
        return node
    if kind is MarkedStr:
        return {"s": str(node), "m": _marks(node)}
    if kind is MarkedDict:
        return {"d": [[encode(k), encode(v)] for k, v in node.items()], "m": _marks(node)}
    if kind is MarkedList:
        return {"l": [encode(item) for item in node], "m": _marks(node)}
    if kind is datetime.date:
        return {"date": node.isoformat()}
    if kind is datetime.datetime:
        return {"datetime": node.isoformat()}
    if isinstance(node, dict) and not hasattr(node, "start_mark"):
        return {"d": [[encode(k), encode(v)] for k, v in node.items()]}
    if isinstance(node, list) and not hasattr(node, "start_mark"):
        return {"l": [encode(item) for item in node]}
    if isinstance(node, str) and not hasattr(node, "start_mark"):
        return str(node)
    if isinstance(node, int) and not isinstance(node, bool):  # Py27LongInt
        return int(node)
    raise _NotCacheable(kind.__name__)


def decode(value: Any) -> Any:
    """The node ``encode`` made ``value`` of (``ValueError`` for anything else)."""
    kind = type(value)
    if kind is str or kind is bool or kind is int or kind is float or value is None:
        return value
    if kind is not dict:
        raise ValueError("not an encoded node")
    if "date" in value:
        return datetime.date.fromisoformat(_checked_string(value["date"]))
    if "datetime" in value:
        return datetime.datetime.fromisoformat(_checked_string(value["datetime"]))
    if "s" in value:
        node: Any = MarkedStr(_checked_string(value["s"]))
    elif "d" in value:
        node = MarkedDict() if "m" in value else {}
        for key, item in value["d"]:
            node[decode(key)] = decode(item)
    elif "l" in value:
        node = MarkedList() if "m" in value else []
        node.extend(decode(item) for item in value["l"])
    else:
        raise ValueError("not an encoded node")
    if "m" in value:
        start_line, start_column, end_line, end_column = (int(n) for n in value["m"])
        node.start_mark = Mark(start_line, start_column)
        node.end_mark = Mark(end_line, end_column)
    return node


def _checked_string(value: Any) -> str:
    if type(value) is not str:
        raise ValueError("not a string")
    return value


def _marks(node: Any) -> list[int]:
    start, end = getattr(node, "start_mark", None), getattr(node, "end_mark", None)
    try:
        out = [start.line, start.column, end.line, end.column]  # type: ignore[union-attr]
    except AttributeError as err:
        raise _NotCacheable("a node without marks") from err
    if not all(type(n) is int for n in out):
        raise _NotCacheable("marks that are not numbers")
    return out
