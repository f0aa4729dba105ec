"""Which IAM conditions truly restrict a statement.

A condition restricts only when it requires the request to *match* something specific:
a positive operator (``StringEquals``, ``StringLike``, ``ArnEquals``, ``ArnLike``, ``Bool`` …)
with at least one value that is not a bare wildcard. It does not restrict when:

* the operator is negated (``StringNotEquals``, ``ArnNotLike`` …) — everything else passes;
* it is ``…IfExists`` on a key the request may lack (the condition is then true), unless the
  key is always present for the action (``iam:PassedToService`` on ``iam:PassRole``);
* it is ``ForAllValues:`` — true when the key is absent or empty;
* ``Null`` (tests presence only).

Keys are compared case-insensitively; a key ending in ``/`` in a key set matches every key with
that prefix (``aws:ResourceTag/`` matches ``aws:ResourceTag/team``).
"""

from __future__ import annotations

from collections.abc import Iterable

from linter.iam.policy import ConditionClause, Statement

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
CONFUSED_DEPUTY_KEYS = ("aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgID",
                        "aws:SourceOrgPaths")
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
