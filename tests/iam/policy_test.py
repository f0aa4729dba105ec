from __future__ import annotations

from linter.iam.policy import Effect, statements_from_json
from linter.model import Unknown


def test_statement_object_or_list_and_string_or_list_values() -> None:
    single, _ = statements_from_json(
        {"Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": ["a", "b"]}}, (), "r", {})
    assert len(single) == 1
    assert single[0].effect is Effect.DENY
    assert [i.value for i in single[0].actions or ()] == ["s3:*"]
    assert [i.path for i in single[0].resources or ()] == [("Statement", "Resource", 0),
                                                           ("Statement", "Resource", 1)]


def test_principal_forms() -> None:
    found, _ = statements_from_json({"Statement": [
        {"Effect": "Allow", "Principal": "*"},
        {"Effect": "Allow", "Principal": {"aws": ["arn:x", "*"], "Service": "ec2.amazonaws.com"}},
        {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:y"}},
    ]}, (), "r", {})
    assert [(p.kind, p.value) for p in found[0].principals or ()] == [("*", "*")]
    assert [(p.kind, p.value) for p in found[1].principals or ()] == [
        ("AWS", "arn:x"), ("AWS", "*"), ("Service", "ec2.amazonaws.com")]
    assert found[2].principals is None
    assert [p.value for p in found[2].not_principals or ()] == ["arn:y"]


def test_unknowns_are_kept_per_statement() -> None:
    unknown = Unknown("var.actions")
    found, doc_unknowns = statements_from_json(
        {"Statement": [{"Effect": "Allow", "Action": unknown, "Resource": "*"}]}, (), "r", {})
    assert not doc_unknowns
    assert found[0].unknowns == (unknown,)
    _, whole = statements_from_json({"Statement": unknown}, (), "r", {})
    assert whole == (unknown,)


def test_conditions_normalized() -> None:
    found, _ = statements_from_json({"Statement": [{
        "Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"ForAnyValue:StringLike": {"aws:TagKeys": ["a", "b"]}}}]}, (), "r", {})
    clause = found[0].conditions[0]
    assert (clause.base, clause.set_op, clause.key_lower, clause.values) == (
        "StringLike", "ForAnyValue", "aws:tagkeys", ("a", "b"))
