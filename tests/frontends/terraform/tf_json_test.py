from __future__ import annotations

import json

from linter.frontends.terraform.hcl_ast import (
    Block,
    HclFile,
    Invalid,
    Literal,
    ObjectExpr,
    Template,
    Traversal,
    TupleExpr,
)
from linter.frontends.terraform.tf_json import parse_tf_json
from linter.json_positions import LineIndex, parse_json
from linter.model import Span

SOURCE = """\
{
  "//": "a comment",
  "variable": {"tokens": {"type": "list(string)", "default": "${literal}"}},
  "locals": {"x": "${var.tokens}", "m": {"metadata_options": {"a": 1}}},
  "resource": {
    "aws_instance": {
      "web": {
        "ami": "ami-1",
        "tags": {"Name": "n-${local.x}"},
        "metadata_options": {"http_tokens": "${var.tokens}", "http_put_response_hop_limit": 2},
        "ebs_block_device": [{"device_name": "a"}, {"device_name": "b"}],
        "depends_on": ["aws_iam_role.r"],
        "provider": "aws.west",
        "dynamic": {"ingress": {"for_each": "${var.l}", "content": {"port": "${ingress.value}"}}}
      }
    },
    "aws_iam_role": {"r": [{"name": "a"}, {"name": "b"}]}
  },
  "provider": {"aws": [{"region": "us-east-1"}, {"alias": "west", "region": "us-west-2"}]},
  "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}},
                "backend": {"s3": {"bucket": "b"}}}
}
"""


def parsed() -> HclFile:
    return parse_tf_json("main.tf.json", SOURCE.encode())


def blocks(file: HclFile, type_: str) -> list[Block]:
    return [b for b in file.body.blocks if b.type == type_]


def test_top_level_blocks_and_labels() -> None:
    file = parsed()
    assert file.problems == ()
    assert [(b.type, b.labels) for b in file.body.blocks] == [
        ("variable", ("tokens",)), ("locals", ()),
        ("resource", ("aws_instance", "web")), ("resource", ("aws_iam_role", "r")),
        ("resource", ("aws_iam_role", "r")), ("provider", ("aws",)), ("provider", ("aws",)),
        ("terraform", ()),
    ]
    web = blocks(file, "resource")[0]
    assert web.header == Span("main.tf.json", 7, 7, 7, 12)
    assert (web.span.start_line, web.span.end_line) == (7, 15)


def test_strings_are_templates_with_positions() -> None:
    web = blocks(parsed(), "resource")[0]
    ami = web.body.attribute("ami")
    assert ami is not None
    assert ami.expr == Literal("ami-1", Span("main.tf.json", 8, 16, 8, 23), '"ami-1"')
    assert ami.name_span == Span("main.tf.json", 8, 9, 8, 14)
    tags = web.body.attribute("tags")
    assert tags is not None
    assert isinstance(tags.expr, ObjectExpr)
    name = tags.expr.items[0].value
    assert isinstance(name, Template)
    assert name.parts[0] == "n-"
    reference = name.parts[1]
    assert isinstance(reference, Traversal)
    assert reference.text == "local.x"
    assert reference.span == Span("main.tf.json", 9, 31, 9, 38)


def test_known_block_names_are_nested_blocks_other_objects_are_maps() -> None:
    web = blocks(parsed(), "resource")[0]
    (options,) = web.body.blocks_of("metadata_options")
    tokens = options.body.attribute("http_tokens")
    assert tokens is not None
    assert isinstance(tokens.expr, Template)
    assert isinstance(tokens.expr.parts[0], Traversal)
    assert [b.body.attribute("device_name").expr.value  # type: ignore[union-attr]
            for b in web.body.blocks_of("ebs_block_device")] == ["a", "b"]
    assert web.body.attribute("tags") is not None
    locals_block = blocks(parsed(), "locals")[0]
    assert locals_block.body.blocks == ()  # everything in locals is an attribute
    assert isinstance(locals_block.body.attribute("m").expr, ObjectExpr)  # type: ignore[union-attr]


def test_references_meta_arguments_and_dynamic_blocks() -> None:
    web = blocks(parsed(), "resource")[0]
    depends = web.body.attribute("depends_on")
    assert depends is not None
    assert isinstance(depends.expr, TupleExpr)
    assert isinstance(depends.expr.items[0], Traversal)
    assert depends.expr.items[0].text == "aws_iam_role.r"
    provider = web.body.attribute("provider")
    assert provider is not None
    assert isinstance(provider.expr, Traversal)
    (dynamic,) = web.body.blocks_of("dynamic")
    assert dynamic.labels == ("ingress",)
    (content,) = dynamic.body.blocks_of("content")
    assert content.body.attribute("port") is not None


def test_variable_default_is_literal_and_type_is_an_expression() -> None:
    variable = blocks(parsed(), "variable")[0]
    default = variable.body.attribute("default")
    assert default is not None
    assert isinstance(default.expr, Literal)
    assert default.expr.value == "${literal}"
    type_ = variable.body.attribute("type")
    assert type_ is not None
    assert type_.expr.text == "list(string)"


def test_terraform_block_and_provider_array() -> None:
    file = parsed()
    terraform = blocks(file, "terraform")[0]
    (required,) = terraform.body.blocks_of("required_providers")
    assert isinstance(required.body.attribute("aws").expr, ObjectExpr)  # type: ignore[union-attr]
    (backend,) = terraform.body.blocks_of("backend")
    assert backend.labels == ("s3",)
    providers = blocks(file, "provider")
    assert providers[1].body.attribute("alias").expr.value == "west"  # type: ignore[union-attr]


def test_escaped_strings_fall_back_to_the_whole_string_span() -> None:
    file = parse_tf_json("a.tf.json", b'{"locals": {"x": "\\u0061-${var.b}"}}')
    x = file.body.blocks[0].body.attribute("x")
    assert x is not None
    assert isinstance(x.expr, Template)
    assert x.expr.parts[0] == "a-"
    assert x.expr.parts[1].span == Span("a.tf.json", 1, 18, 1, 35)  # type: ignore[union-attr]


def test_template_directives_and_escapes_in_json_strings() -> None:
    file = parse_tf_json("a.tf.json", json.dumps(
        {"locals": {"x": "%{ if var.a }yes%{ endif }", "y": "$${not}", "z": "${"}}).encode())
    attrs = {a.name: a.expr for a in file.body.blocks[0].body.attributes}
    assert isinstance(attrs["x"], Template)
    assert attrs["y"] == Literal("${not}", attrs["y"].span, "$${not}")
    assert isinstance(attrs["z"], Invalid)


def test_invalid_json_is_a_problem_at_its_position() -> None:
    file = parse_tf_json("a.tf.json", b'{\n  "resource": [1,\n}')
    (problem,) = file.problems
    assert problem.span.start_line == 3
    assert problem.message.startswith("invalid JSON:")
    assert file.body.blocks == ()
    top = parse_tf_json("a.tf.json", b"[1]")
    assert top.problems[0].message == "a Terraform JSON file must hold an object at the top level"


def test_json_positions_match_the_stdlib_decoder() -> None:
    text = '{"a": [1, 2.5, -3e2, true, null, "\\u00e9\\n"], "b": {"c": {}}, "a": 0}'
    node = parse_json(text)
    assert node.to_python() == json.loads(text)
    first = node.members[0]
    assert (first.key_start, first.key_end) == (1, 4)
    assert text[first.value.start : first.value.end] == '[1, 2.5, -3e2, true, null, "\\u00e9\\n"]'
    assert LineIndex("ab\ncd").position(4) == (2, 2)
