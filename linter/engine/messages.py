"""Rule message templates: ``"{address} lets any process read … (hop limit {value} > {max})"``.

Placeholders are plain names in braces (``{{`` and ``}}`` are literal braces); no positional
fields, attribute access, indexing, conversions or format specs — a template is text, not code.

Always available: ``address``, ``type``, ``file``, ``path`` (the rule's path of the finding),
``value`` (the value found there, ``not set`` when absent), ``expected``, ``max``, ``min`` (the
argument of the operator that decided), plus the names of options the rule references and the
details a predicate reports (declared in its schema as ``"x-details": [...]``).
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from typing import Any

from linter.model import Unknown

BASE_PLACEHOLDERS = frozenset(
    {"address", "type", "file", "path", "value", "expected", "max", "min"}
)
QUOTED = frozenset({"value", "expected"})  # configuration values: shown as literals ("optional")
_MAX_VALUE_CHARS = 80


def placeholders(template: str) -> list[str]:
    """The placeholder names of ``template``; ValueError for anything but plain ``{name}``."""
    names: list[str] = []
    for _literal, field, spec, conversion in string.Formatter().parse(template):
        if field is None:
            continue
        if not field.isidentifier():
            raise ValueError(
                f"placeholder {{{field}}} is not a plain name"
                if field else "empty placeholder {} (write {{ and }} for literal braces)"
            )
        if spec or conversion:
            raise ValueError(f"placeholder {{{field}}} may not have a format spec or conversion")
        names.append(field)
    return names


def format_value(value: Any) -> str:
    """A value as it appears in a message: strings quoted, null as ``not set``."""
    if value is None:
        return "not set"
    if isinstance(value, Unknown):
        return value.expression
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = json.dumps(_plain(value), ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 1] + "…"


def _plain(value: Any) -> Any:
    if isinstance(value, Unknown):
        return f"${{{value.expression}}}"
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _format_detail(name: str, value: Any) -> str:
    if name in QUOTED:
        return format_value(value)
    if isinstance(value, str):
        return value
    return format_value(value)


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill ``template``; a placeholder without a value renders as ``(unknown)``."""
    out: list[str] = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if field is not None:
            out.append(_format_detail(field, values[field]) if field in values else "(unknown)")
    return "".join(out)
