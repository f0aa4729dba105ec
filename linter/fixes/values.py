"""A scalar written as HCL, YAML or JSON (the only values an autofix sets)."""

from __future__ import annotations

import functools
import json
from typing import Any

_YAML_STR = "tag:yaml.org,2002:str"


def hcl(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = json.dumps(str(value), ensure_ascii=False)
    return text.replace("${", "$${").replace("%{", "%%{")


def same_type(value: Any, was_string: bool) -> Any:
    """A number written where the file had a quoted string stays a string (``"3"`` → ``"1"``):
    the smallest change, and what the file's author chose."""
    if was_string and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def json_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def yaml_plain_ok(text: str) -> bool:
    """Whether ``text`` written plain reads back as that same string."""
    if not text or text != text.strip() or any(c in text for c in ":#{}[],&*!|>'\"%@`\n\t"):
        return False
    if text[0] in "-?":
        return False
    import yaml  # lazy: a Terraform-only run never writes YAML

    resolved = _resolver().resolve(
        yaml.ScalarNode, text, (True, False))
    return bool(resolved == _YAML_STR)


@functools.cache
def _resolver() -> Any:
    import yaml

    return yaml.resolver.Resolver()


def yaml_value(value: Any, style: str = "") -> str:
    """``value`` as a YAML scalar; ``style`` is the replaced scalar's (``'``, ``"`` or plain)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    if style == "'" and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    if style == '"' or not yaml_plain_ok(text):
        return json.dumps(text, ensure_ascii=False)
    return text
