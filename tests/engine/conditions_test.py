from __future__ import annotations

import itertools
from typing import Any

import pytest

from linter.checks.context import RuleContext
from linter.engine.conditions import all_of, any_of, evaluate_condition, negate
from linter.engine.params import bind
from linter.model import Outcome, Span, Tri, Unknown
from linter.options import HopLimitException, ScanOptions
from tests.engine.engine_builders import cfn, ctx, graph_of, tf

T, F, U = Tri.TRUE, Tri.FALSE, Tri.UNKNOWN


def verdict(condition: dict[str, Any], attributes: dict[str, Any], **kw: Any) -> Tri:
    return evaluate_condition(condition, ctx(tf("aws_instance.x", attributes), **kw)).verdict


def mo(**settings: Any) -> dict[str, Any]:
    return {"metadata_options": [settings]}


# ---------------------------------------------------------------- Kleene logic


def _const(v: Tri) -> Outcome:
    return Outcome(v)


@pytest.mark.parametrize(("a", "b"), list(itertools.product([T, F, U], repeat=2)))
def test_kleene_truth_tables(a: Tri, b: Tri) -> None:
    order = {F: 0, U: 1, T: 2}
    expected_and = min((a, b), key=order.__getitem__)
    expected_or = max((a, b), key=order.__getitem__)
    assert all_of([_const(a), _const(b)]).verdict is expected_and
    assert any_of([_const(a), _const(b)]).verdict is expected_or
    assert negate(_const(a)).verdict is {T: F, F: T, U: U}[a]


def test_unknown_does_not_hide_a_decisive_operand() -> None:
    unknown = {"path": "metadata_options.http_tokens", "equals": "required"}
    decided_false = {"path": "ami", "equals": "other"}
    decided_true = {"path": "ami", "equals": "ami-1"}
    attrs = {"ami": "ami-1", **mo(http_tokens=Unknown("var.tokens"))}
    assert verdict({"all": [unknown, decided_false]}, attrs) is F
    assert verdict({"all": [unknown, decided_true]}, attrs) is U
    assert verdict({"any": [unknown, decided_true]}, attrs) is T
    assert verdict({"any": [unknown, decided_false]}, attrs) is U
    assert verdict({"not": unknown}, attrs) is U


def test_unknown_outcome_carries_the_unknowns() -> None:
    tokens = Unknown("var.tokens", span=Span("main.tf", 9))
    resource = tf("aws_instance.x", mo(http_tokens=tokens))
    outcome = evaluate_condition(
        {"not": {"path": "metadata_options.http_tokens", "equals": "required"}}, ctx(resource))
    assert outcome.verdict is U
    assert outcome.unknowns == (tokens,)


# ---------------------------------------------------------------- path conditions


def test_absent_path_makes_every_operator_false_except_exists_false() -> None:
    for op, arg in [("equals", "x"), ("not-equals", "x"), ("in", ["x"]), ("matches", ".*"),
                    ("contains", "x"), ("gt", 0), ("lt", 9), ("exists", True)]:
        assert verdict({"path": "metadata_options.http_tokens", op: arg}, {}) is F, op
    assert verdict({"path": "metadata_options.http_tokens", "exists": False}, {}) is T
    assert verdict({"path": "metadata_options.http_tokens", "exists": False}, mo()) is T


def test_null_is_absent() -> None:
    attrs = mo(http_tokens=None)
    assert verdict({"path": "metadata_options.http_tokens", "exists": True}, attrs) is F
    assert verdict({"not": {"path": "metadata_options.http_tokens", "equals": "required"}},
                   attrs) is T


def test_exists() -> None:
    assert verdict({"path": "metadata_options", "exists": True}, mo()) is T
    assert verdict({"path": "metadata_options.http_tokens", "exists": True},
                   mo(http_tokens="optional")) is T
    # a value that may turn out null cannot be said to exist
    assert verdict({"path": "metadata_options.http_tokens", "exists": True},
                   mo(http_tokens=Unknown("var.t"))) is U


def test_unknown_block_half_way_is_unknown() -> None:
    attrs = {"metadata_options": Unknown("dynamic block")}
    assert verdict({"path": "metadata_options.http_tokens", "equals": "required"}, attrs) is U
    assert verdict({"path": "metadata_options.http_tokens", "exists": False}, attrs) is U


def test_numeric_type_mismatch_is_unknown_with_an_explanation() -> None:
    resource = tf("aws_instance.x", mo(http_put_response_hop_limit="lots"))
    outcome = evaluate_condition(
        {"path": "metadata_options.http_put_response_hop_limit", "gt": 1}, ctx(resource))
    assert outcome.verdict is U
    assert "compares numbers only" in outcome.unknowns[0].reason
    assert outcome.unknowns[0].span == resource.spans[("metadata_options", 0,
                                                       "http_put_response_hop_limit")]


def test_numeric_strings_are_numbers() -> None:
    cond = {"path": "metadata_options.http_put_response_hop_limit", "gt": 1}
    assert verdict(cond, mo(http_put_response_hop_limit="1")) is F
    assert verdict(cond, mo(http_put_response_hop_limit="3")) is T
    assert verdict(cond, mo(http_put_response_hop_limit=2)) is T


def test_several_blocks_are_or_ed() -> None:
    attrs: dict[str, Any] = {"ebs_block_device": [{"encrypted": True}, {"encrypted": False}]}
    assert verdict({"path": "ebs_block_device.encrypted", "equals": False}, attrs) is T
    assert verdict({"not": {"path": "ebs_block_device.encrypted", "equals": False}}, attrs) is F
    attrs["ebs_block_device"].append({"encrypted": Unknown("var.e")})
    assert verdict({"path": "ebs_block_device.encrypted", "equals": False}, attrs) is T
    assert verdict({"path": "ebs_block_device.encrypted", "equals": "nope"}, attrs) is U


def test_outcome_evidence_survives_not() -> None:
    resource = tf("aws_instance.x", mo(http_tokens="optional"))
    outcome = evaluate_condition(
        {"not": {"path": "metadata_options.http_tokens", "equals": "required"}}, ctx(resource))
    assert outcome.verdict is T
    assert outcome.paths == (("metadata_options", 0, "http_tokens"),)
    assert outcome.details["value"] == "optional"
    assert outcome.details["expected"] == "required"
    assert outcome.details["values"] == {"metadata_options.http_tokens": "optional"}


def test_type_condition() -> None:
    resource = cfn("T", "AWS::EC2::LaunchTemplate", {})
    assert evaluate_condition({"type": "AWS::EC2::LaunchTemplate"}, ctx(resource)).verdict is T
    assert evaluate_condition({"type": ["AWS::EC2::Instance"]}, ctx(resource)).verdict is F


# ---------------------------------------------------------------- parameters


def test_bound_parameters_are_plain_arguments() -> None:
    where = {"path": "metadata_options.http_put_response_hop_limit",
             "gt": {"param": "max_hop_limit"}}
    attrs = mo(http_put_response_hop_limit=2)
    assert evaluate_condition(bind(where, {"max_hop_limit": 1}),
                              ctx(tf("aws_instance.x", attrs))).verdict is T
    outcome = evaluate_condition(bind(where, {"max_hop_limit": 2}),
                                 ctx(tf("aws_instance.x", attrs)))
    assert outcome.verdict is F
    assert outcome.details["max"] == 2


@pytest.mark.parametrize(
    ("resource", "allowed"),
    [
        (tf("aws_instance.tagged", {"tags": {"role": "container-host"}}), 2),
        (tf("aws_instance.other", {"tags": {"role": "web"}}), 1),
        (cfn("Tagged", "AWS::EC2::Instance",
             {"Tags": [{"Key": "role", "Value": "container-host"}]}), 2),
        (tf("module.legacy.aws_instance.x", {}), 4),
    ],
)
def test_hop_limit_exceptions_are_resolved_per_resource(resource: Any, allowed: int) -> None:
    options = ScanOptions(hop_limit_exceptions=(
        HopLimitException(max=2, tags={"role": "container-host"}),
        HopLimitException(max=4, addresses=("module.legacy.*",)),
    ))
    where = {"predicate": "imds-effective",
             "with": {"check": "hop-limit-too-high", "max_hop_limit": 1}}
    for hop in (allowed, allowed + 1):
        if resource.format.value == "terraform":
            attrs = {**resource.attributes, **mo(http_put_response_hop_limit=hop)}
        else:
            attrs = {**resource.attributes, "Properties": {
                **resource.attributes.get("Properties", {}),
                "MetadataOptions": {"HttpPutResponseHopLimit": hop}}}
        changed = type(resource)(**{**resource.__dict__, "attributes": attrs})
        context = RuleContext(changed, graph_of(changed), options)
        expected = T if hop > allowed else F
        assert evaluate_condition(where, context).verdict is expected, hop
