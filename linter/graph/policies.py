"""Where policy documents come from: every Terraform and CloudFormation policy source.

Two views, both returning ``PolicyDocument``s:

* ``documents_in(resource, graph)`` — the documents a resource *itself* defines or attaches:
  an inline policy, a policy resource's document, a data document, a role's trust policy, the
  managed policies named by an attachment resource or a ``managed_policy_arns`` /
  ``ManagedPolicyArns`` list. Rules that judge "this policy" use it.
* ``policies_of(resource, graph)`` — the identity policies in force for a principal: a role,
  user or group (its inline policies, policy resources naming it, attachment resources, managed
  ARNs, a user's groups), or something that runs as a role (a Lambda function, an instance
  profile). Rules that judge "this principal" and the identity graph use it.

A policy attribute that refers to another resource (``data.aws_iam_policy_document.x.json``,
``aws_iam_policy.x.arn``, ``!Ref MyManagedPolicy``) arrives as an ``Unknown`` with ``refs``; the
referenced resource is looked up in the graph and its statements are used (their spans point
into that resource). An AWS managed policy is judged by the shipped document
(``linter.iam.managed``); one that is not shipped gives a document with an Unknown (a note).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from linter.graph.graph import Graph
from linter.iam import managed
from linter.iam.datadoc import data_document_statements
from linter.iam.policy import DocKind, Item, PolicyDocument, Statement, statements_from_json
from linter.json_positions import decode_json, lenient_json, text_spans
from linter.model import Path, Resource, Span, Unknown
from linter.regex import lazy

# Terraform: resource type → (policy attribute, kind)
TF_POLICY_ATTRIBUTE: dict[str, str] = {
    "aws_iam_policy": "policy",
    "aws_iam_role_policy": "policy",
    "aws_iam_user_policy": "policy",
    "aws_iam_group_policy": "policy",
    "aws_ssoadmin_permission_set_inline_policy": "inline_policy",
}
# Terraform attachment resources: type → (ARN attribute, principal attributes)
TF_ATTACHMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "aws_iam_role_policy_attachment": ("policy_arn", ("role",)),
    "aws_iam_user_policy_attachment": ("policy_arn", ("user",)),
    "aws_iam_group_policy_attachment": ("policy_arn", ("group",)),
    "aws_iam_policy_attachment": ("policy_arn", ("roles", "users", "groups")),
    "aws_iam_role_policy_attachments_exclusive": ("policy_arns", ("role_name",)),
    "aws_iam_user_policy_attachments_exclusive": ("policy_arns", ("user_name",)),
    "aws_iam_group_policy_attachments_exclusive": ("policy_arns", ("group_name",)),
    "aws_ssoadmin_managed_policy_attachment": ("managed_policy_arn", ()),
}
# Terraform inline policy resources: type → principal attribute
TF_INLINE_PRINCIPAL: dict[str, str] = {
    "aws_iam_role_policy": "role",
    "aws_iam_user_policy": "user",
    "aws_iam_group_policy": "group",
}
TF_PRINCIPALS = ("aws_iam_role", "aws_iam_user", "aws_iam_group")
CFN_PRINCIPALS = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
CFN_POLICIES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
_CFN_LIST_OF = {"AWS::IAM::Role": "Roles", "AWS::IAM::User": "Users", "AWS::IAM::Group": "Groups"}
_TF_LIST_OF = {"aws_iam_role": ("role", "roles", "role_name"),
               "aws_iam_user": ("user", "users", "user_name"),
               "aws_iam_group": ("group", "groups", "group_name")}
DATA_DOCUMENT = "aws_iam_policy_document"
DATA_MANAGED = "aws_iam_policy"

_INDEX = lazy(r"\[[^\]]*\]$")


# ------------------------------------------------------------------------------ decoding


def _lookup(graph: Graph, address: str) -> Resource | None:
    found = graph.resources.get(address)
    if found is not None:
        return found
    bare = _INDEX.sub("", address)
    if bare in graph.resources:
        return graph.resources[bare]
    for candidate, resource in graph.resources.items():  # x[0] referenced as x (count)
        if _INDEX.sub("", candidate) == bare:
            return resource
    return None


def _referenced(value: Unknown, graph: Graph) -> list[Resource]:
    out: list[Resource] = []
    for ref in value.refs:
        # refs may carry an attribute suffix (data.aws_iam_policy_document.x.json)
        parts = ref.split(".")
        for cut in range(len(parts), 1, -1):
            found = _lookup(graph, ".".join(parts[:cut]))
            if found is not None:
                out.append(found)
                break
    return out


def _resource_type(resource: Resource) -> str:
    return resource.type


def _cfn_properties(resource: Resource) -> dict[str, Any]:
    props = resource.attributes.get("Properties")
    return props if isinstance(props, dict) else {}


def decode_policy(value: Any, holder: Resource, path: Path, graph: Graph,
                  seen: frozenset[str] = frozenset()
                  ) -> tuple[tuple[Statement, ...], tuple[Unknown, ...], str]:
    """A policy value (object, JSON string, or Unknown referring to a document resource) →
    (statements, unknowns, address of the resource that holds the statements)."""
    if isinstance(value, dict):
        statements, unknowns = statements_from_json(value, path, holder.address, holder.spans,
                                                    holder.file)
        return statements, unknowns, holder.address
    if isinstance(value, str):
        if not value.strip():
            return (), (), holder.address
        decoded, error = decode_json(value)
        invalid: tuple[Unknown, ...] = ()
        if error:
            # IAM rejects it, but the intent is clear (a trailing comma, say): judge what it
            # says, and note that it does not parse
            invalid = (Unknown(value.strip()[:60], f"the policy is not valid JSON: {error}",
                               holder.span_at(path)),)
            decoded = lenient_json(value)
            if decoded is None:
                return (), invalid, holder.address
        spans: Mapping[Path, Span] = holder.spans
        extra = text_spans(value, holder.span_at(path), path)
        for origin in holder.origins.get(path, ()):  # text read from a file (file(), …)
            extra = extra or text_spans(value, origin, path)
        if extra:
            spans = {**extra, **dict(holder.spans)}
        statements, unknowns = statements_from_json(decoded, path, holder.address, spans,
                                                    holder.file)
        return statements, (*invalid, *unknowns), holder.address
    if isinstance(value, Unknown):
        for target in _referenced(value, graph):
            if target.address in seen:
                continue
            found = _statements_of_target(target, graph, seen | {holder.address})
            if found is not None:
                return found
        if isinstance(value.partial, dict):  # jsonencode({...}) with unknown parts inside
            statements, unknowns = statements_from_json(value.partial, path, holder.address,
                                                        holder.spans, holder.file)
            return statements, unknowns, holder.address
        return (), (value,), holder.address
    if value is None:
        return (), (), holder.address
    return (), (Unknown(repr(value)[:60], "the policy is neither an object nor a JSON string",
                        holder.span_at(path)),), holder.address


def _statements_of_target(target: Resource, graph: Graph, seen: frozenset[str]
                          ) -> tuple[tuple[Statement, ...], tuple[Unknown, ...], str] | None:
    """The statements of a referenced document resource (data document, policy resource)."""
    if target.kind == "data" and target.type == DATA_DOCUMENT:
        statements, unknowns = data_document_statements(
            target, lambda v, r, p: decode_policy(v, r, p, graph, seen | {target.address})[:2])
        return statements, unknowns, target.address
    attribute = TF_POLICY_ATTRIBUTE.get(target.type)
    if attribute is not None:
        return decode_policy(target.attributes.get(attribute), target, (attribute,), graph,
                             seen | {target.address})
    if target.type in CFN_POLICIES:
        return decode_policy(_cfn_properties(target).get("PolicyDocument"), target,
                             ("Properties", "PolicyDocument"), graph, seen | {target.address})
    return None


def _document(holder: Resource, path: Path, kind: DocKind, label: str,
              result: tuple[tuple[Statement, ...], tuple[Unknown, ...], str],
              source: str = "inline") -> PolicyDocument:
    statements, unknowns, _address = result
    return PolicyDocument(statements, kind, holder.address, path, label, holder.file,
                          holder.spans, unknowns, source=source)


# ------------------------------------------------------------------------- managed policies


def managed_document(value: Any, holder: Resource, path: Path, graph: Graph,
                     seen: frozenset[str] = frozenset()) -> PolicyDocument | None:
    """The document behind one policy ARN value of an attachment (None: nothing attached)."""
    if value is None:
        return None
    name = managed.aws_managed_name(value)
    if name is not None:
        policy = managed.lookup(name)
        if policy is None:
            return PolicyDocument((), DocKind.IDENTITY, holder.address, path,
                                  f"AWS managed policy {name}", holder.file, holder.spans,
                                  (Unknown(_text(value), f"AWS managed policy {name} is not in "
                                           "iaclint's data file of high-risk managed policies",
                                           holder.span_at(path)),),
                                  managed_arn=f"arn:aws:iam::aws:policy/{name}",
                                  source="aws-managed")
        statements, unknowns = statements_from_json(policy.document, (), f"aws:{name}", {},
                                                    holder.file)
        # managed statements have no source position: point them at the ARN in the holder
        statements = tuple(_relocate(s, holder, path) for s in statements)
        return PolicyDocument(statements, DocKind.IDENTITY, holder.address, path,
                              f"AWS managed policy {name} ({policy.version}, "
                              f"{policy.updated})", holder.file, holder.spans, unknowns,
                              managed_arn=policy.arn(), version=policy.version,
                              source="aws-managed")
    if isinstance(value, Unknown):
        for target in _referenced(value, graph):
            if target.address in seen:
                continue
            if target.kind == "data" and target.type == DATA_MANAGED:
                for attr in ("arn", "name"):
                    raw = target.attributes.get(attr)
                    if isinstance(raw, str):
                        arn = raw if attr == "arn" else f"arn:aws:iam::aws:policy/{raw}"
                        return managed_document(arn, holder, path, graph, seen | {target.address})
                continue
            found = _statements_of_target(target, graph, seen | {holder.address})
            if found is not None:
                return _document(holder, path, DocKind.IDENTITY,
                                 f"policy {target.address}", found, "attached")
        return PolicyDocument((), DocKind.IDENTITY, holder.address, path, "attached policy",
                              holder.file, holder.spans, (value,), source="attached")
    if isinstance(value, str):  # a customer managed ARN: find the policy resource by name
        name = value.rsplit("/", 1)[-1]
        for candidate in graph.of_type("aws_iam_policy"):
            if candidate.attributes.get("name") == name and candidate.address not in seen:
                found = _statements_of_target(candidate, graph, seen | {holder.address})
                if found is not None:
                    return _document(holder, path, DocKind.IDENTITY,
                                     f"policy {candidate.address}", found, "attached")
        return PolicyDocument((), DocKind.IDENTITY, holder.address, path, f"policy {value}",
                              holder.file, holder.spans,
                              (Unknown(value, "the attached policy is not defined in the "
                                       "scanned files", holder.span_at(path)),),
                              source="attached")
    return None


def _relocate(statement: Statement, holder: Resource, path: Path) -> Statement:
    """A shipped managed-policy statement has no source: every node points at the ARN."""

    def moved(items: tuple[Item, ...] | None) -> tuple[Item, ...] | None:
        return None if items is None else tuple(replace(i, path=path) for i in items)

    return replace(
        statement, path=path, address=holder.address, spans=holder.spans, file=holder.file,
        actions=moved(statement.actions), not_actions=moved(statement.not_actions),
        resources=moved(statement.resources), not_resources=moved(statement.not_resources),
        conditions=tuple(replace(c, path=path) for c in statement.conditions),
    )


def _text(value: Any) -> str:
    return value.expression if isinstance(value, Unknown) else str(value)


def _arn_values(value: Any, path: Path) -> list[tuple[Any, Path]]:
    if isinstance(value, list):
        return [(v, (*path, i)) for i, v in enumerate(value)]
    if value is None:
        return []
    return [(value, path)]


# --------------------------------------------------------------------------- documents_in


def _data_document_kind(resource: Resource, statements: Iterable[Statement],
                        graph: Graph) -> DocKind:
    for edge in graph.in_edges(resource.address):
        source = graph.resources.get(edge.source)
        if source is None:
            continue
        if (source.type == "aws_iam_role" and edge.path[:1] == ("assume_role_policy",)) or (
                source.type == "AWS::IAM::Role"
                and edge.path[:2] == ("Properties", "AssumeRolePolicyDocument")):
            return DocKind.TRUST
    statements = tuple(statements)
    if any(s.principals or s.not_principals for s in statements):
        actions = [a.value.lower() for s in statements for a in (s.actions or ())]
        if all(a.startswith("sts:") or a == "*" for a in actions):
            return DocKind.TRUST  # principals and only sts actions (or none): a trust policy
        return DocKind.RESOURCE
    return DocKind.IDENTITY


def documents_in(resource: Resource, graph: Graph) -> list[PolicyDocument]:
    """Documents the resource itself defines or attaches (see the module docstring); computed
    once per graph and resource."""
    return list(graph.remembered("documents_in", resource,
                                 lambda: _documents_in(resource, graph)))


def _documents_in(resource: Resource, graph: Graph) -> list[PolicyDocument]:
    rtype = resource.type
    attrs = resource.attributes
    out: list[PolicyDocument] = []

    def add(value: Any, path: Path, kind: DocKind, label: str) -> None:
        out.append(_document(resource, path, kind, label,
                             decode_policy(value, resource, path, graph)))

    def add_managed(value: Any, path: Path) -> None:
        for arn, arn_path in _arn_values(value, path):
            doc = managed_document(arn, resource, arn_path, graph)
            if doc is not None:
                out.append(doc)

    if resource.kind == "data" and rtype == DATA_DOCUMENT:
        statements, unknowns = data_document_statements(
            resource, lambda v, r, p: decode_policy(v, r, p, graph,
                                                    frozenset({resource.address}))[:2])
        out.append(PolicyDocument(statements, _data_document_kind(resource, statements, graph),
                                  resource.address, (), "policy document", resource.file,
                                  resource.spans, unknowns))
    elif resource.kind == "data" and rtype == DATA_MANAGED:
        for attr in ("arn", "name"):
            raw = attrs.get(attr)
            if isinstance(raw, str) and raw:
                arn = raw if attr == "arn" else f"arn:aws:iam::aws:policy/{raw}"
                if managed.aws_managed_name(arn) is not None:
                    doc = managed_document(arn, resource, (attr,), graph)
                    if doc is not None:
                        out.append(doc)
                break
    elif rtype in TF_POLICY_ATTRIBUTE:
        attribute = TF_POLICY_ATTRIBUTE[rtype]
        add(attrs.get(attribute), (attribute,), DocKind.IDENTITY, "policy")
    elif rtype == "aws_iam_role":
        add(attrs.get("assume_role_policy"), ("assume_role_policy",), DocKind.TRUST,
            "trust policy")
        _tf_inline_blocks(resource, add)
        add_managed(attrs.get("managed_policy_arns"), ("managed_policy_arns",))
    elif rtype in TF_ATTACHMENTS:
        attribute = TF_ATTACHMENTS[rtype][0]
        add_managed(attrs.get(attribute), (attribute,))
    elif rtype in CFN_POLICIES:
        add(_cfn_properties(resource).get("PolicyDocument"), ("Properties", "PolicyDocument"),
            DocKind.IDENTITY, "policy")
    elif rtype in CFN_PRINCIPALS:
        props = _cfn_properties(resource)
        if rtype == "AWS::IAM::Role":
            add(props.get("AssumeRolePolicyDocument"), ("Properties", "AssumeRolePolicyDocument"),
                DocKind.TRUST, "trust policy")
        _cfn_inline_policies(resource, add)
        add_managed(props.get("ManagedPolicyArns"), ("Properties", "ManagedPolicyArns"))
    elif rtype == "AWS::SSO::PermissionSet":
        props = _cfn_properties(resource)
        if props.get("InlinePolicy") is not None:
            add(props.get("InlinePolicy"), ("Properties", "InlinePolicy"), DocKind.IDENTITY,
                "inline policy")
        add_managed(props.get("ManagedPolicies"), ("Properties", "ManagedPolicies"))
    return out


def _tf_inline_blocks(resource: Resource, add: Any) -> None:
    blocks = resource.attributes.get("inline_policy")
    if isinstance(blocks, dict):
        blocks = [blocks]
    if isinstance(blocks, Unknown):
        add(blocks, ("inline_policy",), DocKind.IDENTITY, "inline policy")
        return
    for index, block in enumerate(blocks if isinstance(blocks, list) else []):
        if isinstance(block, dict) and block.get("policy") is not None:
            name = block.get("name")
            add(block.get("policy"), ("inline_policy", index, "policy"), DocKind.IDENTITY,
                f"inline policy {name!r}" if isinstance(name, str) else "inline policy")


def _cfn_inline_policies(resource: Resource, add: Any) -> None:
    policies = _cfn_properties(resource).get("Policies")
    if isinstance(policies, Unknown):
        add(policies, ("Properties", "Policies"), DocKind.IDENTITY, "inline policy")
        return
    for index, entry in enumerate(policies if isinstance(policies, list) else []):
        if isinstance(entry, Unknown):
            add(entry, ("Properties", "Policies", index), DocKind.IDENTITY, "inline policy")
        elif isinstance(entry, dict):
            name = entry.get("PolicyName")
            add(entry.get("PolicyDocument"), ("Properties", "Policies", index, "PolicyDocument"),
                DocKind.IDENTITY,
                f"inline policy {name!r}" if isinstance(name, str) else "inline policy")


def trust_policy_of(resource: Resource, graph: Graph) -> PolicyDocument | None:
    """A role's assume-role policy (None when the resource is not a role)."""
    for doc in documents_in(resource, graph):
        if doc.kind is DocKind.TRUST and doc.address == resource.address and doc.path in (
                ("assume_role_policy",), ("Properties", "AssumeRolePolicyDocument")):
            return doc
    return None


# --------------------------------------------------------------------------- policies_of


def _names(resource: Resource) -> set[str]:
    attrs = resource.attributes
    props = _cfn_properties(resource)
    out = set()
    for value in (attrs.get("name"), props.get("RoleName"), props.get("UserName"),
                  props.get("GroupName")):
        if isinstance(value, str) and value:
            out.add(value)
    return out


def _names_principal(value: Any, names: set[str], address: str) -> bool:
    """Whether an attribute value (string, list, Unknown) designates the principal."""
    if isinstance(value, list):
        return any(_names_principal(v, names, address) for v in value)
    if isinstance(value, str):
        return value in names or value.rsplit("/", 1)[-1] in names
    if isinstance(value, Unknown):
        return any(ref == address or ref.startswith(address + ".") for ref in value.refs)
    return False


def _designations(value: Any, out: set[str]) -> None:
    """The names and addresses an attribute value (string, list, Unknown) designates."""
    if isinstance(value, list):
        for item in value:
            _designations(item, out)
    elif isinstance(value, str):
        out.add(value)
        out.add(value.rsplit("/", 1)[-1])
    elif isinstance(value, Unknown):
        for ref in value.refs:
            parts = ref.split(".")
            out.update(".".join(parts[:cut]) for cut in range(1, len(parts) + 1))


def _attachers(graph: Graph) -> dict[tuple[str, str], list[Resource]]:
    """(principal attribute or CFN list key, name or address) → the resources that attach a
    policy there: built once per graph, so finding a principal's policies is a lookup instead
    of a scan of every attachment."""
    index: dict[tuple[str, str], list[Resource]] | None = graph.memo.get(("attachers", ""))
    if index is not None:
        return index
    index = {}
    principal_attributes = {a for attributes in _TF_LIST_OF.values() for a in attributes}
    for source in graph.of_type(*TF_INLINE_PRINCIPAL, *TF_ATTACHMENTS):
        for attribute in principal_attributes:
            names: set[str] = set()
            _designations(source.attributes.get(attribute), names)
            for name in names:
                index.setdefault((attribute, name), []).append(source)
    for policy in graph.of_type(*CFN_POLICIES):
        for key in _CFN_LIST_OF.values():
            names = set()
            _designations(_cfn_properties(policy).get(key), names)
            for name in names:
                index.setdefault((key, name), []).append(policy)
    graph.memo[("attachers", "")] = index
    return index


def _attached_to(principal: Resource, graph: Graph) -> list[Resource]:
    """Resources that attach a policy to ``principal`` (inline policy resources, attachments,
    CloudFormation policies listing it)."""
    names = _names(principal)
    found: dict[str, Resource] = {}
    index = _attachers(graph)
    if principal.format.value == "cloudformation":
        key = _CFN_LIST_OF.get(principal.type, "")
        for name in (*names, principal.address):
            for policy in index.get((key, name), ()):
                if _names_principal(_cfn_properties(policy).get(key), names,
                                    principal.address):
                    found[policy.address] = policy
        for edge in graph.in_edges(principal.address):
            source = graph.resources.get(edge.source)
            if source is not None and source.type in CFN_POLICIES and edge.path[:2] == (
                    "Properties", key):
                found[source.address] = source
        return list(found.values())
    attributes = _TF_LIST_OF.get(principal.type, ())
    for attribute in attributes:
        for name in (*names, principal.address):
            for source in index.get((attribute, name), ()):
                if _names_principal(source.attributes.get(attribute), names, principal.address):
                    found[source.address] = source
    for edge in graph.in_edges(principal.address):
        source = graph.resources.get(edge.source)
        if source is not None and (source.type in TF_INLINE_PRINCIPAL
                                   or source.type in TF_ATTACHMENTS) and (
                not edge.path or edge.path[0] in attributes):
            found[source.address] = source
    return list(found.values())


def _groups_of_user(user: Resource, graph: Graph) -> list[Resource]:
    names = _names(user)
    groups: dict[str, Resource] = {}
    if user.format.value == "cloudformation":
        for target in _refs_in(_cfn_properties(user).get("Groups"), graph):
            if target.type == "AWS::IAM::Group":
                groups[target.address] = target
        for addition in graph.of_type("AWS::IAM::UserToGroupAddition"):
            props = _cfn_properties(addition)
            if _names_principal(props.get("Users"), names, user.address):
                for target in _refs_in(props.get("GroupName"), graph):
                    groups[target.address] = target
                _by_name(props.get("GroupName"), graph, "AWS::IAM::Group", groups)
        return list(groups.values())
    for membership in graph.of_type("aws_iam_user_group_membership"):
        attrs = membership.attributes
        if _names_principal(attrs.get("user"), names, user.address):
            for target in _refs_in(attrs.get("groups"), graph):
                groups[target.address] = target
            _by_name(attrs.get("groups"), graph, "aws_iam_group", groups)
    for membership in graph.of_type("aws_iam_group_membership"):
        attrs = membership.attributes
        if _names_principal(attrs.get("users"), names, user.address):
            for target in _refs_in(attrs.get("group"), graph):
                groups[target.address] = target
            _by_name(attrs.get("group"), graph, "aws_iam_group", groups)
    return [g for g in groups.values() if g.type in ("aws_iam_group", "AWS::IAM::Group")]


def _refs_in(value: Any, graph: Graph) -> list[Resource]:
    if isinstance(value, list):
        return [r for v in value for r in _refs_in(v, graph)]
    if isinstance(value, Unknown):
        return _referenced(value, graph)
    return []


def _by_name(value: Any, graph: Graph, rtype: str, into: dict[str, Resource]) -> None:
    values = value if isinstance(value, list) else [value]
    for candidate in graph.of_type(rtype):
        if any(isinstance(v, str) and v in _names(candidate) for v in values):
            into[candidate.address] = candidate


def roles_of(resource: Resource, graph: Graph) -> list[Resource]:
    """The role(s) something runs as: a Lambda function's role, an instance profile's role."""
    if resource.type in ("aws_iam_role", "AWS::IAM::Role"):
        return [resource]
    if resource.type == "aws_lambda_function":
        value = resource.attributes.get("role")
    elif resource.type == "AWS::Lambda::Function":
        value = _cfn_properties(resource).get("Role")
    elif resource.type == "aws_iam_instance_profile":
        value = [resource.attributes.get("role"), resource.attributes.get("roles")]
    elif resource.type == "AWS::IAM::InstanceProfile":
        value = _cfn_properties(resource).get("Roles")
    else:
        return []
    found: dict[str, Resource] = {}
    for target in _refs_in(value, graph):
        if target.type in ("aws_iam_role", "AWS::IAM::Role"):
            found[target.address] = target
    rtype = "AWS::IAM::Role" if resource.format.value == "cloudformation" else "aws_iam_role"
    flat = value if isinstance(value, list) else [value]
    names = [v.rsplit("/", 1)[-1] for v in _flatten(flat) if isinstance(v, str)]
    _by_name(names, graph, rtype, found)
    return list(found.values())


def _flatten(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if isinstance(value, list):
            out.extend(_flatten(value))
        elif value is not None:
            out.append(value)
    return out


def policies_of(resource: Resource, graph: Graph) -> list[PolicyDocument]:
    """The identity policies in force for a principal (see ``_policies_of``), computed once
    per graph and resource."""
    return list(graph.remembered("policies_of", resource,
                                 lambda: _policies_of(resource, graph)))


def _policies_of(resource: Resource, graph: Graph) -> list[PolicyDocument]:
    """The identity policies in force for a principal, or for what runs as a role.

    Role / user / group (both formats): inline policies, ``managed_policy_arns`` /
    ``ManagedPolicyArns``, ``aws_iam_*_policy`` resources naming it, every attachment resource
    naming it, CloudFormation ``AWS::IAM::Policy`` / ``ManagedPolicy`` listing it in
    ``Roles`` / ``Users`` / ``Groups``; a user also gets its groups' policies. A Lambda function
    or an instance profile gets its role's. Trust policies are not included (see
    ``trust_policy_of``). Each document keeps ``address`` = the resource that defines or
    attaches it, so a finding can say where the permission comes from.
    """
    principals = roles_of(resource, graph) or (
        [resource] if resource.type in TF_PRINCIPALS + CFN_PRINCIPALS else [])
    out: list[PolicyDocument] = []
    seen: set[tuple[str, Path]] = set()
    queue = list(principals)
    if resource.type in ("aws_iam_user", "AWS::IAM::User"):
        queue.extend(_groups_of_user(resource, graph))
    for principal in queue:
        for holder in [principal, *_attached_to(principal, graph)]:
            for doc in documents_in(holder, graph):
                if doc.kind is DocKind.TRUST or (doc.address, doc.path) in seen:
                    continue
                seen.add((doc.address, doc.path))
                out.append(doc)
    return out
