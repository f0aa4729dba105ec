from __future__ import annotations

from linter.graph.graph import Graph, build
from linter.graph.identity import (
    _PROFILE_PATHS,
    _launchers,
    _named_profile,
    _own_profile,
    derive,
    instance_roles,
    launched_only_by_eks,
    launchers,
    maybe_only_eks,
    policy_documents,
    possible_launchers,
    profile_of,
    roles_of,
    workload_roles,
)
from linter.graph.resolve import Resolution, Status
from linter.model import Edge, Resource, Unknown
from tests.graph.graph_builders import cfn, cfn_ref, graph_of, ref, tf


def _chain_graph() -> Graph:
    role = tf("aws_iam_role.app", {"name": "app", "inline_policy": [
        {"name": "inline", "policy": '{"Statement": []}'}],
        "managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]})
    profile = tf("aws_iam_instance_profile.app", {"name": "app-profile",
                                                  "role": ref(role.address, "name")})
    template = tf("aws_launch_template.lt", {
        "name": "lt", "iam_instance_profile": [{"name": ref(profile.address, "name")}]})
    instance = tf("aws_instance.web", {"launch_template": [{"id": ref(template.address)}]})
    policy = tf("aws_iam_policy.custom", {"name": "custom", "policy": '{"Statement": []}'})
    attach = tf("aws_iam_role_policy_attachment.a", {
        "role": ref(role.address, "name"), "policy_arn": ref(policy.address, "arn")})
    admin = tf("aws_iam_role_policy_attachment.admin", {
        "role": "app", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"})
    inline = tf("aws_iam_role_policy.extra", {"name": "extra", "role": ref(role.address),
                                             "policy": '{"Statement": []}'})
    return graph_of(role, profile, template, instance, policy, attach, admin, inline)


def test_instance_inherits_profile_from_template() -> None:
    graph = _chain_graph()
    link = profile_of(graph, graph.resources["aws_instance.web"])
    assert link is not None
    assert link.status is Status.FOUND
    assert link.holder.address == "aws_launch_template.lt"
    assert link.via is not None
    chains, unknowns = workload_roles(graph, graph.resources["aws_instance.web"])
    assert [c.role.address for c in chains] == ["aws_iam_role.app"]
    assert not unknowns
    hops = [text for _, _, text in chains[0].hops()]
    assert hops[0].startswith("launches from aws_launch_template.lt")
    assert "uses instance profile aws_iam_instance_profile.app" in hops
    assert "holds role aws_iam_role.app" in hops


def test_every_policy_reaching_the_role() -> None:
    graph = _chain_graph()
    role = graph.resources["aws_iam_role.app"]
    docs = policy_documents(graph, role)
    holders = sorted({d.address for d in docs})
    assert holders == ["aws_iam_role.app", "aws_iam_role_policy.extra",
                       "aws_iam_role_policy_attachment.a", "aws_iam_role_policy_attachment.admin"]
    assert any(d.managed_arn.endswith("/AdministratorAccess") for d in docs)
    assert any(d.managed_arn.endswith("/ReadOnlyAccess") for d in docs)
    assert sorted(e.target for e in graph.out_edges(role.address, "policy")) == [
        "aws_iam_role_policy.extra", "aws_iam_role_policy_attachment.a",
        "aws_iam_role_policy_attachment.admin"]
    assert instance_roles(graph) == [role]


def test_cloudformation_policies_and_profile() -> None:
    role = cfn("Role", "AWS::IAM::Role", {
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": []}}],
        "ManagedPolicyArns": [
            cfn_ref("Managed"), "arn:aws:iam::aws:policy/PowerUserAccess"]})
    managed = cfn("Managed", "AWS::IAM::ManagedPolicy", {"PolicyDocument": {"Statement": []}})
    policy = cfn("Pol", "AWS::IAM::Policy", {"PolicyName": "pol", "Roles": [cfn_ref("Role")],
                                             "PolicyDocument": {"Statement": []}})
    profile = cfn("Profile", "AWS::IAM::InstanceProfile", {"Roles": [cfn_ref("Role")]})
    instance = cfn("Web", "AWS::EC2::Instance", {"IamInstanceProfile": cfn_ref("Profile")})
    graph = graph_of(role, managed, policy, profile, instance)
    docs = policy_documents(graph, role)
    assert {d.address for d in docs} == {"Role", "Pol"}
    assert any(d.managed_arn.endswith("/PowerUserAccess") for d in docs)
    chains, _ = workload_roles(graph, instance)
    assert [c.role.address for c in chains] == ["Role"]


def test_profile_roles_absent_and_dangling() -> None:
    empty = cfn("Empty", "AWS::IAM::InstanceProfile", {"Path": "/"})
    dangling = cfn("Dangling", "AWS::IAM::InstanceProfile", {"Roles": [cfn_ref("Nope")]})
    graph = graph_of(empty, dangling)
    assert roles_of(graph, empty).status is Status.ABSENT
    assert roles_of(graph, dangling).status is Status.DANGLING


def test_instance_with_unknown_template_has_unknown_profile() -> None:
    instance = tf("aws_instance.a", {"launch_template": [{"id": Unknown("var.lt_id")}]})
    link = profile_of(graph_of(instance), instance)
    assert link is not None
    assert link.status is Status.UNKNOWN


def test_launchers_and_eks_templates() -> None:
    template = tf("aws_launch_template.lt", {"name": "lt"})
    group = tf("aws_eks_node_group.ng", {"launch_template": [{"id": ref(template.address)}],
                                         "node_role_arn": ref("aws_iam_role.node", "arn")})
    node = tf("aws_iam_role.node", {"name": "node"})
    graph = graph_of(template, group, node)
    assert launchers(graph, template) == [group]
    assert launched_only_by_eks(graph, template)
    chains, _ = workload_roles(graph, group)
    assert [c.role.address for c in chains] == ["aws_iam_role.node"]
    asg = tf("aws_autoscaling_group.g", {"launch_template": [{"name": "lt"}]})
    graph = graph_of(template, group, node, asg)
    assert [r.address for r in launchers(graph, template)] == [
        "aws_autoscaling_group.g", "aws_eks_node_group.ng"]
    assert not launched_only_by_eks(graph, template)


def test_a_profile_block_that_may_not_exist_is_unknown_not_absent() -> None:
    profile = tf("aws_iam_instance_profile.p", {"name": "p"})
    block = Unknown('dynamic "iam_instance_profile" for_each = local.x', "no value")
    template = tf("aws_launch_template.lt", {"iam_instance_profile": block})
    content = Edge(template.address, profile.address, "reference",
                   ("iam_instance_profile", 0, "arn"), attribute="arn")
    graph = graph_of(profile, template, edges=[content])
    link = profile_of(graph, template)
    assert link is not None
    assert link.status is Status.UNKNOWN
    assert link.resolution.unknown is block
    assert link.resolution.candidates == (profile,)
    assert link.resolution.targets == ()
    # no instance_profile edge for a profile that may not be named at all
    assert not graph.targets(template.address, "instance_profile")


def test_template_maybe_used_only_by_eks() -> None:
    template = tf("aws_launch_template.lt", {"name": "lt"})
    block = Unknown('dynamic "launch_template" for_each = var.custom ? [1] : []', "no value")
    group = tf("aws_eks_node_group.g", {"launch_template": block})
    content = Edge(group.address, template.address, "reference", ("launch_template", 0, "id"))
    graph = graph_of(template, group, edges=[content])
    assert launchers(graph, template) == []
    assert [r.address for r in possible_launchers(graph, template)] == [group.address]
    assert maybe_only_eks(graph, template) is block
    asg = tf("aws_autoscaling_group.a", {"launch_template": [{"id": ref(template.address)}]})
    graph = graph_of(template, group, asg, edges=[content])
    assert maybe_only_eks(graph, template) is None  # a definite launcher that is not EKS


def test_a_remembered_own_profile_is_the_one_resolved_again_after_deriving() -> None:
    """``_own_profile`` remembers what a workload names: deriving the identity edges (which
    asks first) changes nothing it is made of."""
    profile = tf("aws_iam_instance_profile.p", {"name": "p"})
    named = tf("aws_instance.a", {"iam_instance_profile": ref(profile.address, "name")})
    literal = tf("aws_instance.b", {"iam_instance_profile": "p"})
    template = tf("aws_launch_template.lt", {"iam_instance_profile": [{"name": "other"}]})
    graph = graph_of(profile, named, literal, template)
    for workload in (named, literal, template, profile):
        assert _own_profile(graph, workload) == _named_profile_again(graph, workload)


def _named_profile_again(graph: Graph, workload: Resource) -> Resolution | None:
    patterns = _PROFILE_PATHS.get(workload.type)
    return None if patterns is None else _named_profile(graph, workload, patterns)


def test_remembered_launchers_are_those_found_again() -> None:
    template = tf("aws_launch_template.lt", {})
    group = tf("aws_autoscaling_group.g", {"launch_template": [{"id": ref(template.address)}]})
    eks = tf("aws_eks_node_group.n", {"launch_template": [{"id": ref(template.address)}]})
    graph = graph_of(template, group, eks)
    assert graph.derived
    assert launchers(graph, template) == _launchers(graph, template) == [group, eks]
    assert launchers(graph, group) == _launchers(graph, group) == []


def test_launchers_of_an_underived_graph_are_not_remembered() -> None:
    template = tf("aws_launch_template.lt", {})
    group = tf("aws_autoscaling_group.g", {"launch_template": [{"id": ref(template.address)}]})
    graph = build([template, group], [])
    assert launchers(graph, template) == []  # no derived edge yet
    derive(graph)
    assert launchers(graph, template) == [group]
