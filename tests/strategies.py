"""Hypothesis strategies for the front ends, the evaluators and the IAM policy reader.

Shared by the property tests (a bounded number of examples in CI) and the long fuzz job
(``fuzz/run.py``, many examples). Every strategy mixes structure-aware generation (HCL built
from its grammar's tokens, templates built from intrinsic functions, policy documents from their
elements) with mutations of the project's own fixtures, so both the deep evaluation paths and
the error paths of the parsers are reached.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from hypothesis import strategies as st

from linter.frontends.terraform.functions import FUNCTIONS
from tests.paths import FIXTURES

# ---------------------------------------------------------------- the fixtures, as seeds


@cache
def fixture_texts(suffixes: tuple[str, ...]) -> tuple[str, ...]:
    texts = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and path.name.endswith(suffixes) and path.stat().st_size < 20_000:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return tuple(texts) or ("",)


def mutated(seeds: tuple[str, ...], pieces: list[str]) -> st.SearchStrategy[str]:
    """A seed text with a few random edits: a piece inserted, a span deleted or duplicated."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        text = draw(st.sampled_from(seeds))
        for _ in range(draw(st.integers(0, 6))):
            if not text:
                text = draw(st.sampled_from(pieces))
                continue
            at = draw(st.integers(0, len(text)))
            kind = draw(st.integers(0, 3))
            if kind == 0:
                text = text[:at] + draw(st.sampled_from(pieces)) + text[at:]
            elif kind == 1:
                end = min(len(text), at + draw(st.integers(1, 40)))
                text = text[:at] + text[end:]
            elif kind == 2:
                end = min(len(text), at + draw(st.integers(1, 80)))
                text = text[:end] + text[at:end] + text[end:]
            else:
                text = text[:at] + draw(st.text(max_size=8)) + text[at:]
        return text

    return build()


# ---------------------------------------------------------------- Terraform

IDENTIFIERS = st.sampled_from(["a", "b", "x", "name", "items", "each", "count", "self"])
FUNCTION_NAMES = st.sampled_from([*sorted(FUNCTIONS), "try", "can", "timestamp", "nope"])
SCALARS = st.one_of(
    st.integers(-5, 5).map(str), st.sampled_from(["0.5", "1e3", "-1", "99999999999999999999"]),
    st.sampled_from(["true", "false", "null"]),
    st.text(alphabet="ab/%${}\\\"\n*+.:- ", max_size=8).map(lambda s: json.dumps(s)),
    st.sampled_from(['"%5d"', '"%s-%v"', '"(a+)+$"', '"/(x)/"', '"[a-z]+"', '"a,b,c"',
                     '"10.0.0.0/16"', '"{\\"k\\": [1, 2]}"', '"a: &x [1]\\nb: *x"']),
)


@cache
def hcl_expressions(depth: int = 3) -> st.SearchStrategy[str]:
    """Terraform expressions built from the grammar (most of them evaluate, many fail)."""

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        args = st.lists(inner, max_size=3).map(", ".join)
        return st.one_of(
            st.tuples(FUNCTION_NAMES, args).map(lambda p: f"{p[0]}({p[1]})"),
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">=",
                                              "&&", "||"]), inner).map(" ".join),
            st.tuples(inner, inner, inner).map(lambda p: f"{p[0]} ? {p[1]} : {p[2]}"),
            st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
            st.lists(st.tuples(IDENTIFIERS, inner), max_size=3).map(
                lambda kv: "{" + ", ".join(f"{k} = {v}" for k, v in kv) + "}"),
            st.tuples(IDENTIFIERS, inner, inner).map(
                lambda p: f"[for {p[0]} in {p[1]} : {p[2]}]"),
            st.tuples(IDENTIFIERS, inner, inner).map(
                lambda p: f"{{for k, {p[0]} in {p[1]} : k => {p[2]}...}}"),
            st.tuples(inner, inner).map(lambda p: f'"${{{p[0]}}}-%{{if {p[1]}}}y%{{endif}}"'),
            st.tuples(inner, IDENTIFIERS).map(lambda p: f"({p[0]}).{p[1]}"),
            st.tuples(inner, inner).map(lambda p: f"({p[0]})[{p[1]}]"),
            st.tuples(inner).map(lambda p: f"({p[0]})[*].x"),
            st.sampled_from(["!", "-"]).flatmap(lambda op: inner.map(lambda e: f"{op}{e}")),
        )

    leaves = st.one_of(SCALARS, st.sampled_from(
        ["var.v", "local.l", "local.m", "path.module", "aws_instance.r.id", "module.m.out",
         "data.x.y.z", "each.key", "count.index", "terraform.workspace"]))
    return st.recursive(leaves, extend, max_leaves=depth * 4)


PRELUDE = """\
variable "v" {
  default = {a = [1, 2], b = "x"}
}
locals {
  l = [1, "two", true, null, {k = "v"}]
  m = {for i, x in local.l : tostring(i) => x}
}
resource "aws_instance" "r" {
  ami = "ami-1"
}
"""

HCL_PIECES = ['resource "aws_instance" "x" {\n', "}\n", "{", "}", "[", "]", "(", ")", '"', "=",
              "${", "%{", "<<EOT\n", "\nEOT\n", "count = 3\n", "for_each = var.v\n",
              "dynamic \"d\" {\n content {}\n}\n", "# c\n", "/*", "*/", "\\", "\x00", "\ufeff",
              'module "m" {\n source = "./m"\n}\n', "locals {\n a = local.a\n}\n"]


def hcl_files() -> st.SearchStrategy[str]:
    """Whole ``.tf`` files: mutated fixtures, and resources whose attributes are expressions."""
    generated = st.lists(st.tuples(IDENTIFIERS, hcl_expressions()), min_size=1, max_size=4).map(
        lambda attrs: PRELUDE + 'resource "aws_instance" "t" {\n'
        + "".join(f"  {name}_{i} = {expr}\n" for i, (name, expr) in enumerate(attrs)) + "}\n")
    return st.one_of(generated, mutated(fixture_texts((".tf",)), HCL_PIECES))


# ---------------------------------------------------------------- JSON-like values

JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40),
                         st.floats(allow_nan=False, allow_infinity=False),
                         st.text(max_size=12))


@cache
def json_values(leaves: st.SearchStrategy[Any] = JSON_SCALARS,
                keys: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Any]:
    keys = keys if keys is not None else st.text(max_size=8)
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=12)


# ---------------------------------------------------------------- CloudFormation

CFN_NAMES = st.sampled_from(["Env", "Names", "Box", "Role", "Missing", "AWS::Region",
                             "AWS::NoValue", "AWS::Partition", "IsProd", "Map"])
CFN_STRINGS = st.one_of(
    st.sampled_from(["a", "prod", "${Env}-${AWS::Region}", "${Box.Arn}", "${!Literal}", "",
                     "{{resolve:ssm:x}}", "a,b", "AWS::EC2::Instance", "${Missing}",
                     "arn:aws:iam::aws:policy/AdministratorAccess"]),
    st.text(max_size=10))


@cache
def cfn_values() -> st.SearchStrategy[Any]:
    """Property values made of intrinsic functions, nested."""

    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        pair = st.lists(inner, min_size=0, max_size=3)
        return st.one_of(
            CFN_NAMES.map(lambda n: {"Ref": n}),
            st.tuples(CFN_NAMES, CFN_STRINGS).map(lambda p: {"Fn::GetAtt": [p[0], p[1]]}),
            inner.map(lambda v: {"Fn::Sub": v}),
            st.tuples(CFN_STRINGS, st.dictionaries(CFN_NAMES, inner, max_size=2)).map(
                lambda p: {"Fn::Sub": [p[0], p[1]]}),
            st.tuples(inner, pair).map(lambda p: {"Fn::Join": [p[0], p[1]]}),
            st.tuples(inner, inner).map(lambda p: {"Fn::Select": [p[0], p[1]]}),
            st.tuples(inner, inner).map(lambda p: {"Fn::Split": [p[0], p[1]]}),
            st.tuples(CFN_NAMES, inner, inner).map(lambda p: {"Fn::If": [p[0], p[1], p[2]]}),
            pair.map(lambda xs: {"Fn::FindInMap": xs}),
            inner.map(lambda v: {"Fn::Base64": v}),
            inner.map(lambda v: {"Fn::Length": v}),
            inner.map(lambda v: {"Fn::ToJsonString": v}),
            inner.map(lambda v: {"Fn::GetAZs": v}),
            inner.map(lambda v: {"Fn::Unknown": v}),
            st.lists(inner, max_size=3),
            st.dictionaries(st.sampled_from(["HttpTokens", "UserData", "Key", "Value"]), inner,
                            max_size=3),
        )

    return st.recursive(st.one_of(CFN_STRINGS, st.integers(-3, 3), st.booleans()), extend,
                        max_leaves=10)


@cache
def cfn_conditions() -> st.SearchStrategy[Any]:
    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.lists(inner, max_size=3).map(lambda xs: {"Fn::And": xs}),
            st.lists(inner, max_size=3).map(lambda xs: {"Fn::Or": xs}),
            st.lists(inner, max_size=2).map(lambda xs: {"Fn::Not": xs}),
            CFN_NAMES.map(lambda n: {"Condition": n}),
        )

    equals = st.lists(cfn_values(), max_size=3).map(lambda xs: {"Fn::Equals": xs})
    return st.recursive(equals, extend, max_leaves=6)


TYPES = st.sampled_from(["AWS::EC2::Instance", "AWS::EC2::LaunchTemplate", "AWS::IAM::Role",
                         "AWS::IAM::InstanceProfile", "AWS::Serverless::Function", "Custom::X"])


@st.composite
def cfn_templates(draw: st.DrawFn) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(["Box", "Role", "Profile", "Other"]),
                              max_size=3, unique=True)):
        body: dict[str, Any] = {"Type": draw(TYPES),
                                "Properties": draw(st.dictionaries(
                                    st.sampled_from(["MetadataOptions", "UserData", "ImageId",
                                                     "LaunchTemplateData", "Policies",
                                                     "AssumeRolePolicyDocument", "Roles"]),
                                    cfn_values(), max_size=3))}
        if draw(st.booleans()):
            body["Condition"] = draw(CFN_NAMES)
        resources[name] = body
    if draw(st.booleans()):
        resources["Fn::ForEach::Loop"] = [
            "Env", draw(st.one_of(st.lists(CFN_STRINGS, max_size=3), cfn_values())),
            {"Box${Env}": {"Type": "AWS::EC2::Instance",
                           "Properties": {"Tags": [{"Value": {"Ref": "Env"}}]}}}]
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09",
                                "Resources": resources}
    if draw(st.booleans()):
        template["Transform"] = draw(st.sampled_from(
            ["AWS::LanguageExtensions", ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"],
             "AWS::Serverless-2016-10-31"]))
    if draw(st.booleans()):
        template["Conditions"] = draw(st.dictionaries(CFN_NAMES, cfn_conditions(),
                                                      max_size=3))
    if draw(st.booleans()):
        template["Parameters"] = {"Env": {"Type": "String"},
                                  "Names": {"Type": "CommaDelimitedList", "Default": "a,b"}}
    if draw(st.booleans()):
        template["Mappings"] = {"Map": {"a": {"b": draw(cfn_values())}}}
    return template


CFN_PIECES = ["Resources:\n", "  Box:\n    Type: AWS::EC2::Instance\n", "!Ref X", "!Sub '${A}'",
              "&a ", "*a", "- ", ": ", "{", "}", "[", "]", "\t", "'", '"', "!If [C, a, b]",
              "Fn::ForEach::L: [N, [a], {B${N}: {Type: AWS::EC2::Instance}}]\n", "\x00", "%"]


def cfn_texts() -> st.SearchStrategy[bytes]:
    """Template bytes: generated (JSON or YAML) and mutated fixtures."""
    import yaml

    generated = cfn_templates().flatmap(lambda t: st.sampled_from([
        json.dumps(t), yaml.safe_dump(t, sort_keys=False)]))
    seeds = fixture_texts((".yaml", ".yml", ".json", ".template"))
    return st.one_of(generated, mutated(seeds, CFN_PIECES)).map(
        lambda s: s.encode("utf-8", "surrogatepass"))


# ---------------------------------------------------------------- IAM policies

IAM_STRINGS = st.one_of(
    st.sampled_from(["*", "s3:*", "iam:PassRole", "sts:AssumeRole", "ec2:Describe*",
                     "arn:aws:s3:::b/*", "arn:aws:iam::123456789012:root", "Allow", "Deny",
                     "aws:SourceArn", "sts:ExternalId", "ec2.amazonaws.com", "iam:*Policy*",
                     "*:*", "s3:Get*Object", "NotAnAction"]),
    st.text(max_size=10))
IAM_KEYS = st.sampled_from(["Version", "Statement", "Sid", "Effect", "Action", "NotAction",
                            "Resource", "NotResource", "Principal", "NotPrincipal", "Condition",
                            "AWS", "Service", "Federated", "StringEquals", "ArnLike",
                            "ForAnyValue:StringLikeIfExists", "Bool", "action", "EFFECT"])


def policy_documents() -> st.SearchStrategy[Any]:
    return json_values(st.one_of(IAM_STRINGS, JSON_SCALARS), IAM_KEYS)


Target = Callable[[Any], None]


# ---------------------------------------------------------------- the fix stage


def fixable_files() -> st.SearchStrategy[tuple[str, bytes]]:
    """A Terraform file or a template (generated, or a mutated fixture), with its name."""
    terraform = hcl_files().map(lambda s: ("main.tf", s.encode("utf-8", "surrogatepass")))
    templates = cfn_texts().map(lambda b: ("template.yaml", b))
    return st.one_of(terraform, templates)
