"""AWS managed policies: recognising their ARNs and judging them by their shipped documents."""

from __future__ import annotations

import functools
import json
from typing import Any

from linter.model import Unknown
from linter.records import record
from linter.regex import lazy

# arn:<partition>:iam::aws:policy/<path/>Name — any partition (aws, aws-cn, aws-us-gov, aws-iso…)
_ARN = lazy(r"^arn:[a-z0-9-]+:iam::aws:policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")
# the same inside an expression we could not evaluate (a !Sub with ${AWS::Partition}, a !Join,
# "arn:${data.aws_partition.current.partition}:iam::aws:policy/…")
_IN_EXPRESSION = lazy(r":iam::aws:policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)")


@record
class ManagedPolicy:
    name: str
    path: str
    version: str
    updated: str
    why: str
    document: dict[str, Any]

    def arn(self, partition: str = "aws") -> str:
        return f"arn:{partition}:iam::aws:policy{self.path}{self.name}"


@functools.cache
def _data() -> dict[str, Any]:
    from importlib import resources  # lazy: only a scan that names a managed policy reads it

    text = resources.files("linter.iam").joinpath("data/aws_managed_policies.json").read_text(
        encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@functools.cache
def _catalogue() -> tuple[str, dict[str, ManagedPolicy]]:
    data = _data()
    policies = {
        name: ManagedPolicy(name, entry["path"], entry["version"], entry["updated"],
                            entry.get("why", ""), entry["document"])
        for name, entry in data["policies"].items()
    }
    return str(data["retrieved"]), policies


def data_file_date() -> str:
    return _catalogue()[0]


def aws_managed_name(value: Any) -> str | None:
    """The policy name when ``value`` is an AWS managed policy ARN (or an Unknown whose
    expression spells one, e.g. ``!Sub arn:${AWS::Partition}:iam::aws:policy/X``)."""
    if isinstance(value, str):
        match = _ARN.match(value.strip())
        return match.group(1) if match else None
    if isinstance(value, Unknown):
        found = _IN_EXPRESSION.search(value.expression)
        return found.group(1) if found else None
    return None


def lookup(name: str) -> ManagedPolicy | None:
    """The shipped document of the AWS managed policy ``name`` (None when not shipped)."""
    return _catalogue()[1].get(name)


def is_view_only(name: str) -> bool:
    """Whether the AWS managed policy ``name`` grants only List and Read access (ReadOnlyAccess,
    ViewOnlyAccess, SecurityAudit …): its holder is neither administrator nor able to escalate,
    although iaclint does not ship its document."""
    return name in frozenset(_data().get("view_only", ()))


def known_names() -> tuple[str, ...]:
    return tuple(sorted(_catalogue()[1]))
