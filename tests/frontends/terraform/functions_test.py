"""Built-in functions with Terraform's semantics (called directly, and through the evaluator)."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.frontends.budget import BudgetExceeded, metering
from linter.frontends.terraform import functions as tf_functions
from linter.frontends.terraform.expressions import Context, evaluate
from linter.frontends.terraform.files import FileAccess
from linter.frontends.terraform.functions import UnknownResult, json_decode, json_encode
from linter.frontends.terraform.hcl import parse_hcl
from linter.frontends.terraform.module import ConstResolver
from linter.frontends.terraform.values import EvalError
from linter.model import Unknown
from linter.options import Budgets
from tests.frontends.terraform.tf_helpers import value


class NoFiles:
    def read_file(self, path: str) -> str | Unknown:
        raise AssertionError("no file access expected")

    def file_exists(self, path: str) -> bool | Unknown:
        raise AssertionError("no file access expected")

    def file_set(self, path: str, pattern: str) -> list[str] | Unknown:
        raise AssertionError("no file access expected")

    def render_template(self, path: str, text: str, variables: dict[str, Any]) -> Any:
        raise AssertionError("no file access expected")

    def file_read(self) -> str | None:
        return None


def call(name: str, *args: Any) -> Any:
    return tf_functions.call(name, list(args), NoFiles())


@pytest.mark.parametrize(("name", "args", "expected"), [
    ("jsonencode", ({"b": [1, True, None], "a": "<x>"},),
     '{"a":"\\u003cx\\u003e","b":[1,true,null]}'),
    ("jsondecode", ('{"a": [1, 2.5, "x"]}',), {"a": [1, 2.5, "x"]}),
    ("yamldecode", ("a: 1\nb: [x, y]\nc: 2024-01-01\n",),
     {"a": 1, "b": ["x", "y"], "c": "2024-01-01"}),
    ("base64encode", ("héllo",), "aMOpbGxv"),
    ("base64decode", ("aMOpbGxv",), "héllo"),
    ("format", ("%s-%03d-%.2f-%t-%q-%%-%v", "a", 7, 1.5, True, "q", [1]),
     'a-007-1.50-true-"q"-%-[1]'),
    ("format", ("%[2]s %[1]s", "a", "b"), "b a"),
    ("formatlist", ("%s=%s", ["a", "b"], "x"), ["a=x", "b=x"]),
    ("join", ("-", ["a", "b"], ["c"]), "a-b-c"),
    ("split", (",", "a,b,,c"), ["a", "b", "", "c"]),
    ("replace", ("hello world", "o", "0"), "hell0 w0rld"),
    ("replace", ("arn:aws:iam::123:role/x", "/^arn:aws:iam::(\\d+):.*$/", "acct-$1"), "acct-123"),
    ("replace", ("ab", "/(?P<first>a)/", "${first}${first}"), "aab"),
    ("lower", ("ReQuIrEd",), "required"),
    ("upper", ("a",), "A"),
    ("title", ("hello world",), "Hello World"),
    ("trimspace", ("  x \n",), "x"),
    ("trim", ("?!hello?!", "!?"), "hello"),
    ("trimprefix", ("helloworld", "hello"), "world"),
    ("trimsuffix", ("helloworld", "world"), "hello"),
    ("chomp", ("x\n\n",), "x"),
    ("startswith", ("hello", "he"), True),
    ("endswith", ("hello", "lo"), True),
    ("substr", ("hello", 1, 3), "ell"),
    ("substr", ("hello", -3, -1), "llo"),
    ("regex", ("[a-z]+", "53abc1"), "abc"),
    ("regex", ("(\\d+)-(\\d+)", "10-20"), ["10", "20"]),
    ("regex", ("(?P<a>\\d+)", "x5"), {"a": "5"}),
    ("regexall", ("\\d", "a1b2"), ["1", "2"]),
    ("concat", (["a"], [], ["b", "c"]), ["a", "b", "c"]),
    ("merge", ({"a": 1, "b": 1}, None, {"b": 2}), {"a": 1, "b": 2}),
    ("flatten", ([["a", ["b"]], [], "c"],), ["a", "b", "c"]),
    ("distinct", (["a", "b", "a", 1, 1],), ["a", "b", 1]),
    ("compact", (["a", "", None, "b"],), ["a", "b"]),
    ("lookup", ({"a": 1}, "a", 0), 1),
    ("lookup", ({"a": 1}, "b", 0), 0),
    ("element", (["a", "b", "c"], 4), "b"),
    ("index", (["a", "b"], "b"), 1),
    ("contains", (["a", "b"], "b"), True),
    ("contains", ([1, 2], "1"), False),
    ("keys", ({"b": 1, "a": 2},), ["a", "b"]),
    ("values", ({"b": 1, "a": 2},), [2, 1]),
    ("length", ("héllo",), 5),
    ("length", ({"a": 1},), 1),
    ("coalesce", (None, "", "x", "y"), "x"),
    ("coalescelist", ([], ["a"]), ["a"]),
    ("tostring", (1.5,), "1.5"),
    ("tostring", (True,), "true"),
    ("tonumber", ("42",), 42),
    ("tobool", ("true",), True),
    ("tolist", (["a"],), ["a"]),
    ("toset", (["b", "a", "b"],), ["a", "b"]),
    ("tomap", ({"a": 1},), {"a": 1}),
    ("min", (3, 1, 2), 1),
    ("max", (3, 1.5), 3),
    ("range", (3,), [0, 1, 2]),
    ("range", (1, 8, 3), [1, 4, 7]),
    ("range", (3, 0), [3, 2, 1]),
    ("zipmap", (["a", "b"], [1, 2]), {"a": 1, "b": 2}),
    ("one", ([],), None),
    ("one", (["x"],), "x"),
    ("sort", (["b", "a", "c"],), ["a", "b", "c"]),
    ("reverse", ([1, 2],), [2, 1]),
    ("slice", (["a", "b", "c"], 1, 3), ["b", "c"]),
    ("abs", (-2.5,), 2.5),
    ("ceil", (1.2,), 2),
    ("floor", (1.8,), 1),
    ("pow", (2, 10), 1024),
    ("parseint", ("ff", 16), 255),
    ("sum", ([1, 2, 3.5],), 6.5),
    ("setunion", (["a"], ["b", "a"]), ["a", "b"]),
    ("setintersection", (["a", "b"], ["b", "c"]), ["b"]),
    ("setsubtract", (["a", "b"], ["b"]), ["a"]),
    ("alltrue", ([True, "true"],), True),
    ("anytrue", ([False],), False),
    ("chunklist", (["a", "b", "c"], 2), [["a", "b"], ["c"]]),
    ("transpose", ({"a": ["1", "2"], "b": ["2"]},), {"1": ["a"], "2": ["a", "b"]}),
    ("cidrsubnet", ("10.0.0.0/16", 8, 2), "10.0.2.0/24"),
    ("cidrsubnets", ("10.0.0.0/16", 8, 4), ["10.0.0.0/24", "10.0.16.0/20"]),
    ("cidrhost", ("10.0.0.0/24", 5), "10.0.0.5"),
    ("cidrnetmask", ("10.0.0.0/12",), "255.240.0.0"),
    ("sha256", ("a",), "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"),
    ("md5", ("a",), "0cc175b9c0f1b6a831c399e269772661"),
    ("urlencode", ("a b&c",), "a+b%26c"),
    ("basename", ("a/b/c.txt",), "c.txt"),
    ("dirname", ("a/b/c.txt",), "a/b"),
])
def test_function(name: str, args: tuple[Any, ...], expected: Any) -> None:
    assert call(name, *args) == expected


@pytest.mark.parametrize(("name", "args"), [
    ("jsondecode", ("{bad",)),
    ("yamldecode", ("a: [",)),
    ("yamldecode", ("a: 1\n---\nb: 2\n",)),
    ("base64decode", ("not base64!",)),
    ("element", ([], 0)),
    ("lookup", ({"a": 1}, "b")),
    ("one", ([1, 2],)),
    ("coalesce", (None, "")),
    ("tonumber", ("abc",)),
    ("tobool", ("yes",)),
    ("regex", ("x", "abc")),
    ("zipmap", (["a"], [1, 2])),
    ("cidrsubnet", ("10.0.0.0/30", 8, 0)),
    ("range", (0, 5, 0)),
])
def test_function_errors(name: str, args: tuple[Any, ...]) -> None:
    with pytest.raises(EvalError):
        call(name, *args)


def test_unknown_arguments() -> None:
    unknown = Unknown("aws_iam_role.r.arn", refs=("aws_iam_role.r",))
    with pytest.raises(UnknownResult) as raised:
        call("jsonencode", {"Resource": unknown})
    assert raised.value.causes == [unknown]
    assert call("length", [unknown, "x"]) == 2
    assert call("concat", [unknown], ["a"]) == [unknown, "a"]
    assert call("lookup", {"a": unknown, "b": 1}, "b") == 1
    assert call("contains", [unknown, "a"], "a") is True
    with pytest.raises(UnknownResult):
        call("contains", [unknown], "a")
    with pytest.raises(UnknownResult):
        call("coalesce", unknown, "x")


def test_templatefile_and_file_through_the_evaluator(tmp_path: pathlib.Path) -> None:
    (tmp_path / "policy.json.tpl").write_text(
        '{"Action": "${action}", "List": [%{ for r in resources }"${r}",%{ endfor }"end"]}')
    (tmp_path / "settings.yaml").write_text("tokens: required\n")
    expr = ('jsondecode(templatefile("${path.module}/policy.json.tpl", '
            '{ action = "s3:*", resources = ["a", "b"] }))')
    assert value(tmp_path, expr) == {"Action": "s3:*", "List": ["a", "b", "end"]}
    assert value(tmp_path, 'yamldecode(file("settings.yaml")).tokens') == "required"
    assert value(tmp_path, 'fileexists("settings.yaml")') is True
    assert value(tmp_path, 'fileexists("nope.yaml")') is False
    missing = value(tmp_path, 'file("nope.txt")')
    assert isinstance(missing, Unknown)
    assert "no file" in missing.reason


def test_template_variables_only(tmp_path: pathlib.Path) -> None:
    (tmp_path / "t.tpl").write_text("${var.secret}")
    result = value(tmp_path, 'templatefile("t.tpl", {})', 'variable "secret" {\n  default = "x"\n}')
    assert isinstance(result, Unknown)


# ---------------------------------------------------------------- property: JSON round trip

_json_scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**53), max_value=2**53)
                 | st.floats(allow_nan=False, allow_infinity=False, width=64)
                 | st.text(max_size=20))
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=5),
    max_leaves=25,
)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


@settings(max_examples=200, deadline=None)
@given(_json_values)
def test_jsonencode_jsondecode_round_trip(literal: Any) -> None:
    encoded = json_encode(literal)
    assert isinstance(encoded, str)
    assert _same(json_decode(encoded), literal)
    assert json_encode(json_decode(encoded)) == encoded  # canonical: stable on re-encoding


_HCL_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _hcl(literal: Any) -> str:
    """``literal`` written as an HCL expression."""
    if literal is None:
        return "null"
    if isinstance(literal, bool):
        return "true" if literal else "false"
    if isinstance(literal, int):
        return repr(literal)
    if isinstance(literal, float):
        # tree-sitter-hcl needs a fraction before an exponent (1.0e16; Terraform takes 1e+16)
        mantissa, _, exponent = repr(literal).partition("e")
        if exponent and "." not in mantissa:
            mantissa += ".0"
        return mantissa + (f"e{exponent.lstrip('+')}" if exponent else "")
    if isinstance(literal, str):
        escaped = "".join(_HCL_ESCAPES.get(c, f"\\u{ord(c):04x}" if ord(c) < 0x20 else c)
                          for c in literal)
        return '"' + escaped.replace("$", "\\u0024").replace("%", "\\u0025") + '"'
    if isinstance(literal, list):
        return "[" + ", ".join(_hcl(v) for v in literal) + "]"
    return "{" + ", ".join(f"{_hcl(k)} = {_hcl(v)}" for k, v in literal.items()) + "}"


@settings(max_examples=150, deadline=None)
@given(_json_values)
def test_evaluated_literal_round_trips_through_jsonencode_jsondecode(literal: Any) -> None:
    source = f"v = jsondecode(jsonencode({_hcl(literal)}))\n"
    parsed = parse_hcl("t.tf", source.encode())
    assert not parsed.problems, source
    attribute = parsed.body.attribute("v")
    assert attribute is not None
    ctx = Context(ConstResolver(FileAccess(pathlib.Path("."), ".")))
    assert _same(evaluate(attribute.expr, ctx), literal), source


def test_jsonencode_of_a_partly_unknown_document_keeps_its_structure(
        tmp_path: pathlib.Path) -> None:
    prelude = 'resource "aws_s3_bucket" "b" {}'
    expr = 'jsonencode({Statement = [{Action = "s3:*", Resource = aws_s3_bucket.b.arn}]})'
    result = value(tmp_path, expr, prelude)
    assert isinstance(result, Unknown)
    assert result.refs == ("aws_s3_bucket.b",)
    statement = result.partial["Statement"][0]
    assert statement["Action"] == "s3:*"
    assert isinstance(statement["Resource"], Unknown)


# ---------------------------------------------------------------- budgets and RE2 (issue 15)

SMALL = Budgets(string_length=100, collection_length=50, decode_nodes=30,
                produced_length=1000)


def over_budget(name: str, *args: Any) -> str:
    with metering(SMALL, "test"), pytest.raises(BudgetExceeded) as info:
        call(name, *args)
    return info.value.key


@pytest.mark.parametrize(("name", "args", "budget"), [
    ("format", ("%9999999999d", 1), "string-length"),
    ("format", ("%200d", 1), "string-length"),
    ("format", ("%.500f", 1.5), "string-length"),
    ("format", ("%[1]s%[1]s%[1]s", "x" * 40), "string-length"),
    ("formatlist", ("%s", ["a"] * 60), "collection-length"),
    ("join", ("", ["x" * 30] * 4), "string-length"),
    ("replace", ("ab" * 10, "", "xyz" * 10), "string-length"),
    ("replace", ("ab" * 10, "/(b)/", "$1$1$1$1$1$1$1$1$1$1"), "string-length"),
    ("indent", (90, "a\nb"), "string-length"),
    ("split", (",", "," * 60), "collection-length"),
    ("regexall", ("a", "a" * 60), "collection-length"),
    ("concat", ([1] * 30, [2] * 30), "collection-length"),
    ("flatten", ([[1] * 30, [[2] * 30]],), "collection-length"),
    ("setproduct", (list(range(8)), list(range(8))), "collection-length"),
    ("jsonencode", ([["x" * 30] * 2] * 2,), "string-length"),
    ("yamlencode", (["x" * 60] * 2,), "string-length"),
    ("jsondecode", ("[" + ",".join(["1"] * 40) + "]",), "decode-nodes"),
    ("yamldecode", ("a: &a [1, 2, 3, 4, 5, 6]\nb: [*a, *a, *a, *a, *a, *a]\n",), "decode-nodes"),
    ("base64encode", ("x" * 90,), "string-length"),
    ("range", (0, 1, 0.0001), ""),
])
def test_results_past_a_budget_are_refused_before_they_are_built(
        name: str, args: tuple[Any, ...], budget: str) -> None:
    if not budget:  # range has its own fixed bound
        with pytest.raises(EvalError, match="more than 1024"):
            call(name, *args)
        return
    assert over_budget(name, *args) == budget


def test_produced_characters_in_all_are_bounded() -> None:
    with metering(SMALL, "test"):
        for _ in range(11):  # 990 characters in all
            call("format", "%s", "x" * 90)
        with pytest.raises(BudgetExceeded) as info:
            call("format", "%s", "x" * 90)
    assert info.value.key == "produced-length"


def test_within_budget_results_are_unchanged() -> None:
    with metering(SMALL, "test"):
        assert call("format", "%05d|%-4s|%x", 42, "ab", 255) == "00042|ab  |ff"
        assert call("replace", "a-b-c", "-", "+") == "a+b+c"
        assert call("yamldecode", "a: &x [1]\nb: *x\n") == {"a": [1], "b": [1]}


def test_regex_is_re2_and_linear() -> None:
    with pytest.raises(EvalError, match="did not match"):
        call("regex", "(a+)+$", "a" * 5000 + "!")  # catastrophic for backtracking engines
    assert call("regex", "(?P<user>[a-z]+)@(?P<host>[a-z.]+)", "x bob@ex.com") == {
        "user": "bob", "host": "ex.com"}
    assert call("regexall", "[0-9]+", "a1b22c333") == ["1", "22", "333"]
    assert call("replace", "hello world", "/(o)/", "[$1]") == "hell[o] w[o]rld"
    assert call("regex", r"a\z", "ba") == "a"  # RE2's end of text
    with pytest.raises(EvalError, match="invalid regular expression"):
        call("regex", "(?=lookahead)", "x")  # not RE2 syntax, as in Terraform


def test_yamldecode_refuses_recursion_and_several_documents() -> None:
    with pytest.raises(EvalError, match="refers to itself"):
        call("yamldecode", "&a [*a]")
    with pytest.raises(EvalError, match="more than one YAML document"):
        call("yamldecode", "a: 1\n---\nb: 2\n")
    with pytest.raises(EvalError, match="invalid YAML"):
        call("yamldecode", "a: [")


def test_chomp_and_set_functions_are_linear() -> None:
    assert call("chomp", "x\r\n\n\r") == "x"
    assert call("chomp", "\n" * 100_000 + "x") == "\n" * 100_000 + "x"
    many = [str(i) for i in range(20_000)]
    assert len(call("toset", many + many)) == 20_000
    assert call("distinct", [1, 1.0, True, "1", [1], [1], {"a": 1}, {"a": 1}]) == [
        1, True, "1", [1], {"a": 1}]


def test_big_integers_are_refused(tmp_path: pathlib.Path) -> None:
    prelude = "locals {\n" + "\n".join(
        f"  n{i} = local.n{i - 1} * local.n{i - 1}" for i in range(1, 16)) + "\n  n0 = 3\n}\n"
    result = value(tmp_path, "local.n15", prelude)
    assert isinstance(result, Unknown)
    assert "too large a number" in result.reason
