from __future__ import annotations

from linter.graph.resolve import Status, name_from_arn, resolve_ref
from linter.model import Edge, Unknown
from tests.graph.graph_builders import cfn, cfn_ref, graph_of, ref, tf

PROFILES = ("aws_iam_instance_profile", "AWS::IAM::InstanceProfile")


def test_unknown_reference_resolves_through_refs() -> None:
    profile = tf("aws_iam_instance_profile.web", {"name": "web"})
    instance = tf("aws_instance.a", {"iam_instance_profile": ref(profile.address, "name")})
    found = resolve_ref(graph_of(profile, instance), instance, ("iam_instance_profile",), PROFILES)
    assert found.status is Status.FOUND
    assert [t.address for t in found.targets] == ["aws_iam_instance_profile.web"]


def test_literal_name_and_arn_match_scanned_resources() -> None:
    profile = tf("aws_iam_instance_profile.web", {"name": "web-profile"})
    by_name = tf("aws_instance.a", {"iam_instance_profile": "web-profile"})
    by_arn = tf("aws_instance.b", {
        "iam_instance_profile": "arn:aws:iam::123456789012:instance-profile/app/web-profile"})
    graph = graph_of(profile, by_name, by_arn)
    for instance in (by_name, by_arn):
        found = resolve_ref(graph, instance, ("iam_instance_profile",), PROFILES)
        assert found.found, instance.address


def test_literal_name_outside_the_scan_is_external() -> None:
    instance = tf("aws_instance.a", {"iam_instance_profile": "made-elsewhere"})
    found = resolve_ref(graph_of(instance), instance, ("iam_instance_profile",), PROFILES)
    assert found.status is Status.EXTERNAL


def test_absent_and_variable() -> None:
    bare = tf("aws_instance.a", {})
    variable = tf("aws_instance.b", {"iam_instance_profile": Unknown("var.profile")})
    graph = graph_of(bare, variable)
    assert resolve_ref(graph, bare, ("iam_instance_profile",), PROFILES).status is Status.ABSENT
    found = resolve_ref(graph, variable, ("iam_instance_profile",), PROFILES)
    assert found.status is Status.UNKNOWN
    assert found.unknown is not None


def test_an_empty_value_with_a_reference_edge_is_found_by_the_edge() -> None:
    role = tf("aws_iam_role.this[0]", {"name_prefix": "web-"})
    profile = tf("aws_iam_instance_profile.this", {})
    edge = Edge(profile.address, role.address, "reference", ("role",), attribute="name")
    graph = graph_of(role, profile, edges=[edge])
    found = resolve_ref(graph, profile, ("role",), ("aws_iam_role",))
    assert found.status is Status.FOUND
    assert [t.address for t in found.targets] == ["aws_iam_role.this[0]"]
    # no edge, or an edge to something of another type: nothing is set
    assert resolve_ref(graph_of(role, profile), profile, ("role",),
                       ("aws_iam_role",)).status is Status.ABSENT
    assert resolve_ref(graph, profile, ("role",), PROFILES).status is Status.ABSENT


def test_cloudformation_ref_to_undeclared_logical_id_is_dangling() -> None:
    instance = cfn("Web", "AWS::EC2::Instance", {"IamInstanceProfile": cfn_ref("Missing")})
    found = resolve_ref(graph_of(instance), instance, ("Properties", "IamInstanceProfile"),
                        PROFILES)
    assert found.status is Status.DANGLING
    assert found.missing == ("Missing",)


def test_terraform_reference_to_undeclared_resource_is_dangling_but_data_is_not() -> None:
    dangling = tf("aws_instance.a", {
        "iam_instance_profile": ref("aws_iam_instance_profile.nope", "name")})
    data = tf("aws_instance.b", {
        "iam_instance_profile": ref("data.aws_iam_instance_profile.x", "name")})
    graph = graph_of(dangling, data)
    assert resolve_ref(graph, dangling, ("iam_instance_profile",),
                       PROFILES).status is Status.DANGLING
    assert resolve_ref(graph, data, ("iam_instance_profile",), PROFILES).status is Status.UNKNOWN


def test_counted_resource_is_found_by_its_unindexed_address() -> None:
    profile = tf("aws_iam_instance_profile.web[0]", {"name": "web"})
    instance = tf("aws_instance.a", {
        "iam_instance_profile": ref("aws_iam_instance_profile.web", "name")})
    found = resolve_ref(graph_of(profile, instance), instance, ("iam_instance_profile",), PROFILES)
    assert [t.address for t in found.targets] == ["aws_iam_instance_profile.web[0]"]


def test_name_from_arn() -> None:
    assert name_from_arn("arn:aws:iam::1:role/a/b/app") == ("role", "app")
    assert name_from_arn("arn:aws-cn:iam::1:instance-profile/p") == ("instance-profile", "p")
    assert name_from_arn("app") is None
