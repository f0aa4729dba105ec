from __future__ import annotations

import pathlib
import textwrap
from typing import Any

import pytest

from linter.model import ParseResult, Unknown
from linter.options import Budgets
from tests.frontends.cloudformation.cfn_helpers import evaluate, only, props
from tests.hostile_cases import assert_contained, run_case

HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::LanguageExtensions\n'


def expand(body: str, **options: Any) -> ParseResult:
    return evaluate(HEAD + textwrap.dedent(body).lstrip("\n"), **options)


def test_row_9_foreach_instances_are_judged(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    outcome = run_case("9", tmp_path, monkeypatch, capsys)
    assert_contained(outcome)  # judge: ForEachAlpha and ForEachBeta get IAC0101
    assert not any("no Type string" in n for n in outcome.notes())


def test_keys_refs_and_sub_strings_take_each_value() -> None:
    result = expand("""
        Resources:
          Fn::ForEach::Buckets:
            - Name
            - [alpha, beta-2]
            - Bucket&{Name}:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !Ref Name
                  Tags:
                    - {Key: sub, Value: !Sub "b-${Name}-${AWS::Partition}"}
                    - {Key: long, Value: {"Fn::Sub": ["${Name}-${X}", {X: !Ref Name}]}}
                    - {Key: plain, Value: "${Name}"}
        """)
    assert sorted(r.address for r in result.resources if r.kind != "parameter") == [
        "Bucketalpha", "Bucketbeta2"]
    beta = props(result, "Bucketbeta2")
    assert beta["BucketName"] == "beta-2"
    assert [t["Value"] for t in beta["Tags"]] == ["b-beta-2-aws", "beta-2-beta-2", "${Name}"]
    # the generated resource points at the loop body's lines
    assert only(result, "Bucketalpha").header.start_line == 7


def test_nested_loops_and_a_parameter_collection() -> None:
    result = expand("""
        Parameters:
          Envs: {Type: CommaDelimitedList, Default: "dev,prod"}
        Resources:
          Fn::ForEach::Outer:
            - Env
            - !Ref Envs
            - Fn::ForEach::Inner:
                - Tier
                - [web, db]
                - Box${Env}${Tier}:
                    Type: AWS::EC2::Instance
                    Properties:
                      Tags: [{Key: t, Value: !Sub "${Env}-${Tier}"}]
        """)
    assert sorted(r.address for r in result.resources if r.kind != "parameter") == [
        "Boxdevdb", "Boxdevweb", "Boxproddb", "Boxprodweb"]
    assert props(result, "Boxproddb")["Tags"][0]["Value"] == "prod-db"


def test_an_unknown_collection_is_judged_once_with_a_note() -> None:
    result = expand("""
        Parameters:
          Names: {Type: CommaDelimitedList}
        Resources:
          Fn::ForEach::Boxes:
            - Name
            - !Ref Names
            - Box${Name}:
                Type: AWS::EC2::Instance
                Properties: {ImageId: !Ref Name}
        """)
    assert [r.address for r in result.resources if r.kind != "parameter"] == ["Box${Name}"]
    assert isinstance(props(result, "Box${Name}")["ImageId"], Unknown)
    assert [f.rule_id for f in result.findings] == ["IAC0004"]
    assert "is not known" in result.findings[0].message


@pytest.mark.parametrize(("body", "says"), [
    ("  Fn::ForEach::Bad: [Name, [a]]\n", "is malformed"),
    ("  Fn::ForEach::Dup:\n    - Name\n    - [a, a]\n    - Box:\n"
     "        Type: AWS::EC2::Instance\n", "more than once"),
])
def test_malformed_loops_and_repeated_keys_are_notes(body: str, says: str) -> None:
    result = expand("Resources:\n" + body)
    assert any(says in f.message for f in result.findings), result.findings


def test_foreach_without_the_transform_is_a_note() -> None:
    result = evaluate("""
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Fn::ForEach::Boxes:
            - Name
            - [a]
            - Box${Name}: {Type: AWS::EC2::Instance}
        """)
    assert result.resources == []
    assert "needs Transform: AWS::LanguageExtensions" in result.findings[0].message


def test_a_loop_past_the_instances_budget_is_a_note() -> None:
    names = ", ".join(f"n{i}" for i in range(20))
    result = expand(f"""
        Resources:
          Fn::ForEach::Boxes:
            - Name
            - [{names}]
            - Box${{Name}}: {{Type: AWS::EC2::Instance}}
        """, budgets=Budgets(instances=5))
    assert result.resources == []
    assert any("passes the budget instances (5)" in f.message for f in result.findings)
