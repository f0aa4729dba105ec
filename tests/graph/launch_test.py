from __future__ import annotations

from linter.graph.identity import derive
from linter.graph.launch import _launch_specs, launch_specs, template_of, unknown_blocks
from linter.graph.resolve import Status
from linter.model import Edge, Unknown
from tests.graph.graph_builders import cfn, cfn_ref, graph_of, ref, tf


def test_instance_template_by_id_with_latest_version_reference() -> None:
    template = tf("aws_launch_template.lt", {"name": "lt"})
    instance = tf("aws_instance.a", {"launch_template": [{
        "id": ref(template.address), "version": ref(template.address, "latest_version")}]})
    spec = template_of(graph_of(template, instance), instance)
    assert spec is not None
    assert spec.target.found
    assert spec.version == "$Latest"
    assert spec.path == ("launch_template", 0)


def test_template_by_name_and_numeric_version() -> None:
    template = tf("aws_launch_template.lt", {"name": "web-lt"})
    instance = tf("aws_instance.a", {"launch_template": [{"name": "web-lt", "version": "3"}]})
    spec = template_of(graph_of(template, instance), instance)
    assert spec is not None
    assert spec.target.targets == (template,)
    assert spec.version == "3"


def test_default_version_when_unset() -> None:
    template = tf("aws_launch_template.lt", {"name": "lt"})
    group = tf("aws_eks_node_group.ng", {"launch_template": [{"id": ref(template.address)}]})
    [spec] = launch_specs(graph_of(template, group), group)
    assert spec.version == "$Default"


def test_autoscaling_group_every_specification() -> None:
    a = tf("aws_launch_template.a", {"name": "a"})
    b = tf("aws_launch_template.b", {"name": "b"})
    lc = tf("aws_launch_configuration.c", {"name": "c"})
    group = tf("aws_autoscaling_group.g", {
        "launch_configuration": ref(lc.address, "name"),
        "mixed_instances_policy": [{"launch_template": [{
            "launch_template_specification": [{"launch_template_id": ref(a.address)}],
            "override": [{"instance_type": "m5.large"},
                         {"launch_template_specification": [{"launch_template_name": "b"}]}],
        }]}]})
    specs = launch_specs(graph_of(a, b, lc, group), group)
    assert sorted((s.kind, s.target.targets[0].address) for s in specs) == [
        ("launch_configuration", "aws_launch_configuration.c"),
        ("launch_template", "aws_launch_template.a"),
        ("launch_template", "aws_launch_template.b"),
    ]


def test_cloudformation_specifications() -> None:
    template = cfn("LT", "AWS::EC2::LaunchTemplate", {"LaunchTemplateName": "web"})
    by_ref = cfn("I1", "AWS::EC2::Instance", {"LaunchTemplate": {
        "LaunchTemplateId": cfn_ref("LT"),
        "Version": Unknown("!GetAtt LT.LatestVersionNumber", refs=("LT",))}})
    by_name = cfn("I2", "AWS::EC2::Instance", {"LaunchTemplate": {
        "LaunchTemplateName": "web", "Version": 1}})
    group = cfn("NG", "AWS::EKS::Nodegroup", {"LaunchTemplate": {"Id": cfn_ref("LT")}})
    fleet = cfn("F", "AWS::EC2::EC2Fleet", {"LaunchTemplateConfigs": [{
        "LaunchTemplateSpecification": {"LaunchTemplateId": cfn_ref("LT"), "Version": "$Latest"}}]})
    graph = graph_of(template, by_ref, by_name, group, fleet)
    first = template_of(graph, by_ref)
    assert first is not None
    assert first.target.found
    assert first.version == "$Latest"
    second = template_of(graph, by_name)
    assert second is not None
    assert second.target.found
    assert second.version == "1"
    for launcher in (group, fleet):
        [spec] = launch_specs(graph, launcher)
        assert spec.target.targets == (template,)


def test_template_outside_the_scan() -> None:
    instance = tf("aws_instance.a", {"launch_template": [{"id": "lt-0123456789abcdef0"}]})
    spec = template_of(graph_of(instance), instance)
    assert spec is not None
    assert spec.target.status is Status.EXTERNAL


def test_a_template_block_that_may_not_exist_is_a_maybe_spec_with_candidates() -> None:
    template = tf("aws_launch_template.lt", {"name": "lt"})
    block = Unknown('dynamic "launch_template" for_each = var.custom ? [1] : []', "no value")
    group = tf("aws_eks_node_group.g", {"launch_template": block})
    content = Edge(group.address, template.address, "reference", ("launch_template", 0, "id"),
                   attribute="id")
    graph = graph_of(template, group, edges=[content])
    (spec,) = launch_specs(graph, group)
    assert spec.maybe
    assert spec.target.status is Status.UNKNOWN
    assert spec.target.unknown is block
    assert spec.target.candidates == (template,)
    assert spec.target.targets == ()  # never counted as found
    assert [e.kind for e in graph.out_edges(group.address) if e.target == template.address] == [
        "reference", "possible_launch_template"]


def test_unknown_blocks_on_the_way_of_a_pattern() -> None:
    block = Unknown("x")
    assert unknown_blocks({"a": block}, ("a", "*", "b")) == [(("a",), block)]
    assert unknown_blocks({"a": [{"b": 1}, block]}, ("a", "*", "b")) == [(("a", 1), block)]
    assert unknown_blocks({"a": [{"b": block}]}, ("a", "*", "b")) == [(("a", 0, "b"), block)]
    assert unknown_blocks({"a": []}, ("a", "*", "b")) == []


def test_remembered_specifications_are_those_computed_again_after_deriving() -> None:
    """``launch_specs`` remembers a launcher's specifications: deriving the identity edges
    (which asks first) changes nothing they are made of."""
    template = tf("aws_launch_template.lt", {"name": "web-lt"})
    lc = tf("aws_launch_configuration.c", {"name": "c"})
    instance = tf("aws_instance.a", {"launch_template": [{"name": "web-lt"}]})
    group = tf("aws_autoscaling_group.g", {
        "launch_configuration": ref(lc.address, "name"),
        "launch_template": [{"id": ref(template.address), "version": "2"}]})
    graph = graph_of(template, lc, instance, group)
    derive(graph)
    for launcher in (instance, group, template):
        assert launch_specs(graph, launcher) == _launch_specs(graph, launcher)
    assert len(launch_specs(graph, group)) == 2
    assert launch_specs(graph, group) is not launch_specs(graph, group)  # a list of one's own
