from __future__ import annotations

import os
import pathlib
import textwrap

import pytest

from linter.frontends.terraform.hcl import load_module, parse_hcl, parser_view
from linter.frontends.terraform.hcl_ast import (
    BinaryOp,
    Block,
    Conditional,
    Expr,
    ForExpr,
    FunctionCall,
    GetAttr,
    Index,
    Invalid,
    Literal,
    ObjectExpr,
    Relative,
    Splat,
    Template,
    TemplateFor,
    TemplateIf,
    Traversal,
    TupleExpr,
    UnaryOp,
)
from linter.frontends.terraform.hcl_treesitter import _LONG_RUN, has_long_run
from linter.model import Span
from linter.options import Budgets


def parse(source: str) -> list[Block]:
    return list(parse_hcl("main.tf", textwrap.dedent(source).encode()).body.blocks)


def attr(source: str, name: str = "x") -> Expr:
    """The expression of attribute ``name`` of ``locals { ... }`` holding ``source``."""
    file = parse_hcl("main.tf", f"locals {{\n  {name} = {source}\n}}\n".encode())
    assert file.problems == ()
    found = file.body.blocks[0].body.attribute(name)
    assert found is not None
    return found.expr


def span(line: int, col: int, end_line: int, end_col: int) -> Span:
    return Span("main.tf", line, col, end_line, end_col)


# ---------------------------------------------------------------- structure and spans


def test_blocks_attributes_and_nested_blocks_have_exact_spans() -> None:
    blocks = parse("""\
        resource "aws_instance" "web" {
          ami = "ami-1"
          metadata_options {
            http_tokens = "required"
          }
        }
        """)
    (block,) = blocks
    assert (block.type, block.labels) == ("resource", ("aws_instance", "web"))
    assert block.span == span(1, 1, 6, 2)
    assert block.header == span(1, 1, 1, 32)
    ami = block.body.attribute("ami")
    assert ami is not None
    assert ami.span == span(2, 3, 2, 16)
    assert ami.name_span == span(2, 3, 2, 6)
    assert ami.expr == Literal("ami-1", span(2, 9, 2, 16), '"ami-1"')
    (nested,) = block.body.blocks_of("metadata_options")
    assert nested.labels == ()
    assert nested.span == span(3, 3, 5, 4)
    tokens = nested.body.attribute("http_tokens")
    assert tokens is not None
    assert tokens.span == span(4, 5, 4, 29)
    assert tokens.expr == Literal("required", span(4, 19, 4, 29), '"required"')


def test_every_top_level_block_type_and_identifier_labels() -> None:
    blocks = parse("""\
        variable "v" { default = 1 }
        locals { a = 1 }
        provider aws { region = "us-east-1" }
        output "o" { value = 1 }
        module "m" { source = "./m" }
        data "aws_iam_policy_document" "d" {}
        terraform { required_version = ">= 1.5" }
        """)
    assert [(b.type, b.labels) for b in blocks] == [
        ("variable", ("v",)), ("locals", ()), ("provider", ("aws",)), ("output", ("o",)),
        ("module", ("m",)), ("data", ("aws_iam_policy_document", "d")), ("terraform", ()),
    ]
    assert blocks[5].body.attributes == ()


def test_non_ascii_columns_count_characters() -> None:
    file = parse_hcl("main.tf", "locals {\n  a = \"é\"\n  b = \"ü\" # ü\n}\n".encode())
    b = file.body.blocks[0].body.attribute("b")
    assert b is not None
    assert b.expr.span == span(3, 7, 3, 10)
    assert file.comment_details[0].span == span(3, 11, 3, 14)


def test_comments_are_collected_with_placement() -> None:
    file = parse_hcl("main.tf", textwrap.dedent("""\
        # ruleid: IAC0101
        resource "aws_instance" "a" {
          ami = "x" // trailing
          /* block
             comment */
        }
        """).encode())
    assert file.comments == (
        (1, "# ruleid: IAC0101"), (3, "// trailing"), (4, "/* block\n     comment */"))
    assert [c.trailing for c in file.comment_details] == [False, True, False]
    assert file.comment_details[2].span == span(4, 3, 5, 16)


# ---------------------------------------------------------------- literals and templates


@pytest.mark.parametrize(("source", "value"), [
    ("1", 1), ("1.5", 1.5), ("1.5e3", 1500.0), ("true", True), ("false", False), ("null", None),
    ('"plain"', "plain"), ('""', ""), ('"  spaced  "', "  spaced  "),
    ('"a\\n\\t\\"q\\" \\\\ \\u00e9"', 'a\n\t"q" \\ é'), ('"$${x} %%{y}"', "${x} %{y}"),
    ('"# not a comment"', "# not a comment"),
])
def test_literals(source: str, value: object) -> None:
    expr = attr(source)
    assert isinstance(expr, Literal)
    assert expr.value == value
    assert type(expr.value) is type(value)
    assert expr.text == source


def test_template_with_interpolation() -> None:
    expr = attr('"arn:${var.partition}:iam::${local.account}:role/x"')
    assert isinstance(expr, Template)
    assert expr.parts[0] == "arn:"
    assert isinstance(expr.parts[1], Traversal)
    assert expr.parts[1].text == "var.partition"
    assert expr.parts[1].span == span(2, 14, 2, 27)
    assert expr.parts[2] == ":iam::"
    assert expr.parts[4] == ":role/x"


def test_single_interpolation_template_keeps_one_part() -> None:
    expr = attr('"${var.x}"')
    assert isinstance(expr, Template)
    assert len(expr.parts) == 1
    assert isinstance(expr.parts[0], Traversal)


def test_template_directives_and_strip_markers() -> None:
    expr = attr('"%{ if var.on }yes%{ else }no%{ endif } '
                '%{~ for k, v in var.m ~} ${k}=${v} %{~ endfor }"')
    assert isinstance(expr, Template)
    branch = expr.parts[0]
    assert isinstance(branch, TemplateIf)
    assert branch.then.parts == ("yes",)
    assert branch.otherwise is not None
    assert branch.otherwise.parts == ("no",)
    loop = expr.parts[1]  # the " " before %{~ for is stripped away
    assert isinstance(loop, TemplateFor)
    assert (loop.key_var, loop.value_var) == ("k", "v")
    assert isinstance(loop.collection, Traversal)
    body = loop.body.parts
    assert isinstance(body[0], Traversal)
    assert body[1] == "="
    assert isinstance(body[2], Traversal)
    assert len(body) == 3  # whitespace on both sides stripped by the ~ markers
    assert len(expr.parts) == 2


def test_heredoc_keeps_text_verbatim() -> None:
    expr = attr('<<EOT\n  {\n    "a": "${var.x}"\n  }\nEOT', "policy")
    assert isinstance(expr, Template)
    assert expr.parts[0] == '  {\n    "a": "'
    assert expr.parts[2] == '"\n  }\n'
    assert expr.span == span(2, 12, 6, 4)


def test_heredoc_without_interpolation_is_a_literal_and_keeps_backslashes() -> None:
    expr = attr('<<EOT\n# not a comment\nback\\slash $${x}\nEOT')
    assert isinstance(expr, Literal)
    assert expr.value == "# not a comment\nback\\slash ${x}\n"


@pytest.mark.parametrize(("body", "value"), [
    ("    Foo\n    Bar\n    Baz\n  ", "Foo\nBar\nBaz\n"),
    ("    Foo\n      Bar\n    Baz\n  ", "Foo\n  Bar\nBaz\n"),
    ("    Foo\n  Bar\n    Baz\n  ", "  Foo\nBar\n  Baz\n"),
    ("\tFoo\n  Bar\n  Baz\n  ", "Foo\n Bar\n Baz\n"),
    ("    Foo\n\n    Bar\n  ", "Foo\n\nBar\n"),
    ("Foo\nBar\n", "Foo\nBar\n"),
])
def test_flush_heredoc_strips_the_smallest_indentation(body: str, value: str) -> None:
    expr = attr(f"<<-EOT\n{body}EOT")
    assert isinstance(expr, Literal)
    assert expr.value == value


def test_flush_heredoc_counts_indentation_before_interpolations() -> None:
    expr = attr("<<-EOT\n    Foo\n  ${var.bar}\n    Baz\n  EOT")
    assert isinstance(expr, Template)
    assert expr.parts[0] == "  Foo\n"
    assert expr.parts[2] == "\n  Baz\n"


def test_empty_heredoc() -> None:
    expr = attr("<<EOT\nEOT")
    assert isinstance(expr, Literal)
    assert expr.value == ""


# ---------------------------------------------------------------- expressions


def test_traversal_with_index_and_legacy_index() -> None:
    expr = attr('var.a[0]["b"].c.1')
    assert isinstance(expr, Traversal)
    assert expr.root == "var"
    assert [type(s).__name__ for s in expr.steps] == ["GetAttr", "Index", "Index", "GetAttr",
                                                      "Index"]
    first = expr.steps[1]
    assert isinstance(first, Index)
    assert first.key == Literal(0, span(2, 13, 2, 14), "0")
    last = expr.steps[4]
    assert isinstance(last, Index)
    assert isinstance(last.key, Literal)
    assert last.key.value == 1
    assert expr.span == span(2, 7, 2, 24)
    assert expr.text == 'var.a[0]["b"].c.1'


def test_splats() -> None:
    full = attr("aws_instance.web[*].id")
    assert isinstance(full, Traversal)
    assert full.steps == (GetAttr("web"), Splat(full=True), GetAttr("id"))
    legacy = attr("aws_instance.web.*.id")
    assert isinstance(legacy, Traversal)
    assert legacy.steps == (GetAttr("web"), Splat(full=False), GetAttr("id"))


def test_function_calls_expansion_and_provider_namespace() -> None:
    call = attr("concat(var.a, local.b...)")
    assert isinstance(call, FunctionCall)
    assert call.name == "concat"
    assert call.expand_final is True
    assert [a.text for a in call.args] == ["var.a", "local.b"]
    namespaced = attr('provider::aws::arn_parse("arn:aws:iam::1:role/x")')
    assert isinstance(namespaced, FunctionCall)
    assert namespaced.name == "provider::aws::arn_parse"
    assert namespaced.expand_final is False
    empty = attr("timestamp()")
    assert isinstance(empty, FunctionCall)
    assert empty.args == ()


def test_relative_traversal_on_call_and_parentheses() -> None:
    expr = attr("jsondecode(local.doc).Statement[0]")
    assert isinstance(expr, Relative)
    assert isinstance(expr.source, FunctionCall)
    assert expr.steps[0] == GetAttr("Statement")
    paren = attr("(local.a).b")
    assert isinstance(paren, Relative)
    assert isinstance(paren.source, Traversal)
    assert paren.text == "(local.a).b"


def test_conditional_nests_to_the_right() -> None:
    expr = attr('var.a ? "x" : var.b ? "y" : "z"')
    assert isinstance(expr, Conditional)
    assert isinstance(expr.condition, Traversal)
    assert isinstance(expr.otherwise, Conditional)


def test_operator_precedence() -> None:
    expr = attr("1 + 2 * 3 > 6 && !var.off || var.force")
    assert isinstance(expr, BinaryOp)
    assert expr.op == "||"
    left = expr.left
    assert isinstance(left, BinaryOp)
    assert left.op == "&&"
    comparison = left.left
    assert isinstance(comparison, BinaryOp)
    assert comparison.op == ">"
    addition = comparison.left
    assert isinstance(addition, BinaryOp)
    assert addition.op == "+"
    assert isinstance(addition.right, BinaryOp)
    assert addition.right.op == "*"
    negation = left.right
    assert isinstance(negation, UnaryOp)
    assert negation.op == "!"
    assert isinstance(negation.operand, Traversal)


def test_operands_with_traversals_and_unary_minus() -> None:
    expr = attr("var.a.b - -f(1)[0]")
    assert isinstance(expr, BinaryOp)
    assert isinstance(expr.left, Traversal)
    assert expr.left.text == "var.a.b"
    assert isinstance(expr.right, UnaryOp)
    assert isinstance(expr.right.operand, Relative)


def test_for_expressions() -> None:
    listed = attr('[for k, v in var.m : upper(v) if k != "a"]')
    assert isinstance(listed, ForExpr)
    assert (listed.key_var, listed.value_var, listed.is_object) == ("k", "v", False)
    assert isinstance(listed.value_expr, FunctionCall)
    assert isinstance(listed.condition, BinaryOp)
    grouped = attr("{for s in var.l : s.k => s...}")
    assert isinstance(grouped, ForExpr)
    assert grouped.is_object is True
    assert grouped.grouping is True
    assert grouped.key_var is None
    assert isinstance(grouped.key_expr, Traversal)


def test_collections_and_object_keys() -> None:
    tup = attr('[1, "a", [true]]')
    assert isinstance(tup, TupleExpr)
    assert len(tup.items) == 3
    obj = attr('{ Name = "n", "quoted" = 1, (local.k) = 2, key: 3 }')
    assert isinstance(obj, ObjectExpr)
    keys = [item.key for item in obj.items]
    assert keys[0] == Literal("Name", span(2, 9, 2, 13), "Name")
    assert isinstance(keys[1], Literal)
    assert keys[1].value == "quoted"
    assert isinstance(keys[2], Traversal)
    assert isinstance(keys[3], Literal)
    assert keys[3].value == "key"
    assert obj.items[0].span == span(2, 9, 2, 19)


def test_multiline_object_with_comments() -> None:
    expr = attr("{\n    a = 1 # one\n    # two\n    b = 2\n  }")
    assert isinstance(expr, ObjectExpr)
    assert [item.key for item in expr.items][1] == Literal("b", span(5, 5, 5, 6), "b")


# ---------------------------------------------------------------- broken files


def test_syntax_error_keeps_the_blocks_that_parsed_and_uses_hcl2_message() -> None:
    file = parse_hcl("main.tf", textwrap.dedent("""\
        resource "aws_instance" "a" {
          ami = "x"
        }

        resource "aws_instance" "b" {
          ami =
        }

        resource "aws_instance" "c" {
          ami = "y"
        }
        """).encode())
    assert [b.labels[1] for b in file.body.blocks] == ["a", "b", "c"]
    broken = file.body.blocks[1].body.attribute("ami")
    assert broken is not None
    assert isinstance(broken.expr, Invalid)
    (problem,) = file.problems
    assert problem.span.start_line == 6
    assert problem.message.startswith("syntax error: unexpected")
    assert "expected" in problem.message
    assert "\n" not in problem.message


def test_unclosed_block_is_reported_at_hcl2_position() -> None:
    file = parse_hcl("main.tf", b'resource "a" "b" {\n  x = 1\n')
    (problem,) = file.problems
    assert problem.span.start_line == 3
    assert problem.message == "syntax error: unexpected end of file; expected one of: '}'"
    assert file.body.blocks[0].body.attribute("x") is not None


def test_unterminated_string() -> None:
    file = parse_hcl("main.tf", b'locals {\n  a = "x\n  b = 2\n}\n')
    assert file.problems
    assert file.problems[0].span.start_line in (2, 3)


def test_parser_is_created_once() -> None:
    from linter.frontends.terraform import hcl_treesitter

    parse_hcl("a.tf", b"a = 1\n")
    first = hcl_treesitter._PARSER
    parse_hcl("b.tf", b"b = 2\n")
    assert hcl_treesitter._PARSER is first


# ---------------------------------------------------------------- load_module


def write(path: pathlib.Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def test_load_module_reads_tf_and_tf_json_sorted_not_subdirectories(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "infra" / "b.tf", 'resource "aws_instance" "b" {}\n')
    write(tmp_path / "infra" / "a.tf.json", '{"resource": {"aws_instance": {"a": {}}}}')
    write(tmp_path / "infra" / "c.tfvars", "x = 1\n")
    write(tmp_path / "infra" / "sub" / "d.tf", 'resource "aws_instance" "d" {}\n')
    files, findings = load_module(tmp_path, "infra")
    assert [f.path for f in files] == ["infra/a.tf.json", "infra/b.tf"]
    assert findings == []
    root_files, _ = load_module(tmp_path / "infra", "")
    assert [f.path for f in root_files] == ["a.tf.json", "b.tf"]


@pytest.mark.parametrize("content", [b"", b"  \n\n", b"# only a comment\n// and another\n",
                                     b"/* a block comment */\n"])
def test_empty_and_comment_only_tf_files_are_valid_and_silent(tmp_path: pathlib.Path,
                                                              content: bytes) -> None:
    write(tmp_path / "variables.tf", content)
    write(tmp_path / "main.tf", 'resource "aws_instance" "ok" {}\n')
    files, findings = load_module(tmp_path, "")
    assert [f.path for f in files] == ["main.tf", "variables.tf"]
    assert findings == []
    assert files[1].body.blocks == ()


@pytest.mark.parametrize("content", [b"", b" \n\t\n"])
def test_an_empty_tf_json_file_is_invalid_as_in_terraform(tmp_path: pathlib.Path,
                                                          content: bytes) -> None:
    # Terraform reads .tf.json with HCL's JSON parser: "Missing value: The JSON data ends
    # prematurely" (hashicorp/hcl json/parser.go, parseValue on tokenEOF)
    write(tmp_path / "main.tf.json", content)
    _, findings = load_module(tmp_path, "")
    (finding,) = findings
    assert finding.rule_id == "IAC0001"
    assert (finding.span.file, finding.span.start_line) == ("main.tf.json", 1)
    assert finding.message.startswith("invalid JSON: the file is empty")


@pytest.mark.parametrize(("content", "message", "line"), [
    (b'locals {\n  a = "\x00"\n}\n', "binary file (contains NUL bytes); not scanned", 2),
    (b'locals {\n  a = "\xff"\n}\n', "not valid UTF-8 (byte 0xff at line 2, column 8)", 2),
])
def test_broken_files_become_iac0001(tmp_path: pathlib.Path, content: bytes, message: str,
                                     line: int) -> None:
    write(tmp_path / "bad.tf", content)
    write(tmp_path / "good.tf", 'resource "aws_instance" "ok" {}\n')
    files, findings = load_module(tmp_path, "")
    assert [f.path for f in files] == ["good.tf"]
    (finding,) = findings
    assert finding.rule_id == "IAC0001"
    assert finding.category == "tool"
    assert finding.message == message
    assert (finding.span.file, finding.span.start_line) == ("bad.tf", line)


def test_syntax_error_file_still_contributes_blocks(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "main.tf", 'resource "aws_instance" "a" {}\nresource "x" "y" {\n  a =\n}\n')
    files, findings = load_module(tmp_path, "")
    assert [b.labels for b in files[0].body.blocks] == [("aws_instance", "a"), ("x", "y")]
    (finding,) = findings
    assert finding.rule_id == "IAC0001"
    assert finding.span.file == "main.tf"
    assert finding.span.start_line == 3
    assert finding.message.startswith("syntax error:")


def test_invalid_tf_json_becomes_iac0001(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "main.tf.json", '{\n  "resource": {,}\n}\n')
    _, findings = load_module(tmp_path, "")
    (finding,) = findings
    assert finding.span.start_line == 2
    assert finding.message.startswith("invalid JSON:")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_out_of_the_root_are_not_read(tmp_path: pathlib.Path) -> None:
    outside = tmp_path / "outside"
    write(outside / "secret.tf", 'resource "aws_instance" "s" {}\n')
    root = tmp_path / "root"
    write(root / "main.tf", 'resource "aws_instance" "m" {}\n')
    (root / "link.tf").symlink_to(outside / "secret.tf")
    (root / "escape").symlink_to(outside, target_is_directory=True)
    files, findings = load_module(root, "")
    assert [f.path for f in files] == ["main.tf"]
    assert [f.rule_id for f in findings] == ["IAC0004"]
    files, findings = load_module(root, "escape")
    assert files == []
    assert [f.rule_id for f in findings] == ["IAC0004"]
    files, findings = load_module(root, "../outside")
    assert files == []


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True,
                    reason="root reads every file")
def test_unreadable_file(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "main.tf", "a = 1\n")
    (tmp_path / "main.tf").chmod(0)
    _, findings = load_module(tmp_path, "")
    assert findings[0].message.startswith("cannot read file")


def test_conditional_chain_spans() -> None:
    expr = attr("a ? b : c ? d : e")
    assert isinstance(expr, Conditional)
    assert expr.text == "a ? b : c ? d : e"
    assert isinstance(expr.otherwise, Conditional)
    assert expr.otherwise.text == "c ? d : e"
    assert expr.otherwise.span == span(2, 15, 2, 24)
    nested_then = attr("a ? (b ? c : d) : e")
    assert isinstance(nested_then, Conditional)
    assert isinstance(nested_then.then, Conditional)


def test_a_file_past_the_syntax_nodes_budget_is_not_converted(tmp_path: pathlib.Path) -> None:
    text = "".join(f'resource "aws_instance" "r{i}" {{\n  ami = "a"\n}}\n' for i in range(50))
    parsed = parse_hcl("big.tf", text.encode(), max_nodes=100)
    assert parsed.body.blocks == ()
    assert "more than the budget syntax-nodes (100)" in parsed.problems[0].message
    (tmp_path / "big.tf").write_text(text)
    files, findings = load_module(tmp_path, ".", Budgets(syntax_nodes=100))
    assert [(f.rule_id, f.span.file) for f in findings] == [("IAC0001", "big.tf")]
    files, findings = load_module(tmp_path, ".")
    assert findings == []
    assert len(files[0].body.blocks) == 50


def test_long_base64_runs_are_blanked_for_the_parser_only() -> None:
    blob = "QUJD" * 5000
    text = f'// {"x" * 70}\n//{"y" * 80}\nx = "{blob}"\ny = <<EOT\n{blob}\nEOT\n'
    view = parser_view(text.encode())
    assert len(view) == len(text.encode())
    assert blob.encode() not in view
    assert view.startswith(b"// x")
    assert b"\n//y" in view
    parsed = parse_hcl("t.tf", text.encode())
    assert not parsed.problems
    values = {a.name: a.expr for a in parsed.body.attributes}
    assert getattr(values["x"], "value", None) == blob


@pytest.mark.parametrize("text", [
    b"", b"a" * 63, b"a" * 64, b"x = \"" + b"Ab+/9" * 13 + b"\"", b"a" * 63 + b"-" + b"a" * 63,
    b"\xff" * 64, "é".encode() * 40 + b"A" * 64, b"QUJD" * 20 + b"=" + b"QUJD" * 15,
])
def test_the_long_run_check_agrees_with_the_pattern(text: bytes) -> None:
    """``has_long_run`` (a byte translation and a substring search) is the pattern's verdict."""
    assert has_long_run(text) == (_LONG_RUN.search(text) is not None)


def test_a_tf_json_file_past_the_syntax_nodes_budget_is_not_parsed(
        tmp_path: pathlib.Path) -> None:
    (tmp_path / "main.tf.json").write_text('{"locals": {"a": [' + "1," * 200 + "1]}}")
    files, findings = load_module(tmp_path, ".", Budgets(syntax_nodes=100))
    assert files == []
    assert "more than 100 JSON values" in findings[0].message


@pytest.mark.parametrize("source", ['x = "a${}b"\n', 'x = "%{if}y%{endif}"\n',
                                    'x = <<EOT\n${}\nEOT\n'])
def test_an_empty_interpolation_is_invalid_not_a_crash(source: str) -> None:
    """Found by the fuzz job: the grammar accepts ``${}``; Terraform rejects it."""
    parsed = parse_hcl("t.tf", source.encode())
    attribute = parsed.body.attribute("x")
    assert attribute is not None


def _count_hcl2_inputs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from linter.frontends.terraform import hcl as hcl_module
    from linter.frontends.terraform.hcl_errors import hcl2_error as real

    sizes: list[int] = []

    def spy(text: str) -> object:
        sizes.append(len(text))
        return real(text)

    monkeypatch.setattr(hcl_module, "hcl2_error", spy)
    return sizes


def test_python_hcl2_sees_only_the_broken_block_of_a_large_file(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """python-hcl2 costs ~20 s and 300 MB per MB of HCL (2.2 GB for a broken 10 MB file): past
    ORACLE_BYTES it is asked about the top-level block holding the error, lines kept."""
    from linter.frontends.terraform import hcl as hcl_module

    blocks = "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b{i}"\n}}\n\n'
                     for i in range(20))
    source = blocks + 'resource "x" "y" {\n  a = 1\n  = 2\n}\n' + blocks
    whole = parse_hcl("big.tf", source.encode()).problems[0]  # python-hcl2 on the whole file
    monkeypatch.setattr(hcl_module, "ORACLE_BYTES", 400)
    sizes = _count_hcl2_inputs(monkeypatch)
    parsed = parse_hcl("big.tf", source.encode())
    assert parsed.problems[0] == whole
    assert whole.span.start_line == 83  # the line of "= 2"
    assert whole.message.startswith("syntax error: unexpected '='")
    assert sizes
    assert max(sizes) <= 400
    assert len(parsed.body.blocks) == 41


def test_a_broken_block_too_large_for_python_hcl2_gets_tree_sitters_word(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.frontends.terraform import hcl as hcl_module

    monkeypatch.setattr(hcl_module, "ORACLE_BYTES", 400)
    sizes = _count_hcl2_inputs(monkeypatch)
    source = 'locals {\n  a = "' + "x" * 1000 + '"\n  = 2\n}\n'
    parsed = parse_hcl("big.tf", source.encode())
    assert sizes == []
    assert parsed.problems[0].message.startswith("syntax error")
    assert parsed.problems[0].span.start_line == 3


def test_syntax_trees_compare_hash_and_pickle_by_value() -> None:
    """Nodes are not frozen (cheaper to make) but compare and hash as frozen ones did, and
    survive the trip to and from a worker process."""
    import pickle

    source = (b'resource "a" "b" {\n  x = [1, "s", var.v, f(2)]\n'
              b'  nested {\n    y = {k = 1}\n  }\n}\n')
    first, second = parse_hcl("main.tf", source), parse_hcl("main.tf", source)
    assert first == second
    assert hash(first) == hash(second)
    assert len({first.body.blocks[0], second.body.blocks[0]}) == 1
    assert pickle.loads(pickle.dumps(first)) == first
