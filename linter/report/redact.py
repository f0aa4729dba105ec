"""Keeping secrets out of every report.

A finding that quotes a secret (a hard-coded access key, a password) lists the secret strings in
``properties["redact"]``. Every format collects the secrets of the whole result (a code frame of one
finding can show another finding's secret) and passes each string it emits through ``redact``:
a secret becomes its first four characters and an ellipsis (``AKIA…``); a secret shorter than
eight characters is hidden entirely (``…``), since four characters would be most of it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from linter.model import Finding

ELLIPSIS = "…"
SHOWN_PREFIX = 4
MIN_LENGTH_WITH_PREFIX = 8


def masked(secret: str) -> str:
    """What a secret is replaced by."""
    if len(secret) < MIN_LENGTH_WITH_PREFIX:
        return ELLIPSIS
    return secret[:SHOWN_PREFIX] + ELLIPSIS


def secrets_of(findings: Iterable[Finding]) -> tuple[str, ...]:
    """Every string listed under ``properties["redact"]`` by any finding, longest first."""
    found: set[str] = set()
    for finding in findings:
        value = finding.properties.get("redact")
        if isinstance(value, str):
            value = [value]
        if isinstance(value, (list, tuple, set, frozenset)):
            found.update(item for item in value if isinstance(item, str) and item)
    return tuple(sorted(found, key=lambda s: (-len(s), s)))


@functools.lru_cache(maxsize=64)
def _compiled(secrets: frozenset[str]) -> re.Pattern[str] | None:
    ordered = sorted({s for s in secrets if s}, key=lambda s: (-len(s), s))
    if not ordered:
        return None
    return re.compile("|".join(re.escape(s) for s in ordered))


def _pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    return _compiled(frozenset(secrets))


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of every secret masked (one pass, longest secret wins)."""
    pattern = _pattern(secrets)
    if pattern is None or not text:
        return text
    return pattern.sub(lambda m: masked(m.group(0)), text)


def redact_mapped(text: str, secrets: Iterable[str]) -> tuple[str, list[int]]:
    """Like ``redact``, plus where each original index (0..len) lands in the redacted text.

    A code frame underlines a span given in the original columns; the map moves the underline
    onto the shortened line (an index inside a secret maps to the start of its mask).
    """
    pattern = _pattern(secrets)
    if pattern is None:
        return text, list(range(len(text) + 1))
    out: list[str] = []
    index_map: list[int] = []
    position = 0
    new_length = 0
    for match in pattern.finditer(text):
        for _ in range(position, match.start()):
            index_map.append(new_length)
            new_length += 1
        out.append(text[position:match.start()])
        mask = masked(match.group(0))
        index_map.extend([new_length] * (match.end() - match.start()))
        out.append(mask)
        new_length += len(mask)
        position = match.end()
    for _ in range(position, len(text)):
        index_map.append(new_length)
        new_length += 1
    out.append(text[position:])
    index_map.append(new_length)
    return "".join(out), index_map


def redact_tree(value: Any, secrets: Iterable[str]) -> Any:
    """A JSON-like tree with every string (keys included) redacted."""
    secrets = tuple(secrets)
    if not secrets:
        return value
    return _redact_tree(value, secrets)


def _redact_tree(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, Mapping):
        return {_redact_tree(k, secrets): _redact_tree(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_tree(v, secrets) for v in value]
    return value
