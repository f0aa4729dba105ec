from __future__ import annotations

import copy
import dataclasses
import pathlib
from typing import Any

import pytest

from linter.checks.table import PREDICATES
from linter.engine import evaluate
from linter.engine.evaluate import (
    PreparedRule,
    locate,
    prepare,
    resources_for,
    resources_of_types,
    rule_selected,
    run_rules,
    severity_for,
)
from linter.engine.loader import bundled_rules_dir, load_rules, rule_from_data
from linter.engine.params import bind, parameter_values
from linter.model import Format, Outcome, Severity, Span, Unknown
from linter.options import ScanOptions
from linter.pipeline import scan
from linter.rule import Rule
from tests.engine.engine_builders import cfn, graph_of, tf
from tests.engine.loader_test import VALID


@pytest.fixture(scope="module")
def bundled() -> list[Rule]:
    return [r for r in load_rules([bundled_rules_dir()]) if r.id in ("IAC0101", "IAC0102")]


def run(rules: list[Rule], *resources: Any, options: ScanOptions | None = None) -> Any:
    options = options or ScanOptions()
    return run_rules(prepare(rules, options), graph_of(*resources), options)


def lines(findings: Any, rule_id: str) -> dict[str, int]:
    return {f.address: f.span.start_line for f in findings if f.rule_id == rule_id}


# ---------------------------------------------------------------- where findings point


def test_imds_tokens_terraform_locations(bundled: list[Rule]) -> None:
    missing = tf("aws_instance.missing", {"ami": "x"}, line=1)
    no_tokens = tf("aws_instance.no_tokens",
                   {"metadata_options": [{"http_endpoint": "enabled"}]}, line=10)
    optional = tf("aws_launch_template.optional",
                  {"metadata_options": [{"http_endpoint": "enabled", "http_tokens": "optional"}]},
                  line=20)
    required = tf("aws_instance.required", {"metadata_options": [{"http_tokens": "required"}]},
                  line=30)
    disabled = tf("aws_launch_configuration.disabled",
                  {"metadata_options": [{"http_endpoint": "disabled"}]}, line=40)
    findings, unknown = run(bundled, missing, no_tokens, optional, required, disabled)
    # header; the metadata_options block (not the http_endpoint next to it); the attribute
    assert lines(findings, "IAC0101") == {
        "aws_instance.missing": 1,
        "aws_instance.no_tokens": 11,
        "aws_launch_template.optional": 24,
    }
    assert unknown == []


def test_imds_tokens_cloudformation_locations(bundled: list[Rule]) -> None:
    bare = cfn("Bare", "AWS::EC2::Instance", None, line=1)
    no_options = cfn("NoOptions", "AWS::EC2::Instance", {"ImageId": "ami"}, line=10)
    template = cfn("Tpl", "AWS::EC2::LaunchTemplate", {"LaunchTemplateData": {"ImageId": "a"}},
                   line=20)
    optional = cfn("Opt", "AWS::EC2::LaunchTemplate",
                   {"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "optional"}}},
                   line=30)
    findings, _ = run(bundled, bare, no_options, template, optional)
    assert lines(findings, "IAC0101") == {"Bare": 1, "NoOptions": 12, "Tpl": 23, "Opt": 35}


def test_imds_messages(bundled: list[Rule]) -> None:
    missing = tf("aws_instance.web", {})
    optional = tf("aws_instance.opt", {"metadata_options": [{"http_tokens": "optional"}]})
    hop = cfn("Hop", "AWS::EC2::Instance",
              {"MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": "3"}})
    findings, _ = run(bundled, missing, optional, hop)
    messages = {f.address: f.message for f in findings}
    assert messages["aws_instance.web"].startswith(
        "aws_instance.web allows IMDSv1 (session tokens: optional (EC2 default; the AMI is "
        "not known to require IMDSv2))")
    assert "(session tokens: optional" in messages["aws_instance.opt"]
    assert "hop limit 3" in messages["Hop"]
    assert "above the allowed maximum 1 (max_hop_limit)" in messages["Hop"]


def test_hop_limit_rule(bundled: list[Rule]) -> None:
    def inst(name: str, hop: Any, endpoint: str = "enabled") -> Any:
        return tf(f"aws_instance.{name}", {"metadata_options": [
            {"http_put_response_hop_limit": hop, "http_endpoint": endpoint}]})

    resources = [inst("one", 1), inst("one_str", "1"), inst("two", 2), inst("three_str", "3"),
                 inst("off", 5, "disabled"), tf("aws_instance.missing", {}),
                 inst("unknown", Unknown("var.hops"))]
    findings, unknown = run(bundled, *resources)
    assert sorted(f.address for f in findings if f.rule_id == "IAC0102") == [
        "aws_instance.three_str", "aws_instance.two"]
    assert [u.address for u in unknown if u.rule_id == "IAC0102"] == ["aws_instance.unknown"]
    findings, _ = run(bundled, *resources, options=ScanOptions(parameters={"max_hop_limit": 2}))
    assert [f.address for f in findings if f.rule_id == "IAC0102"] == ["aws_instance.three_str"]


def test_unknown_verdict(bundled: list[Rule]) -> None:
    tokens = Unknown("var.tokens", span=Span("main.tf", 3))
    resource = tf("aws_instance.x", {"metadata_options": [{"http_tokens": tokens}]})
    findings, unknown = run(bundled, resource)
    assert [f for f in findings if f.rule_id == "IAC0101"] == []
    (verdict,) = [u for u in unknown if u.rule_id == "IAC0101"]
    assert verdict.address == "aws_instance.x"
    assert verdict.unknowns == (tokens,)
    assert verdict.span == resource.spans[("metadata_options", 0, "http_tokens")]


def test_data_sources_are_not_resources(bundled: list[Rule]) -> None:
    data = tf("data.aws_instance.existing", {}, kind="data")
    assert run(bundled, data) == ([], [])


def test_prepared_rules_are_the_selected_rules_with_their_conditions_bound() -> None:
    rules = load_rules([bundled_rules_dir()])
    options = ScanOptions(ignore=("IAC0102",), parameters={"IAC0101": {}})
    expected = [(rule, parameter_values(rule, options),
                 tuple((fmt, block, bind(block.where, parameter_values(rule, options)))
                       for fmt, block in rule.match.items()))
                for rule in rules if rule_selected(rule, options)]
    assert prepare(rules, options) == expected
    other = ScanOptions(select=("IAC0102",))
    assert [rule.id for rule, _v, _b in prepare(rules, other)] == ["IAC0102"]
    assert prepare(rules[::-1], options) == expected[::-1]


def test_a_scan_prepares_its_rules_once_for_all_its_units(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.yaml").write_text(
            "Resources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties: {}\n")
    calls: list[int] = []

    def counted(rules: list[Rule], options: ScanOptions) -> list[PreparedRule]:
        calls.append(len(rules))
        return prepare(rules, options)

    monkeypatch.setattr(evaluate, "prepare", counted)
    result = scan([str(tmp_path)], ScanOptions())
    assert len(result.units) == 3
    assert len(calls) == 1


def test_resources_for_skips_the_types_a_graph_does_not_have() -> None:
    graph = graph_of(tf("aws_instance.a"), tf("data.aws_instance.b", kind="data"),
                     tf("aws_s3_bucket.c"), cfn("D", "AWS::EC2::Instance"))
    for fmt in (Format.TERRAFORM, Format.CLOUDFORMATION):
        for types in (("aws_instance",), ("data.aws_instance", "aws_s3_bucket"), ("nothing",),
                      ("data.aws_s3_bucket", "data.nothing"), ("AWS::EC2::Instance",), ()):
            assert resources_for(graph, fmt, types) == resources_of_types(graph, fmt, types)


def test_related_location_from_value_origin(bundled: list[Rule]) -> None:
    origin = Span("variables.tf", 7)
    path = ("metadata_options", 0, "http_tokens")
    resource = tf("aws_instance.x", {"metadata_options": [{"http_tokens": "optional"}]},
                  origins={path: (origin,)})
    (finding,) = run(bundled, resource)[0]
    assert [r.span for r in finding.related] == [origin]
    assert finding.properties["path"] == "metadata_options.http_tokens"


# ---------------------------------------------------------------- fingerprints


def test_fingerprint_survives_line_shifts_but_not_other_resources(bundled: list[Rule]) -> None:
    attrs = {"metadata_options": [{"http_tokens": "optional"}]}
    before = run(bundled, tf("aws_instance.x", attrs, line=1))[0][0]
    after = run(bundled, tf("aws_instance.x", attrs, line=21))[0][0]
    assert before.span.start_line + 20 == after.span.start_line
    assert before.fingerprint == after.fingerprint
    other = run(bundled, tf("aws_instance.y", attrs, line=1))[0][0]
    elsewhere = run(bundled, tf("aws_instance.x", attrs, file="other/main.tf"))[0][0]
    moved_file = run(bundled, tf("aws_instance.x", attrs, file="instances.tf"))[0][0]
    assert len({before.fingerprint, other.fingerprint, elsewhere.fingerprint}) == 3
    assert moved_file.fingerprint == before.fingerprint  # same module directory


# ---------------------------------------------------------------- failures and options


@pytest.fixture
def exploding_rule() -> Any:
    def explode(ctx: Any, args: Any) -> Outcome:
        raise KeyError("boom")

    PREDICATES["test-explode"] = (explode, {"type": "object"})
    data = copy.deepcopy(VALID)
    data["match"]["terraform"]["where"] = {"predicate": "test-explode"}
    yield rule_from_data(data, "explode.yaml")
    del PREDICATES["test-explode"]


def test_a_raising_rule_becomes_iac0002_and_the_run_goes_on(
    exploding_rule: Rule, bundled: list[Rule]
) -> None:
    resource = tf("aws_instance.x", {}, line=5)
    findings, _ = run([exploding_rule, *bundled], resource)
    raised = [f for f in findings if f.rule_id == "IAC0002"]
    assert len(raised) == 1
    assert raised[0].span.start_line == 5
    assert "IAC0900" in raised[0].message
    assert "KeyError" in raised[0].message
    assert raised[0].category == "tool"
    assert any(f.rule_id == "IAC0101" for f in findings)


def test_select_ignore_and_severity_overrides(bundled: list[Rule]) -> None:
    tokens = next(r for r in bundled if r.id == "IAC0101")
    hop = next(r for r in bundled if r.id == "IAC0102")
    assert rule_selected(tokens, ScanOptions(select=("imds-tokens",)))
    assert not rule_selected(hop, ScanOptions(select=("imds-tokens",)))
    assert rule_selected(tokens, ScanOptions(select=("iac0101",)))
    assert not rule_selected(tokens, ScanOptions(ignore=("imds-v1-allowed",)))
    renamed = dataclasses.replace(tokens, aliases=("imdsv1",))
    assert not rule_selected(renamed, ScanOptions(ignore=("imdsv1",)))

    overrides = {"imds-tokens": Severity.NOTE, "IAC0101": Severity.WARNING}
    assert severity_for(tokens, ScanOptions(severity_overrides=overrides)) is Severity.WARNING
    assert severity_for(tokens, ScanOptions(severity_overrides={"imds-tokens": Severity.NOTE})
                        ) is Severity.NOTE

    resource = tf("aws_instance.x", {"metadata_options": [{"http_put_response_hop_limit": 4}]})
    findings, _ = run(bundled, resource, options=ScanOptions(
        ignore=("IAC0101",), severity_overrides={"IAC0102": Severity.ERROR}))
    assert [(f.rule_id, f.severity) for f in findings] == [("IAC0102", Severity.ERROR)]


def test_locate_prefers_outcome_paths_for_rules_without_at() -> None:
    data = copy.deepcopy(VALID)
    del data["match"]["terraform"]["at"]
    data["match"]["terraform"]["where"] = {"path": "ebs_block_device.encrypted", "equals": False}
    rule = rule_from_data(data)
    resource = tf("aws_instance.x", {"ebs_block_device": [{"encrypted": True},
                                                          {"encrypted": False}]})
    (finding,) = run([rule], resource)[0]
    assert finding.span == resource.spans[("ebs_block_device", 1, "encrypted")]
    block = rule.match[Format.TERRAFORM]
    span, path = locate(block, resource, Outcome.true())
    assert (span, path) == (resource.header, ())
