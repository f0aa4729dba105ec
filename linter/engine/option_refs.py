"""Values of ``{option: NAME}`` operator arguments, resolved per resource.

``NAME`` is a scalar field of ``ScanOptions`` (``max_hop_limit``) or one of the rule's own
``options`` (its default value). ``max_hop_limit`` honours ``hop_limit_exceptions``: the first
exception (in configuration order) whose selectors all match the resource gives the maximum.

Selectors of one exception are AND-ed; an exception with no selector matches nothing.
* ``types``: native resource types, fnmatch patterns (``aws_eks_node_group``, ``AWS::EKS::*``);
* ``addresses``: fnmatch patterns on the resource address (``module.eks.*``);
* ``tags``: key → value (``"*"`` = any value) that must all be present on the resource
  (Terraform ``tags``, ``tag`` blocks and launch-template ``tag_specifications``;
  CloudFormation ``Tags`` lists or maps, launch-template ``TagSpecifications``).
A tag whose value is not known makes the maximum unknown (so the verdict is UNKNOWN, not a guess).
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Iterator, Mapping
from typing import Any

from linter.engine.outcome import RuleContext, Tri
from linter.model import Format, Resource, Unknown, is_unknown, parse_path, resolve
from linter.options import HopLimitException, ScanOptions

_TAG_PATHS = {
    Format.TERRAFORM: ("tags", "tag_specifications.tags", "tag"),
    Format.CLOUDFORMATION: (
        "Properties.Tags",
        "Properties.TagSpecifications.Tags",
        "Properties.LaunchTemplateData.TagSpecifications.Tags",
    ),
}


def scan_option_names() -> dict[str, type]:
    """Scalar ScanOptions fields an operator may reference, with the type of their default."""
    defaults = ScanOptions()
    out: dict[str, type] = {}
    for f in dataclasses.fields(ScanOptions):
        value = getattr(defaults, f.name)
        if isinstance(value, (bool, int, float, str)):
            out[f.name] = type(value)
    return out


def option_value(name: str, ctx: RuleContext, rule_options: Mapping[str, Any]) -> Any:
    """The value of option ``name`` for ``ctx.resource`` (an ``Unknown`` when undecidable)."""
    if name == "max_hop_limit":
        return max_hop_limit(ctx.resource, ctx.options)
    if name in scan_option_names():
        return getattr(ctx.options, name)
    return rule_options[name]


def max_hop_limit(resource: Resource, options: ScanOptions) -> int | Unknown:
    for exception in options.hop_limit_exceptions:
        verdict = exception_matches(exception, resource)
        if verdict is Tri.TRUE:
            return exception.max
        if verdict is Tri.UNKNOWN:
            return Unknown(
                expression="hop_limit_exceptions",
                reason="a tag that selects a hop-limit exception is not known",
                span=resource.header,
            )
    return options.max_hop_limit


def exception_matches(exception: HopLimitException, resource: Resource) -> Tri:
    if not (exception.types or exception.addresses or exception.tags):
        return Tri.FALSE
    if exception.types and not any(
        fnmatch.fnmatchcase(resource.type, pattern) for pattern in exception.types
    ):
        return Tri.FALSE
    if exception.addresses and not any(
        fnmatch.fnmatchcase(resource.address, pattern) for pattern in exception.addresses
    ):
        return Tri.FALSE
    if not exception.tags:
        return Tri.TRUE
    tags = resource_tags(resource)
    verdict = Tri.TRUE
    for key, wanted in exception.tags.items():
        if key not in tags:
            if "*unknown*" in tags:
                verdict = Tri.UNKNOWN
                continue
            return Tri.FALSE
        value = tags[key]
        if is_unknown(value):
            verdict = Tri.UNKNOWN
        elif wanted != "*" and str(value) != wanted:
            return Tri.FALSE
    return verdict


def resource_tags(resource: Resource) -> dict[str, Any]:
    """Tags a resource sets (or sets on what it launches). A whole tag map that is unknown is
    recorded under the key ``*unknown*`` (any selector tag might be in it)."""
    tags: dict[str, Any] = {}
    for text in _TAG_PATHS.get(resource.format, ()):
        for match in resolve(resource.attributes, parse_path(text)):
            for key, value in _tag_pairs(match.value):
                tags[key] = value
    return tags


def _tag_pairs(node: Any) -> Iterator[tuple[str, Any]]:
    if is_unknown(node):
        yield "*unknown*", node
    elif isinstance(node, dict):
        lowered = {k.lower(): v for k, v in node.items() if isinstance(k, str)}
        if "key" in lowered and "value" in lowered:  # {Key: k, Value: v} / tag { key, value }
            key = lowered["key"]
            if isinstance(key, str):
                yield key, lowered["value"]
            elif is_unknown(key):
                yield "*unknown*", key
        else:
            for key, value in node.items():
                yield key, value
    elif isinstance(node, list):
        for item in node:
            yield from _tag_pairs(item)
