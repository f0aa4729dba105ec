"""Which IAM conditions truly restrict a statement.

A condition restricts only when it requires the request to *match* something specific:
a positive operator (``StringEquals``, ``StringLike``, ``ArnEquals``, ``ArnLike``, ``Bool`` …)
with at least one value that is not a bare wildcard. It does not restrict when:

* the operator is negated (``StringNotEquals``, ``ArnNotLike`` …) — everything else passes;
* it is ``…IfExists`` on a key the request may lack (the condition is then true), unless the
  key is always present for the action (``iam:PassedToService`` on ``iam:PassRole``);
* it is ``ForAllValues:`` — true when the key is absent or empty;
* ``Null`` (tests presence only) — except ``Null aws:ResourceTag/<k> = false``, which
  requires the target to carry the tag (``narrowing``).

Keys are compared case-insensitively; a key ending in ``/`` in a key set matches every key with
that prefix (``aws:ResourceTag/`` matches ``aws:ResourceTag/team``).

``narrowing`` says which clauses narrow what an identity statement *reaches* (its target
resources, the one service-linked role or KMS alias, the path a request must come through):
the statement rules honour those, and only those. Conditions on the request's circumstances
(transport, region, time, MFA, source IP) narrow nothing: the statement still reaches every
resource.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from linter.iam import catalogue
from linter.iam.policy import ConditionClause, Statement
from linter.regex import lazy

POSITIVE_OPERATORS = frozenset(op.lower() for op in (
    "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "Bool",
    "NumericEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan",
    "NumericGreaterThanEquals", "DateEquals", "DateLessThan", "DateLessThanEquals",
    "DateGreaterThan", "DateGreaterThanEquals", "IpAddress", "BinaryEquals",
))

# Conditions that make a trust policy admit only the intended principals.
TRUST_RESTRICTING_KEYS = (
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalArn", "aws:PrincipalAccount",
    "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths",
    "sts:ExternalId", "aws:PrincipalTag/", "aws:userid",
)
MFA_KEYS = ("aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge")
# sts:ExternalId is AWS's documented guard for roles a service assumes for other accounts
# (Kinesis Data Firehose, QuickSight, third-party integrations)
CONFUSED_DEPUTY_KEYS = ("aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgID",
                        "aws:SourceOrgPaths", "sts:ExternalId")
# Conditions on the target resource of an action (ABAC): they narrow which resources it reaches.
TARGET_RESTRICTING_KEYS = (
    "aws:ResourceTag/", "iam:ResourceTag/", "ec2:ResourceTag/", "aws:ResourceAccount",
    "aws:ResourceOrgID", "aws:ResourceOrgPaths",
)

# Conditions that narrow where a statement on Resource "*" applies: the target's tags or owner,
# the service or source the request must come through, the KMS encryption context.
SCOPING_KEYS = (
    *TARGET_RESTRICTING_KEYS, "aws:SourceArn", "aws:SourceAccount", "aws:SourceVpce",
    "aws:SourceVpc", "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast",
    "kms:ViaService", "kms:EncryptionContext:", "kms:EncryptionContextKeys", "kms:CallerAccount",
    "s3:prefix", "ssm:resourceTag/",
)
# Keys that pin a statement to one target or access path whatever the resource is:
# iam:AWSServiceName (iam:CreateServiceLinkedRole … only that service's own role),
# kms:RequestAlias (only the key behind that alias), aws:ViaAWSService = true (only an AWS
# service acting for the principal, never a direct call). iam:PassedToService is not one: it
# names the service a role goes to, not which roles — iam:PassRole on "*" still reaches every
# role (the escalation judgement uses it per combination, ``analysis.grant_of``).
PINNING_KEYS = ("iam:AWSServiceName", "kms:RequestAlias", "aws:ViaAWSService")
# ARN-valued keys of the *principal* (they say who calls, not what is reached)
_PRINCIPAL_ARN_KEYS = ("aws:PrincipalArn", "aws:userid", "aws:PrincipalTag/")
_RESOURCE_TAG = lazy(r"^[a-z0-9-]+:resourcetag/.", re.IGNORECASE)
_ARN_OPERATORS = frozenset({"arnequals", "arnlike"})
# keys that every request of the action carries, so ``…IfExists`` on them still restricts
_ALWAYS_PRESENT = {
    "iam:createservicelinkedrole": ("iam:AWSServiceName",),
}
# verbs of actions that make a new resource (the request's tags are the new resource's tags)
_CREATE_VERBS = ("Create", "Run", "Allocate", "Launch", "Request", "Import")


def _key_matches(key: str, wanted: Iterable[str]) -> bool:
    lowered = key.lower()
    for candidate in wanted:
        c = candidate.lower()
        if (c.endswith(("/", ":")) and lowered.startswith(c)) or lowered == c:
            return True
    return False


def clause_restricts(clause: ConditionClause, always_present: Iterable[str] = ()) -> bool:
    base = clause.base.lower()
    if base not in POSITIVE_OPERATORS:
        return False
    if clause.set_op == "ForAllValues":
        return False
    if clause.if_exists and not _key_matches(clause.key, always_present):
        return False
    if base == "bool":
        return any(v.lower() == "true" for v in clause.values)
    # a value we could not evaluate (``!Sub arn:…:${AWS::AccountId}:…``, ``var.org_id``) is
    # taken as the specific value its author wrote
    return clause.unknown_values > 0 or any(v.strip() and set(v.strip()) != {"*"}
                                            for v in clause.values)


def restricting(statement: Statement, keys: Iterable[str],
                always_present: Iterable[str] = ()) -> tuple[ConditionClause, ...]:
    """The statement's clauses on ``keys`` that truly restrict it."""
    wanted = tuple(keys)
    return tuple(c for c in statement.conditions
                 if _key_matches(c.key, wanted) and clause_restricts(c, always_present))


def values_for(statement: Statement, key: str) -> tuple[str, ...] | None:
    """Values a restricting clause on ``key`` allows (None: the key is not restricted)."""
    found = restricting(statement, (key,), always_present=(key,))
    if not found:
        return None
    return tuple(v for clause in found for v in clause.values)


def mfa_required(statement: Statement) -> bool:
    for clause in statement.conditions:
        key = clause.key_lower
        if key == "aws:multifactorauthpresent" and clause_restricts(clause):
            return True
        if key == "aws:multifactorauthage" and clause.base.lower().startswith("numericless") \
                and not clause.if_exists:
            return True
    return False


def is_resource_tag_key(key: str) -> bool:
    """``aws:ResourceTag/<k>``, ``iam:ResourceTag/<k>``, ``ec2:ResourceTag/<k>`` …"""
    return bool(_RESOURCE_TAG.match(key))


def _tag_required(clause: ConditionClause) -> bool:
    """``Null {aws:ResourceTag/k: false}``: the target must carry the tag."""
    return (clause.base.lower() == "null" and not clause.set_op and is_resource_tag_key(clause.key)
            and bool(clause.values) and all(v.strip().lower() == "false" for v in clause.values))


def _specific_arn(value: str) -> bool:
    """An ARN that names something (``…:vpc/vpc-0a1b``), not every resource of a type."""
    parts = value.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    resource = parts[5]
    kind = re.match(r"[^/:]*[/:]", resource)  # the resource type (``vpc/``); none for S3
    rest = resource[kind.end():] if kind else resource
    return any(c not in "*?/:" for c in rest)


def _arn_restricts(clause: ConditionClause) -> bool:
    """An ARN condition on what the request reaches: a service's resource key (``ec2:Vpc``,
    ``iam:PolicyARN``, ``ecs:cluster``) or ``aws:SourceArn``, with a specific ARN."""
    key = clause.key_lower
    if key.startswith("aws:") and key != "aws:sourcearn":
        return False
    if _key_matches(clause.key, _PRINCIPAL_ARN_KEYS):
        return False
    arn_like = clause.base.lower() in _ARN_OPERATORS or (
        bool(clause.values) and all(v.startswith("arn:") for v in clause.values))
    if not arn_like:
        return False
    return clause.unknown_values > 0 or all(_specific_arn(v) for v in clause.values)


def _bound_to_principal_tag(clause: ConditionClause) -> bool:
    """``aws:RequestTag/<k> = ${aws:PrincipalTag/<k>}``: the new resource carries the caller's
    own tag value (the ABAC pattern of AWS's EKS Auto Mode policies)."""
    key = clause.key_lower
    if not key.startswith("aws:requesttag/") or clause.base.lower() not in (
            "stringequals", "stringequalsignorecase") or clause.set_op or clause.if_exists:
        return False
    tag = key[len("aws:requesttag/"):]
    wanted = "${aws:principaltag/" + tag + "}"
    return bool(clause.values) and all(v.strip().lower() == wanted for v in clause.values)


def is_create_action(action: str) -> bool:
    """An action that makes a new resource and does not (re)tag existing ones."""
    info = catalogue.lookup(action)
    if info is None:
        return False
    return info.name.startswith(_CREATE_VERBS) and "Tagging" not in info.access_levels


def narrowing(statement: Statement, action: str = "", *,
              keys: Iterable[str] = SCOPING_KEYS, pinning: Iterable[str] = PINNING_KEYS
              ) -> tuple[ConditionClause, ...]:
    """The clauses that narrow what ``statement`` reaches for ``action`` (for every action it
    covers when ``action`` is empty).

    A clause narrows when it truly restricts (``clause_restricts``) and is on one of ``keys``
    (target tags and owner, source, KMS context …) or ``pinning`` (service / alias / access
    path), is ``Null aws:ResourceTag/<k> = false``, is an ARN condition on a resource key with a
    specific ARN, or — for an action that creates resources — binds ``aws:RequestTag/<k>`` to
    ``${aws:PrincipalTag/<k>}``.
    """
    wanted = (*keys, *pinning)
    present = _ALWAYS_PRESENT.get(action.lower(), ())
    create = bool(action) and is_create_action(action)
    out: list[ConditionClause] = []
    for clause in statement.conditions:
        if _tag_required(clause):
            out.append(clause)
            continue
        if not clause_restricts(clause, present):
            continue
        if _key_matches(clause.key, wanted) or _arn_restricts(clause) or (
                create and _bound_to_principal_tag(clause)):
            out.append(clause)
    return tuple(out)


def describe(clauses: Iterable[ConditionClause]) -> str:
    """``aws:ResourceTag/team``, ``iam:AWSServiceName`` — the keys, for messages."""
    return ", ".join(f"`{k}`" for k in dict.fromkeys(c.key for c in clauses))
