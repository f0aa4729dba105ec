"""Which images are known to set their own metadata defaults (AL2023: ImdsSupport v2.0)."""

from __future__ import annotations

import dataclasses

import pytest

from linter.graph.ami import AL2023_PARAMETER, image_defaults
from linter.model import Resource, Unknown
from tests.graph.graph_builders import cfn, graph_of, ref, tf


def data(address: str, attributes: dict[str, object]) -> Resource:
    return dataclasses.replace(tf(address, attributes), kind="data")


@pytest.mark.parametrize(("name", "al2023"), [
    ("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", True),
    ("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64", True),
    ("/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-6.12-x86_64", True),
    ("/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id", True),
    ("/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id", True),
    ("/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2", False),
    ("/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id", False),
    ("/aws/service/eks/optimized-ami/1.30/amazon-linux-2023/x86_64/standard/recommended/"
     "image_id", False),
    ("/my/team/al2023-ami-kernel-default-x86_64", False),
])
def test_public_al2023_parameters(name: str, al2023: bool) -> None:
    assert bool(AL2023_PARAMETER.match(name)) is al2023


def test_resolve_ssm_literal_and_pinned_version() -> None:
    template = tf("aws_launch_template.lt", {
        "image_id": "resolve:ssm:/aws/service/ami-amazon-linux-latest/"
                    "al2023-ami-kernel-6.1-arm64:7"})
    found = image_defaults(graph_of(template), template)
    assert found is not None
    assert found.settings == {"tokens": "required", "hop_limit": 2}
    assert found.path == ("image_id",)
    assert "al2023-ami-kernel-6.1-arm64" in found.image


def test_cloudformation_value_read_from_an_ssm_parameter() -> None:
    param = Unknown("!Ref LatestAmiId", "parameter LatestAmiId is read from SSM parameter …",
                    resolved_from="ssm:/aws/service/ami-amazon-linux-latest/"
                                  "al2023-ami-kernel-6.1-x86_64")
    instance = cfn("Web", "AWS::EC2::Instance", {"ImageId": param})
    found = image_defaults(graph_of(instance), instance)
    assert found is not None
    assert "!Ref LatestAmiId" in found.image
    other = cfn("Old", "AWS::EC2::Instance", {"ImageId": Unknown(
        "!Ref Ami",
        resolved_from="ssm:/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2")})
    assert image_defaults(graph_of(other), other) is None


@pytest.mark.parametrize(("attributes", "al2023"), [
    ({"owners": ["amazon"], "name_regex": "^al2023-ami-2023.*-x86_64"}, True),
    ({"owners": ["137112412989"], "filter": [{"name": "name", "values": ["al2023-ami-*"]}]},
     True),
    ({"owners": ["amazon"], "filter": [
        {"name": "architecture", "values": ["x86_64"]},
        {"name": "name", "values": ["al2023-ami-minimal-*", "al2023-ami-2023*"]}]}, True),
    # someone else's image named like AL2023
    ({"owners": ["self"], "name_regex": "^al2023-ami-2023.*"}, False),
    ({"owners": ["amazon", "123456789012"], "name_regex": "^al2023-ami-2023.*"}, False),
    # one pattern that may select another image
    ({"owners": ["amazon"], "filter": [{"name": "name", "values": ["al2023-ami-*",
                                                                   "amzn2-ami-hvm-*"]}]}, False),
    ({"owners": ["amazon"], "name_regex": "^amzn2-ami-hvm-.*"}, False),
    ({"owners": ["amazon"]}, False),
])
def test_data_aws_ami(attributes: dict[str, object], al2023: bool) -> None:
    ami = data("data.aws_ami.this", attributes)
    instance = tf("aws_instance.web", {"ami": ref(ami.address, "id")})
    assert (image_defaults(graph_of(ami, instance), instance) is not None) is al2023


def test_data_ssm_parameter_and_an_instance_using_its_template_image() -> None:
    ssm = data("data.aws_ssm_parameter.al2023", {
        "name": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"})
    template = tf("aws_launch_template.lt", {"image_id": ref(ssm.address, "value")})
    instance = tf("aws_instance.web", {"launch_template": [{"id": ref(template.address)}]})
    own = tf("aws_instance.own", {"ami": "ami-0abcdef1234567890",
                                  "launch_template": [{"id": ref(template.address)}]})
    graph = graph_of(ssm, template, instance, own)
    found = image_defaults(graph, instance)
    assert found is not None
    assert found.holder.address == "aws_launch_template.lt"
    assert image_defaults(graph, own) is None  # its own AMI id wins, and says nothing
