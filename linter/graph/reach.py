"""Where a written policy statement goes: the resources that receive it, in order.

A statement is judged once, at the resource that writes it (a data document, a policy resource,
an inline policy); ``receivers(graph, writer)`` lists what receives it from there, for the
finding's related locations: a document that pulls it in (``source_policy_documents``), the
policy that renders it, the attachment that attaches that policy, the role / user / group that
gets it, the instance profile holding the role, the instances, templates and groups that run
with the profile, and the functions, tasks and jobs that run as the role. Only edges of the
(derived) graph are followed, so nothing in another root module or template is ever reached.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from linter.graph.graph import Graph
from linter.graph.identity import ROLE_TYPES
from linter.graph.policies import TF_ATTACHMENTS, TF_INLINE_PRINCIPAL
from linter.model import Path, Resource
from linter.records import record

# attributes through which a resource takes in another resource's policy text or ARN
_CARRIERS: dict[str, str] = {
    "source_policy_documents": "pulls it in",
    "override_policy_documents": "pulls it in",
    "source_json": "pulls it in",
    "override_json": "pulls it in",
    "policy": "renders it",
    "inline_policy": "renders it",
    "assume_role_policy": "uses it as trust policy",
    "policy_arn": "attaches it",
    "policy_arns": "attaches it",
    "managed_policy_arns": "attaches it",
    "managed_policy_arn": "attaches it",
    "ManagedPolicyArns": "attaches it",
    "ManagedPolicies": "attaches it",
    "Policies": "renders it",
    "PolicyDocument": "renders it",
    "InlinePolicy": "renders it",
    "AssumeRolePolicyDocument": "uses it as trust policy",
}
# principal attributes of inline policy and attachment resources (Terraform)
_PRINCIPAL_ATTRIBUTES = frozenset({"role", "user", "group", "roles", "users", "groups",
                                   "role_name", "user_name", "group_name"})
# group memberships: the users of a group get its policies
_MEMBERSHIPS: dict[str, tuple[str, str]] = {  # type → (group attribute, user attribute)
    "aws_iam_user_group_membership": ("groups", "user"),
    "aws_iam_group_membership": ("group", "users"),
    "AWS::IAM::UserToGroupAddition": ("GroupName", "Users"),
}
# where compute resources name the role they run as (Lambda functions, ECS tasks, Step Functions,
# CodeBuild projects, Glue jobs, …): a reference from a non-IAM resource through one of these
# attributes to a role means that workload runs with the role's permissions
_RUNS_AS = frozenset({
    "role", "role_arn", "execution_role", "execution_role_arn", "task_role_arn",
    "service_role", "service_role_arn", "iam_role_arn",
    "Role", "RoleArn", "ExecutionRoleArn", "TaskRoleArn", "ServiceRole", "ServiceRoleArn",
    "IamRoleArn",
})
MAX_RECEIVERS = 12


@record
class Receiver:
    resource: Resource
    path: Path  # where in ``resource`` the link is written (empty: the whole resource)
    how: str  # "renders it", "attaches it", "gets it", "holds the role", "runs with it" …


def _carrier(path: Path) -> str | None:
    for key in path:
        if isinstance(key, str) and key in _CARRIERS:
            return _CARRIERS[key]
    return None


def _names_path(path: Path, name: str) -> bool:
    return any(key == name for key in path if isinstance(key, str))


def receivers(graph: Graph, writer: Resource, limit: int = MAX_RECEIVERS,
              keeps: Callable[[Resource], bool] | None = None) -> list[Receiver]:
    """What receives the policy text written in ``writer``, breadth first (nearest first).

    ``keeps(resource)``: whether a receiving policy document still holds what was written (a
    document that pulls another in may replace its statements by ``sid``); one that does not is
    left out with everything reached only through it."""
    seen = {writer.address}
    queue: deque[Resource] = deque([writer])
    out: list[Receiver] = []

    def reach(resource: Resource | None, path: Path, how: str) -> None:
        if resource is None or resource.address in seen:
            return
        seen.add(resource.address)
        if keeps is not None and not keeps(resource):
            return
        out.append(Receiver(resource, path, how))
        queue.append(resource)

    while queue and len(out) < limit:
        current = queue.popleft()
        for edge in graph.in_edges(current.address):
            source = graph.resources.get(edge.source)
            if edge.kind == "reference":
                how = _carrier(edge.path)
                if how is not None and edge.path[:1] != ("count",):
                    reach(source, edge.path, how)
            elif edge.kind == "policy":  # role → the resource holding or attaching the policy
                reach(source, (), "gets it")
            elif edge.kind == "role":  # instance profile / node group → role
                reach(source, edge.path, "holds the role")
            elif edge.kind in ("instance_profile", "launch_template", "launch_configuration"):
                reach(source, edge.path, "runs with it")
        if current.type in ROLE_TYPES:
            for edge in graph.in_edges(current.address, "reference"):
                workload = graph.resources.get(edge.source)
                if (workload is not None and workload.kind == "resource"
                        and not workload.type.startswith(("aws_iam_", "AWS::IAM::"))
                        and any(isinstance(k, str) and k in _RUNS_AS for k in edge.path)):
                    reach(workload, edge.path, "runs as the role")
        if current.type in TF_ATTACHMENTS or current.type in TF_INLINE_PRINCIPAL:
            for edge in graph.out_edges(current.address, "reference"):
                if edge.path[:1] and edge.path[0] in _PRINCIPAL_ATTRIBUTES:
                    reach(graph.resources.get(edge.target), (), "gets it")
        for edge in graph.in_edges(current.address, "reference"):
            membership = graph.resources.get(edge.source)
            if membership is None or membership.type not in _MEMBERSHIPS:
                continue
            group_attribute, user_attribute = _MEMBERSHIPS[membership.type]
            if not _names_path(edge.path, group_attribute):
                continue
            for user in graph.out_edges(membership.address, "reference"):
                if _names_path(user.path, user_attribute):
                    reach(graph.resources.get(user.target), (), "gets it (group member)")
    return out[:limit]
