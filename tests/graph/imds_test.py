from __future__ import annotations

from linter.graph.imds import NOT_KNOWN_V2_ONLY, allowed_hop_limit, effective_imds
from linter.model import Edge, Unknown
from linter.options import HopLimitException, ScanOptions
from tests.graph.graph_builders import cfn, cfn_ref, graph_of, ref, tf

NONE = ScanOptions()


def test_own_settings_win() -> None:
    instance = tf("aws_instance.a", {"metadata_options": [
        {"http_tokens": "Required", "http_put_response_hop_limit": "2"}]})
    found = effective_imds(graph_of(instance), instance, NONE)
    assert (found.tokens.value, found.tokens.source) == ("required", "own")
    assert found.hop_limit.value == 2
    assert (found.endpoint.value, found.endpoint.source) == ("enabled", "EC2 default")


def test_instance_inherits_what_it_does_not_set() -> None:
    template = tf("aws_launch_template.lt", {"name": "lt", "metadata_options": [
        {"http_tokens": "required", "http_put_response_hop_limit": 3}]})
    instance = tf("aws_instance.a", {
        "launch_template": [{"id": ref(template.address), "version": "$Latest"}],
        "metadata_options": [{"http_put_response_hop_limit": 1}]})
    found = effective_imds(graph_of(template, instance), instance, NONE)
    assert (found.tokens.value, found.tokens.source, found.tokens.address) == (
        "required", "launch template", "aws_launch_template.lt")
    assert (found.hop_limit.value, found.hop_limit.source) == (1, "own")


def test_cloudformation_instance_inherits_template() -> None:
    template = cfn("LT", "AWS::EC2::LaunchTemplate", {"LaunchTemplateData": {
        "MetadataOptions": {"HttpTokens": "optional"}}})
    instance = cfn("I", "AWS::EC2::Instance", {"LaunchTemplate": {
        "LaunchTemplateId": cfn_ref("LT"), "Version": "$Default"}})
    found = effective_imds(graph_of(template, instance), instance, NONE)
    assert (found.tokens.value, found.tokens.source) == ("optional", "launch template")


def test_unknown_template_makes_unset_settings_unknown() -> None:
    instance = tf("aws_instance.a", {"launch_template": [{"id": Unknown("var.lt")}]})
    found = effective_imds(graph_of(instance), instance, NONE)
    assert isinstance(found.tokens.value, Unknown)


def test_account_defaults_resource_then_option_then_platform() -> None:
    defaults = tf("aws_ec2_instance_metadata_defaults.this", {
        "http_tokens": "required", "http_put_response_hop_limit": -1})
    instance = tf("aws_instance.a", {})
    found = effective_imds(graph_of(defaults, instance), instance,
                           ScanOptions(account_imds_defaults={"hop-limit": "2"}))
    assert (found.tokens.value, found.tokens.source) == ("required", "account default")
    assert found.tokens.address == "aws_ec2_instance_metadata_defaults.this"
    assert (found.hop_limit.value, found.hop_limit.source) == (
        2, "account default, from the scan options")
    found = effective_imds(graph_of(instance), instance, NONE)
    assert (found.tokens.value, found.tokens.source) == ("optional", NOT_KNOWN_V2_ONLY)


def test_template_settings_beat_account_defaults() -> None:
    template = tf("aws_launch_template.lt", {"metadata_options": [{"http_tokens": "optional"}]})
    instance = tf("aws_instance.a", {"launch_template": [{"id": ref(template.address)}]})
    found = effective_imds(graph_of(template, instance), instance,
                           ScanOptions(account_imds_defaults={"tokens": "required"}))
    assert found.tokens.value == "optional"


def test_eks_node_group_without_template_gets_eks_default() -> None:
    legacy = tf("aws_eks_node_group.a", {"ami_type": "AL2_x86_64"})
    modern = tf("aws_eks_node_group.b", {"ami_type": "AL2023_x86_64_STANDARD"})
    graph = graph_of(legacy, modern)
    found = effective_imds(graph, legacy, NONE)
    assert (found.tokens.value, found.hop_limit.value, found.tokens.source) == (
        "optional", 2, "EKS default")
    assert found.judged
    assert effective_imds(graph, modern, NONE).tokens.value == "required"


def test_groups_with_a_template_are_not_judged_themselves() -> None:
    template = tf("aws_launch_template.lt", {})
    group = tf("aws_eks_node_group.a", {"launch_template": [{"id": ref(template.address)}]})
    assert not effective_imds(graph_of(template, group), group, NONE).judged


def test_hop_limit_allowance_by_selector() -> None:
    template = tf("aws_launch_template.lt", {})
    eks = tf("aws_eks_node_group.a", {"launch_template": [{"id": ref(template.address)}]})
    tagged = tf("aws_instance.c", {"tags": {"role": "container-host"}})
    exceptions = (HopLimitException(2, types=("aws_eks_node_group",)),
                  HopLimitException(3, tags={"role": "container-host"}))
    graph = graph_of(template, eks, tagged)
    assert allowed_hop_limit(graph, template, 1, exceptions)[0] == 2
    assert allowed_hop_limit(graph, tagged, 1, exceptions)[0] == 3
    assert allowed_hop_limit(graph, tagged, 4, exceptions)[0] == 4  # never below the maximum
    asg = tf("aws_autoscaling_group.g", {"launch_template": [{"id": ref(template.address)}]})
    graph = graph_of(template, eks, tagged, asg)
    assert allowed_hop_limit(graph, template, 1, exceptions) == (1, "max_hop_limit")


def test_eks_node_group_al2023_default_template_has_hop_limit_one() -> None:
    modern = tf("aws_eks_node_group.b", {"ami_type": "AL2023_ARM_64_STANDARD"})
    found = effective_imds(graph_of(modern), modern, NONE)
    assert (found.tokens.value, found.hop_limit.value) == ("required", 1)
    unknown = tf("aws_eks_node_group.c", {"ami_type": Unknown("var.ami_type")})
    found = effective_imds(graph_of(unknown), unknown, NONE)
    assert isinstance(found.tokens.value, Unknown)
    assert isinstance(found.hop_limit.value, Unknown)


def test_al2023_image_sets_tokens_and_hop_limit_below_account_defaults() -> None:
    image = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    template = tf("aws_launch_template.lt", {"image_id": image})
    graph = graph_of(template)
    found = effective_imds(graph, template, NONE)
    assert (found.tokens.value, found.hop_limit.value) == ("required", 2)
    assert found.tokens.source.startswith("AMI default: the AL2023 image of SSM parameter")
    assert found.tokens.path == ("image_id",)
    assert found.endpoint.source == "EC2 default"
    # an account default is above the image
    found = effective_imds(graph, template, ScanOptions(account_imds_defaults={
        "tokens": "optional"}))
    assert (found.tokens.value, found.tokens.source) == ("optional",
                                                         "account default, from the scan options")
    # and the launch itself above both
    own = tf("aws_launch_template.own", {"image_id": image,
                                         "metadata_options": [{"http_tokens": "optional"}]})
    assert effective_imds(graph_of(own), own, NONE).tokens.value == "optional"


def test_unknown_options_block_is_unknown_not_absent() -> None:
    dynamic = Unknown('dynamic "metadata_options" for_each = var.x', "no value")
    instance = tf("aws_instance.a", {"metadata_options": dynamic})
    found = effective_imds(graph_of(instance), instance, NONE)
    assert found.tokens.value is dynamic
    assert found.tokens.path == ("metadata_options",)


def test_node_group_whose_template_block_may_not_exist() -> None:
    block = Unknown('dynamic "launch_template" for_each = var.custom ? [1] : []', "no value")
    template = tf("aws_launch_template.lt", {"metadata_options": [
        {"http_tokens": "required", "http_put_response_hop_limit": 1}]})
    content = Edge("aws_eks_node_group.a", template.address, "reference",
                   ("launch_template", 0, "id"), attribute="id")
    al2 = tf("aws_eks_node_group.a", {"ami_type": "AL2_x86_64", "launch_template": block})
    found = effective_imds(graph_of(template, al2, edges=[content]), al2, NONE)
    assert found.judged  # judged itself: it may have no template at all
    assert found.tokens.value is block
    assert found.hop_limit.value is block
    # AL2023: EKS's own template and the candidate agree
    al2023 = tf("aws_eks_node_group.a", {"ami_type": "AL2023_x86_64_STANDARD",
                                         "launch_template": block})
    found = effective_imds(graph_of(template, al2023, edges=[content]), al2023, NONE)
    assert (found.tokens.value, found.hop_limit.value) == ("required", 1)
    assert "whichever applies" in found.tokens.source


def test_without_exceptions_the_allowance_is_the_rule_maximum_launchers_or_not() -> None:
    template = tf("aws_launch_template.lt", {})
    eks = tf("aws_eks_node_group.a", {"launch_template": [{"id": ref(template.address)}]})
    graph = graph_of(template, eks)
    for resource in (template, eks):
        assert allowed_hop_limit(graph, resource, 2, ()) == (2, "max_hop_limit")
        # the reason and limit the selectors give when none selects anything
        assert allowed_hop_limit(graph, resource, 2, (HopLimitException(5, types=("x",)),)) == (
            2, "max_hop_limit")
