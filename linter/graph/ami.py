"""What an instance's image says about its metadata options.

An AMI registered with ``ImdsSupport = v2.0`` launches instances that require session tokens
and answer with a PUT response hop limit of 2, unless the launch (or an account-level default)
says otherwise. Amazon Linux 2023 AMIs are registered that way: "By default, any instances
launched with the AL2023 AMI require IMDSv2-only and your default hop limit will be set to 2"
(https://docs.aws.amazon.com/linux/al2023/ug/imdsv2.html; ``ImdsSupport`` in
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html).

Which image a resource launches is rarely a literal: the code names it through something AWS
resolves at launch. An image counts as AL2023 when it is

* the public SSM parameter of an AL2023 AMI (``AL2023_PARAMETER``), given as
  ``resolve:ssm:<name>`` (launch templates and RunInstances accept it), as a CloudFormation
  ``{{resolve:ssm:<name>}}`` dynamic reference, or as the ``Default`` of an
  ``AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>`` parameter;
* a Terraform ``data "aws_ssm_parameter"`` whose ``name`` is such a parameter;
* a Terraform ``data "aws_ami"`` restricted to Amazon's images (``owners``: ``amazon`` or the
  Amazon Linux account) whose every name pattern (``name_regex``, ``filter { name = "name" }``)
  selects AL2023 AMIs only (names starting ``al2023-ami-``: standard, minimal, ECS-optimized).

Anything else (an AMI id, a mapping, a parameter or data source of another image, EKS-optimized
AL2023 images, whose registration is not documented) is not known to require IMDSv2. A
deploy-time override of a parameter can change the image: the message says which parameter the
verdict relies on.
"""

from __future__ import annotations

import re

from linter.graph.graph import Graph
from linter.graph.launch import template_of
from linter.graph.resolve import lookup
from linter.model import Path, Resource, Span, Unknown
from linter.records import record
from linter.regex import lazy

# The public parameters of AL2023 AMIs: standard and minimal, default kernel or a pinned one,
# x86_64 or arm64 (/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64), and the
# ECS-optimized AL2023 AMIs (/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/
# image_id, also arm64/, gpu/, neuron/ …; "AL2023 ECS Optimized AMIs have IMDSv2 enabled by
# default", https://github.com/aws/amazon-ecs-ami/issues/248)
AL2023_PARAMETER = lazy(
    r"^/aws/service/ami-amazon-linux-latest/al2023-ami-(?:minimal-)?kernel-(?:default|\d+\.\d+)"
    r"-(?:x86_64|arm64)$"
    r"|^/aws/service/ecs/optimized-ami/amazon-linux-2023/(?:[a-z0-9]+/)?recommended/image_id$")
# owners that publish the AL2023 AMIs: the alias, and the Amazon Linux account
AMAZON_OWNERS = frozenset({"amazon", "137112412989"})
# AMI names of AL2023: al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64, al2023-ami-minimal-…,
# al2023-ami-ecs-hvm-… (a name pattern counts when it can only match such names)
_AL2023_NAME = lazy(r"^al2023-ami-")

IMAGE_PATHS: dict[str, Path] = {
    "aws_instance": ("ami",),
    "aws_launch_template": ("image_id",),
    "aws_launch_configuration": ("image_id",),
    "AWS::EC2::Instance": ("Properties", "ImageId"),
    "AWS::EC2::LaunchTemplate": ("Properties", "LaunchTemplateData", "ImageId"),
    "AWS::AutoScaling::LaunchConfiguration": ("Properties", "ImageId"),
}

AL2023_IMDS = {"tokens": "required", "hop_limit": 2}


@record
class ImageDefaults:
    """The metadata options an image sets by itself, and how the image was recognised."""

    settings: dict[str, object]  # "tokens" / "hop_limit" → value
    image: str  # "the AL2023 image of SSM parameter /aws/service/…"
    holder: Resource  # the resource that names the image (the workload or its template)
    path: Path  # where it names it

    @property
    def span(self) -> Span:
        return self.holder.span_at(self.path)


def image_defaults(graph: Graph, resource: Resource) -> ImageDefaults | None:
    """The metadata defaults of the image ``resource`` launches (None: not known to set any).
    An instance without an image of its own uses its launch template's."""
    holder, path = resource, IMAGE_PATHS.get(resource.type)
    if path is None:
        return None
    value = resource.get(path)
    if value is None and resource.type in ("aws_instance", "AWS::EC2::Instance"):
        spec = template_of(graph, resource)
        if spec is not None and spec.target.found:
            holder = spec.target.targets[0]
            path = IMAGE_PATHS.get(holder.type, ())
            value = holder.get(path)
    if value is None or not path:
        return None
    image = _al2023(graph, holder, path, value)
    return ImageDefaults(dict(AL2023_IMDS), image, holder, path) if image else None


def _al2023(graph: Graph, holder: Resource, path: Path, value: object) -> str:
    """How ``value`` (an image id expression) is known to be an AL2023 image, or ""."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("resolve:ssm:"):
            return _parameter(text[len("resolve:ssm:"):])
        return ""
    if not isinstance(value, Unknown):
        return ""
    if value.resolved_from.startswith("ssm:"):
        found = _parameter(value.resolved_from[len("ssm:"):])
        if found and "{{resolve:" not in value.expression:
            # a template parameter whose value (its default, or what was given) is that SSM
            # parameter: a different value at deploy time changes the image
            return f"{found} (the value of {value.expression})"
        return found
    refs = list(value.refs) + [e.target for e in graph.out_edges(holder.address, "reference")
                               if e.path[: len(path)] == path]
    for ref in dict.fromkeys(refs):
        for source in lookup(graph, ref):
            found = _data_source(source)
            if found:
                return found
    return ""


def _parameter(name: str) -> str:
    name = re.sub(r":\d+$", "", name.strip())  # a pinned parameter version
    return f"the AL2023 image of SSM parameter {name}" if AL2023_PARAMETER.match(name) else ""


def _data_source(source: Resource) -> str:
    if source.type == "aws_ssm_parameter" and source.kind == "data":
        name = source.get(("name",))
        found = _parameter(name) if isinstance(name, str) else ""
        return f"{found} ({source.address})" if found else ""
    if source.type != "aws_ami" or source.kind != "data":
        return ""
    owners = source.get(("owners",))
    if not isinstance(owners, list) or not owners or not all(
            isinstance(o, str) and o in AMAZON_OWNERS for o in owners):
        return ""
    patterns: list[object] = []
    regex = source.get(("name_regex",))
    if regex is not None:
        patterns.append(regex)
    filters = source.get(("filter",))
    for block in filters if isinstance(filters, list) else ():
        if isinstance(block, dict) and block.get("name") == "name":
            values = block.get("values")
            patterns.extend(values if isinstance(values, list) else [values])
    if not patterns or not all(isinstance(p, str) and _AL2023_NAME.match(p.lstrip("^"))
                               for p in patterns):
        return ""
    return f"the AL2023 image {source.address} selects (Amazon's, named {patterns[0]})"
