"""Resource shape, spans in both syntaxes, broken input, the peer corpus smoke run; and
conditions: decided ones prune resources and pick Fn::If branches, undecidable ones make one
resource variant per way they can go."""

from __future__ import annotations

import dataclasses
import json
import pathlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.frontends.cloudformation.decode import looks_like_cfn
from linter.frontends.cloudformation.intrinsics import intrinsic_name
from linter.frontends.cloudformation.template import (
    MAX_CONDITION_ATOMS,
    _if_conditions,
    evaluate_template,
)
from linter.model import Format, Unknown, condition_note
from linter.options import Budgets, ScanOptions
from tests.frontends.cloudformation.cfn_helpers import evaluate, only, props
from tests.hostile_cases import assert_contained, run_case
from tests.paths import SHARED

YAML = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::EC2::Instance
    Metadata:
      Note: !Sub "${AWS::Partition}"
    Properties:
      MetadataOptions:
        HttpTokens: optional
        HttpPutResponseHopLimit: 3
      SecurityGroups:
        - a
        - b

  # ruleid: IAC0101
  Next:
    Type: AWS::S3::Bucket
"""


def test_resource_shape_and_yaml_spans() -> None:
    result = evaluate(YAML)
    web = only(result, "Web")
    assert (web.type, web.format, web.kind, web.file) == (
        "AWS::EC2::Instance", Format.CLOUDFORMATION, "resource", "template.yaml")
    assert web.attributes["Metadata"] == {"Note": "aws"}
    header = web.spans[()]
    assert (header.start_line, header.start_col, header.end_line) == (3, 3, 13)
    tokens = web.spans[("Properties", "MetadataOptions", "HttpTokens")]
    assert (tokens.start_line, tokens.start_col, tokens.end_line, tokens.end_col) == (9, 9, 9, 29)
    hop = web.spans[("Properties", "MetadataOptions", "HttpPutResponseHopLimit")]
    assert (hop.start_line, hop.end_col) == (10, 35)
    assert web.spans[("Properties", "SecurityGroups", 1)].start_line == 13
    assert web.spans[("Properties", "MetadataOptions")].end_line == 10
    assert result.files == ["template.yaml"]


def test_json_spans() -> None:
    text = json.dumps({"Resources": {"Web": {
        "Type": "AWS::EC2::Instance",
        "Properties": {"MetadataOptions": {"HttpTokens": "optional"}, "Ids": ["a", {"Ref": "X"}]},
    }}}, indent=2)
    lines = text.splitlines()
    result = evaluate_template(pathlib.Path("."), "t.json", text.encode(), ScanOptions())
    web = only(result, "Web")
    tokens = web.spans[("Properties", "MetadataOptions", "HttpTokens")]
    assert lines[tokens.start_line - 1].strip() == '"HttpTokens": "optional"'
    assert web.spans[()].start_line == 3
    assert web.spans[()].end_line == len(lines) - 2
    assert lines[web.spans[("Properties", "Ids", 1)].start_line - 1].strip() == "{"


@pytest.mark.parametrize(("text", "rule"), [
    ("Resources:\n  Web:\n    Type: [\n", "IAC0001"),
    ("Resources:\n  Web:\n    Properties: {}\n", "IAC0004"),
    ("Resources: [a]\n", "IAC0004"),
], ids=["syntax", "no-type", "resources-list"])
def test_broken_templates_are_findings(text: str, rule: str) -> None:
    result = evaluate(text)
    assert [f.rule_id for f in result.findings] == [rule]
    assert result.resources == []


def test_corpus_templates_never_raise() -> None:
    root = SHARED / "corpus"  # ../shared
    if not root.is_dir():
        pytest.skip("peer corpus not present")
    evaluated = 0
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json", ".template") or not path.is_file():
            continue
        data = path.read_bytes()
        if not looks_like_cfn(data):
            continue
        result = evaluate_template(root, path.relative_to(root).as_posix(), data, ScanOptions())
        evaluated += 1
        assert not [f for f in result.findings if f.rule_id == "IAC0001"], path
    assert evaluated > 100


# ---------------------------------------------------------------- conditions

DECIDED = """
Parameters:
  Env:
    Type: String
    Default: prod
  Flag:
    Type: String
    Default: "true"
  Count:
    Type: Number
    Default: 2
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  FlagOn: !Equals [true, !Ref Flag]
  Both: !And [!Condition IsProd, !Condition FlagOn]
  Either: !Or [!Condition IsDev, !Equals [!Ref Count, "2"]]
Resources:
  ProdOnly:
    Type: AWS::EC2::Instance
    Condition: IsProd
  DevOnly:
    Type: AWS::EC2::Instance
    Condition: IsDev
  Picks:
    Type: AWS::EC2::Instance
    Properties:
      A: !If [Both, big, small]
      B: !If [Either, big, small]
      C: !If [IsDev, x, !Ref AWS::NoValue]
"""


def test_decided_conditions() -> None:
    result = evaluate(DECIDED)
    assert sorted(r.address for r in result.resources if r.kind == "resource") == [
        "Picks", "ProdOnly"]
    assert props(result, "Picks") == {"A": "big", "B": "big"}
    assert all("condition_values" not in r.meta for r in result.resources)


def test_override_flips_conditions() -> None:
    result = evaluate(DECIDED, cfn_parameters={"Env": "dev", "Count": "3"})
    assert sorted(r.address for r in result.resources if r.kind == "resource") == [
        "DevOnly", "Picks"]
    assert props(result, "Picks") == {"A": "small", "B": "big", "C": "x"}


UNDECIDED = """
Parameters:
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [!Ref Env, dev]
  NotProd: !Not [!Condition IsProd]
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      MetadataOptions:
        HttpTokens: !If [IsProd, required, optional]
  DevBox:
    Type: AWS::EC2::Instance
    Condition: IsDev
    Properties:
      Tokens: !If [IsProd, optional, required]
  Plain:
    Type: AWS::EC2::Instance
    Properties:
      Same: !If [NotProd, a, b]
"""


def test_unknown_condition_emits_one_variant_per_value() -> None:
    result = evaluate(UNDECIDED)
    web = [r for r in result.resources if r.address == "Web"]
    by_value = {r.meta["condition_values"]["IsProd"]: r for r in web}
    assert set(by_value) == {True, False}
    assert by_value[True].attributes["Properties"]["MetadataOptions"]["HttpTokens"] == "required"
    assert by_value[False].attributes["Properties"]["MetadataOptions"]["HttpTokens"] == "optional"
    assert condition_note(by_value[False]) == "when condition IsProd is false"
    tokens_span = by_value[False].spans[("Properties", "MetadataOptions", "HttpTokens")]
    assert tokens_span.start_line == 13
    assert not any(isinstance(u, Unknown) and "IsProd" in u.reason for u in result.unknowns)


def test_contradictory_assignments_are_skipped() -> None:
    result = evaluate(UNDECIDED)
    dev = [r for r in result.resources if r.address == "DevBox"]
    # Env cannot be both dev and prod: only IsDev=true, IsProd=false remains
    assert [r.meta["condition_values"] for r in dev] == [{"IsDev": True, "IsProd": False}]
    assert dev[0].attributes["Properties"]["Tokens"] == "required"


def test_composite_condition_variants() -> None:
    result = evaluate(UNDECIDED)
    plain = {r.meta["condition_values"]["NotProd"]: r for r in result.resources
             if r.address == "Plain"}
    assert plain[True].attributes["Properties"]["Same"] == "a"
    assert plain[False].attributes["Properties"]["Same"] == "b"


def test_too_many_undecidable_comparisons_leave_unknown_values_and_a_note() -> None:
    count = MAX_CONDITION_ATOMS + 1
    params = "\n".join(f"  P{i}:\n    Type: String" for i in range(count))
    conditions = "\n".join(f"  C{i}: !Equals [!Ref P{i}, x]" for i in range(count))
    ifs = "\n".join(f"      V{i}: !If [C{i}, a, b]" for i in range(count))
    result = evaluate(f"""
Parameters:
{params}
Conditions:
{conditions}
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
{ifs}
""")
    web = only(result, "Web")
    assert all(isinstance(v, Unknown) for v in web.attributes["Properties"].values())
    assert [f.rule_id for f in result.findings] == ["IAC0004"]
    assert web.meta["conditions_undecided"] == [f"C{i}" for i in range(count)]


# ---------------------------------------------------------------- hostile templates (issue 15)


@pytest.mark.parametrize(("row", "says"), [
    ("8a", "Fn::Equals needs two values"),
    ("8b", "is not defined in Conditions"),
    ("8c", "refers to itself"),
])
def test_a_broken_condition_never_removes_the_resource(
        row: str, says: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    outcome = run_case(row, tmp_path, monkeypatch, capsys)
    assert_contained(outcome)
    assert "IAC0101" in outcome.rules_on("WatchedInstance")  # judged as if deployed
    notes = [n for n in outcome.notes() if "WatchedInstance" in n]
    assert len(notes) == 1
    assert says in notes[0]
    assert "can never be decided" in notes[0]


def test_values_depending_on_a_broken_condition_are_unknown() -> None:
    result = evaluate("""
        Conditions:
          Broken: !Equals [a]
          Fine: !Equals [a, a]
        Resources:
          Box:
            Type: AWS::EC2::LaunchTemplate
            Properties:
              LaunchTemplateData:
                MetadataOptions:
                  HttpTokens: !If [Broken, required, optional]
                  HttpEndpoint: !If [Fine, enabled, disabled]
        """)
    options = props(result, "Box")["LaunchTemplateData"]["MetadataOptions"]
    assert isinstance(options["HttpTokens"], Unknown)
    assert "malformed" in options["HttpTokens"].reason or "two values" in (
        options["HttpTokens"].reason)
    assert options["HttpEndpoint"] == "enabled"
    assert only(result, "Box").meta["conditions_undecided"] == ["Broken"]


def test_a_broken_condition_next_to_an_undecidable_one_keeps_both_variants() -> None:
    result = evaluate("""
        Parameters:
          Env: {Type: String}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
        Resources:
          Box:
            Type: AWS::EC2::Instance
            Condition: Missing
            Properties:
              Monitoring: !If [IsProd, true, false]
        """)
    boxes = [r for r in result.resources if r.address == "Box"]
    assert sorted(r.meta["condition_values"]["IsProd"] for r in boxes) == [False, True]
    assert all(r.meta["conditions_undecided"] == ["Missing"] for r in boxes)


def test_row_10_a_utf16_template_is_judged_or_named(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    outcome = run_case("10", tmp_path, monkeypatch, capsys)
    outcome.case = dataclasses.replace(outcome.case, watch=(), judge=())
    assert_contained(outcome)
    judged = "IAC0101" in outcome.rules_on("Utf16Instance")
    named = any(n.startswith("IAC0001 utf16.yaml:") for n in outcome.notes())
    assert judged or named, outcome.notes()


@pytest.mark.parametrize(("row", "budget"), [("16a", ""), ("16b", "string-length")])
def test_sub_is_linear_and_bounded(
        row: str, budget: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    outcome = run_case(row, tmp_path, monkeypatch, capsys)
    assert_contained(outcome)
    name = outcome.case.watch[0]
    assert "IAC0101" in outcome.rules_on(name, "unknown")
    if budget:
        assert any(f"budget {budget}" in n for n in outcome.notes()), outcome.notes()


def test_intrinsics_past_the_depth_budget_are_unknown_with_a_note() -> None:
    value: object = "x"
    for _ in range(12):
        value = {"Fn::Join": ["", [value]]}
    template = {"Resources": {"Box": {"Type": "AWS::EC2::Instance",
                                      "Properties": {"ImageId": value}}}}
    result = evaluate_template(pathlib.Path("."), "t.json", json.dumps(template).encode(),
                               ScanOptions(budgets=Budgets(intrinsic_depth=8)))
    assert isinstance(props(result, "Box")["ImageId"], Unknown)
    assert any("budget intrinsic-depth (8)" in f.message for f in result.findings)


def test_the_time_budget_leaves_every_resource_with_unknown_values(
        monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = iter(range(10**9))
    monkeypatch.setattr("linter.frontends.budget.time.monotonic", lambda: float(next(ticks)))
    resources = {f"Box{i}": {"Type": "AWS::EC2::Instance",
                             "Properties": {"ImageId": {"Fn::Join": ["", ["a", "b"]]}}}
                 for i in range(300)}
    result = evaluate_template(pathlib.Path("."), "t.json",
                               json.dumps({"Resources": resources}).encode(),
                               ScanOptions(budgets=Budgets(seconds=3)))
    assert len(result.resources) == 300
    assert isinstance(props(result, "Box299")["ImageId"], Unknown)
    assert any("budget seconds (3)" in f.message for f in result.findings)


def _if_conditions_visiting_leaves(node: Any, out: list[str]) -> None:
    """``template._collect_if_conditions`` as it was: every node visited, leaves too."""
    if isinstance(node, dict):
        if intrinsic_name(node) == "Fn::If":
            arg = node["Fn::If"]
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                out.append(arg[0])
        for child in node.values():
            _if_conditions_visiting_leaves(child, out)
    elif isinstance(node, list):
        for child in node:
            _if_conditions_visiting_leaves(child, out)


_CONDITION_TREES = st.recursive(
    st.one_of(st.sampled_from(["A", "B", "Fn::If", ""]), st.integers(0, 2), st.none()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["Fn::If", "Ref", "Fn::Sub", "X"]), inner, max_size=2)),
    max_leaves=15)


@settings(max_examples=300, deadline=None)
@given(tree=_CONDITION_TREES)
def test_if_conditions_are_those_of_a_walk_of_every_node(tree: Any) -> None:
    expected: list[str] = []
    _if_conditions_visiting_leaves(tree, expected)
    assert _if_conditions(tree) == expected


def test_resources_with_the_same_assumptions_share_a_scope_as_if_each_had_its_own(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.frontends.cloudformation.intrinsics import TemplateScope

    template = UNDECIDED + "".join(
        f"  Web{i}:\n    Type: AWS::EC2::Instance\n    Properties:\n"
        f"      Tokens: !If [IsProd, required, !If [NotProd, optional, x{i}]]\n"
        for i in range(3))
    shared = evaluate(template)

    def fresh(self: TemplateScope, assumed: Any) -> TemplateScope:
        return TemplateScope(self.source, self.params, self.mappings, self.conditions,
                             self.resources, dict(assumed), self.atoms)

    monkeypatch.setattr(TemplateScope, "with_assumptions", fresh)
    own = evaluate(template)
    assert len(shared.resources) > 6
    assert shared.resources == own.resources
    assert (shared.findings, shared.unknowns, shared.edges) == (
        own.findings, own.unknowns, own.edges)
