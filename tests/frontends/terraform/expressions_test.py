"""Expressions: templates, operators, conditionals, for-expressions, splats, traversals."""

from __future__ import annotations

import pathlib

import pytest

from linter.model import Unknown
from linter.options import Budgets, ScanOptions
from tests.frontends.terraform.tf_helpers import resource, run, value


@pytest.mark.parametrize(("expr", "expected"), [
    ('"plain"', "plain"),
    ("42", 42),
    ("1.5", 1.5),
    ("true", True),
    ('"a-${1 + 2}-b"', "a-3-b"),
    ('"${true}"', True),  # a lone interpolation keeps its type
    ('"x${5 / 2}"', "x2.5"),
    ('"%{ if 1 > 0 }yes%{ else }no%{ endif }"', "yes"),
    ('"%{ for i, v in ["a", "b"] }${i}=${v};%{ endfor }"', "0=a;1=b;"),
    ("10 % 3", 1),
    ("-7 % 3", -1),
    ("7 / 2", 3.5),
    ('"3" + 4', 7),
    ('"1" == 1', False),
    ("1 == 1.0", True),
    ("[1, 2] == [1, 2]", True),
    ('{a = 1} != {a = 2}', True),
    ("!false && (1 < 2 || false)", True),
    ('true ? "a" : "b"', "a"),
    ('"false" ? "a" : "b"', "b"),
    ("[for x in [1, 2, 3] : x * 2 if x != 2]", [2, 6]),
    ('{for k, v in {a = 1, b = 2} : upper(k) => v}', {"A": 1, "B": 2}),
    ('{for s in ["a", "bb", "cc"] : length(s) => s...}', {"1": ["a"], "2": ["bb", "cc"]}),
    ('[{n = "a"}, {n = "b"}][*].n', ["a", "b"]),
    ('[{n = {m = 1}}].*.n.m', [1]),
    ("{a = [1, 2]}.a[1]", 2),
    ('{a = {b = "c"}}["a"].b', "c"),
    ("null", None),
    ("-(3)", -3),
])
def test_expressions(tmp_path: pathlib.Path, expr: str, expected: object) -> None:
    assert value(tmp_path, expr) == expected


def test_heredoc_with_directives(tmp_path: pathlib.Path) -> None:
    expr = '<<-EOT\n    %{ for n in ["a", "b"] ~}\n    item ${n}\n    %{ endfor ~}\n    EOT'
    assert value(tmp_path, expr) == "item a\nitem b\n"


def test_locals_and_path(tmp_path: pathlib.Path) -> None:
    prelude = 'locals {\n  a = "x"\n  b = "${local.a}-${path.module}-${terraform.workspace}"\n}'
    assert value(tmp_path, "local.b", prelude) == "x-.-default"


def test_unknown_variable_propagates_with_reason(tmp_path: pathlib.Path) -> None:
    result = value(tmp_path, '"prefix-${var.x}"', 'variable "x" {}')
    assert isinstance(result, Unknown)
    assert result.expression == '"prefix-${var.x}"'
    assert "var.x" in result.reason
    assert "no value" in result.reason


def test_conditional_with_unknown_condition_but_equal_branches(tmp_path: pathlib.Path) -> None:
    assert value(tmp_path, 'var.x ? "same" : "same"', 'variable "x" {}') == "same"
    assert isinstance(value(tmp_path, 'var.x ? "a" : "b"', 'variable "x" {}'), Unknown)


def test_logical_operators_short_circuit_unknowns(tmp_path: pathlib.Path) -> None:
    prelude = 'variable "x" {\n  type = bool\n}'
    assert value(tmp_path, "false && var.x", prelude) is False
    assert value(tmp_path, "var.x || true", prelude) is True
    assert isinstance(value(tmp_path, "var.x && true", prelude), Unknown)


def test_errors_become_unknown_with_the_message(tmp_path: pathlib.Path) -> None:
    result = value(tmp_path, "{a = 1}.b")
    assert isinstance(result, Unknown)
    assert result.reason.startswith("error:")
    assert "'b'" in result.reason
    assert isinstance(value(tmp_path, "[1][5]"), Unknown)
    assert isinstance(value(tmp_path, "1 / 0"), Unknown)


def test_try_and_can(tmp_path: pathlib.Path) -> None:
    assert value(tmp_path, 'try({a = 1}.b, "fallback")') == "fallback"
    assert value(tmp_path, "try([1][0], 2)") == 1
    assert value(tmp_path, "can({a = 1}.b)") is False
    assert value(tmp_path, "can({a = 1}.a)") is True
    unknown = value(tmp_path, 'try(var.x, "d")', 'variable "x" {}')
    assert isinstance(unknown, Unknown)  # an unknown is not an error: try() cannot fall back


def test_local_cycle_is_unknown(tmp_path: pathlib.Path) -> None:
    prelude = "locals {\n  a = local.b\n  b = local.a\n}"
    result = value(tmp_path, "local.a", prelude)
    assert isinstance(result, Unknown)
    assert "cycle" in result.reason


def test_unsupported_and_impure_functions_are_unknown(tmp_path: pathlib.Path) -> None:
    unsupported = value(tmp_path, 'nosuchfunction("a")')
    assert isinstance(unsupported, Unknown)
    assert "not supported" in unsupported.reason
    assert isinstance(value(tmp_path, "uuid()"), Unknown)
    assert isinstance(value(tmp_path, 'provider::aws::arn_parse("x")'), Unknown)


def test_expanded_function_arguments(tmp_path: pathlib.Path) -> None:
    assert value(tmp_path, "max([3, 9, 4]...)") == 9
    assert value(tmp_path, 'concat([["a"], ["b"]]...)') == ["a", "b"]


def test_length_of_a_list_with_unknown_elements_is_known(tmp_path: pathlib.Path) -> None:
    prelude = 'resource "aws_iam_role" "r" {}'
    assert value(tmp_path, "length([aws_iam_role.r.arn, 1])", prelude) == 2
    assert isinstance(value(tmp_path, "upper(aws_iam_role.r.arn)", prelude), Unknown)


def test_a_container_with_unknown_elements_is_not_null(tmp_path: pathlib.Path) -> None:
    prelude = 'variable "u" {\n  type = string\n}\n'
    assert value(tmp_path, '{ a = var.u } != null', prelude) is True
    assert value(tmp_path, '[var.u] == null', prelude) is False
    assert isinstance(value(tmp_path, 'var.u == null', prelude), Unknown)
    assert isinstance(value(tmp_path, '{ a = var.u } == { a = "x" }', prelude), Unknown)


def test_jsonencode_with_a_broken_leaf_keeps_the_rest_of_the_document(
        tmp_path: pathlib.Path) -> None:
    document = value(tmp_path, """jsonencode({
      Statement = [
        { Action = ["*"], Resource = ["${var.undeclared}"] },
        { Action = "s3:GetObject", Resource = local.arns[7] },
      ]
    })""", 'locals {\n  arns = ["arn:aws:s3:::b/*"]\n}')
    assert isinstance(document, Unknown)
    assert "undeclared" in document.reason
    partial = document.partial
    assert isinstance(partial, dict)
    first, second = partial["Statement"]
    assert first["Action"] == ["*"]
    assert isinstance(first["Resource"][0], Unknown)
    assert second["Action"] == "s3:GetObject"
    assert isinstance(second["Resource"], Unknown)


def test_other_functions_with_a_broken_argument_stay_wholly_unknown(
        tmp_path: pathlib.Path) -> None:
    broken = value(tmp_path, 'length({a = var.undeclared})')
    assert isinstance(broken, Unknown)
    assert broken.partial is None
    scalar = value(tmp_path, 'jsonencode(var.undeclared)')
    assert isinstance(scalar, Unknown)
    assert scalar.partial is None


def test_nested_for_expressions_multiply_against_the_collection_budget(
        tmp_path: pathlib.Path) -> None:
    prelude = "locals {\n  inner = [for j in range(40) : j]\n}\n"
    options = ScanOptions(use_env_vars=False, budgets=Budgets(collection_length=2000))
    nested = run(tmp_path / "a", {"main.tf": prelude + 'resource "t" "t" {\n'
                 "  v = [for i in range(50) : [for j in range(50) : i * j]]\n"
                 "  w = [for i in range(40) : local.inner]\n}\n"}, options=options)
    attributes = resource(nested, "t.t").attributes
    assert isinstance(attributes["v"], Unknown)  # 50 x 50 > 2000, before any iteration
    assert "budget collection-length (2000)" in attributes["v"].reason
    assert len(attributes["w"]) == 40  # a local is computed once, not once per iteration
