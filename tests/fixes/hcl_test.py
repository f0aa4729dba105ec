from __future__ import annotations

import pathlib

import pytest

from tests.fixes.fix_helpers import fix_files, notes


def test_an_unaligned_block_gets_plain_spacing(tmp_path: pathlib.Path) -> None:
    source = ('resource "aws_instance" "i" {\n  metadata_options {\n'
              '    http_endpoint = "enabled"\n    http_put_response_hop_limit = 1\n  }\n}\n')
    changed, _, _ = fix_files(tmp_path, {"main.tf": source})
    assert changed["main.tf"] == source.replace(
        "= 1\n", '= 1\n    http_tokens = "required"\n')


def test_an_aligned_run_gets_longer_names_aligned(tmp_path: pathlib.Path) -> None:
    source = ('resource "aws_launch_template" "t" {\n  metadata_options {\n'
              '    http_tokens = "required"\n  }\n}\n\n'
              'resource "aws_ec2_instance_metadata_defaults" "d" {\n'
              '  http_put_response_hop_limit = 3\n}\n')
    changed, _, _ = fix_files(tmp_path, {"main.tf": source})
    assert changed["main.tf"].startswith(
        'resource "aws_launch_template" "t" {\n  metadata_options {\n'
        '    http_tokens                 = "required"\n'
        "    http_put_response_hop_limit = 1\n  }\n}\n")


def test_tabs_and_crlf_are_kept(tmp_path: pathlib.Path) -> None:
    source = 'resource "aws_instance" "i" {\r\n\tami = "ami-1"\r\n}\r\n'
    changed, _, _ = fix_files(tmp_path, {"main.tf": source})
    assert changed["main.tf"] == ('resource "aws_instance" "i" {\r\n\tami = "ami-1"\r\n\r\n'
                                  '\tmetadata_options {\r\n\t\thttp_tokens = "required"\r\n'
                                  "\t}\r\n}\r\n")


@pytest.mark.parametrize(("source", "why"), [
    ('resource "aws_instance" "i" { ami = "a" }\n', "written on one line"),
    ('resource "aws_instance" "i" {\n  metadata_options { http_endpoint = "enabled" }\n}\n',
     "written on one line"),
    ('resource "aws_instance" "i" {\n  ami = "a" }\n', "shares its line"),
    ('resource "aws_instance" "i" {\n  metadata_options {\n    http_tokens = "optional"\n  }\n'
     '  metadata_options {\n    http_tokens = "optional"\n  }\n}\n', "2 metadata_options"),
])
def test_shapes_left_alone_are_explained(tmp_path: pathlib.Path, source: str, why: str) -> None:
    changed, outcome, _ = fix_files(tmp_path, {"main.tf": source})
    assert changed == {}
    assert len(outcome.unfixed) == 1
    assert why in notes(outcome)[0]


def test_a_module_called_twice_is_fixed_only_where_its_argument_is_wrong(
        tmp_path: pathlib.Path) -> None:
    module = ('variable "tokens" {}\n\nresource "aws_instance" "this" {\n  metadata_options {\n'
              "    http_tokens = var.tokens\n  }\n}\n")
    root = ('module "a" {\n  source = "./m"\n  tokens = "optional"\n}\n\n'
            'module "b" {\n  source = "./m"\n  tokens = "required"\n}\n')
    changed, outcome, _ = fix_files(tmp_path, {"main.tf": root, "m/main.tf": module})
    assert changed == {"main.tf": root.replace('"optional"', '"required"')}
    assert [f.address for f in outcome.fixed] == ["module.a.aws_instance.this"]


def test_a_variable_also_used_in_count_is_left_alone(tmp_path: pathlib.Path) -> None:
    source = ('variable "tokens" {\n  default = "optional"\n}\n\n'
              'resource "aws_instance" "i" {\n  count = var.tokens == "optional" ? 1 : 0\n'
              "  metadata_options {\n    http_tokens = var.tokens\n  }\n}\n")
    changed, outcome, _ = fix_files(tmp_path, {"main.tf": source})
    assert changed == {}
    assert notes(outcome) == ["aws_instance.i[0]: var.tokens is also used at main.tf:6; "
                              "changing it there would change more than the flagged resources"]


def test_a_value_set_by_a_var_flag_is_not_traced(tmp_path: pathlib.Path) -> None:
    source = ('variable "tokens" {\n  default = "required"\n}\n\n'
              'resource "aws_instance" "i" {\n  metadata_options {\n'
              "    http_tokens = var.tokens\n  }\n}\n")
    changed, outcome, _ = fix_files(tmp_path, {"main.tf": source},
                                    variables={"tokens": "optional"})
    assert changed == {}
    assert "set outside the scanned files" in notes(outcome)[0]


def test_verification_parses_the_edited_block_and_compares_it(tmp_path: pathlib.Path) -> None:
    from linter.fixes.hcl import HclSource, verify
    from linter.model import Edit, Span

    source = HclSource("main.tf", b'resource "a" "b" {\n  x = "1"\n  y = "2"\n}\n\nlocals {\n}\n')
    assert verify(source, [Edit(Span("main.tf", 2, 7, 2, 10), '"9"')], {"x"}) is None
    assert verify(source, [Edit(Span("main.tf", 2, 7, 2, 10), '"9"')], {"z"}) == (
        "resource.a.b.#0.x would change")
    assert verify(source, [Edit(Span("main.tf", 2, 7, 2, 10), '"9"\n}\nresource "c" "d" {')],
                  {"x"}) == "an edited block would not stay one block"
    assert "syntax error" in str(verify(source, [Edit(Span("main.tf", 2, 7, 2, 10), '"9')], {"x"}))


def test_after_a_multi_line_value_a_new_run_starts(tmp_path: pathlib.Path) -> None:
    source = ('resource "aws_launch_template" "t" {\n  metadata_options {\n'
              '    http_endpoint = "enabled"\n    http_protocol_ipv6 = lower(\n      "X"\n    )\n'
              "  }\n}\n")
    changed, _, _ = fix_files(tmp_path, {"main.tf": source})
    assert changed["main.tf"] == source.replace(
        '    )\n', '    )\n    http_tokens = "required"\n')


# ---------------------------------------------------------------- object values (issue 14
# acceptance: terraform-aws-modules pass metadata_options as an object argument)

REGISTRY_CALL = ('module "asg" {{\n  source  = "terraform-aws-modules/autoscaling/aws"\n'
                 '  version = "~> 8.0"\n\n  name     = "asg"\n  min_size = 0\n  max_size = 1\n'
                 "{arguments}}}\n")


def test_a_registry_call_gets_the_key_written_in_its_argument(tmp_path: pathlib.Path) -> None:
    source = REGISTRY_CALL.format(arguments=(
        "\n  metadata_options = {\n    http_put_response_hop_limit = 2\n  }\n"))
    changed, outcome, _ = fix_files(tmp_path, {"main.tf": source})
    assert changed == {"main.tf": source.replace(
        "    http_put_response_hop_limit = 2\n",
        '    http_put_response_hop_limit = 1\n    http_tokens                 = "required"\n')}
    assert sorted(f.rule_id for f in outcome.fixed) == ["IAC0101", "IAC0102"]


@pytest.mark.parametrize(("arguments", "why"), [
    ("", "does not write metadata_options (main.tf:1); the module's default decides"),
    ("  metadata_options = {}\n", "is not written in the object at main.tf:8, which is empty"),
])
def test_a_registry_call_without_the_key_is_explained(
        tmp_path: pathlib.Path, arguments: str, why: str) -> None:
    source = REGISTRY_CALL.format(arguments=arguments).replace('"~> 8.0"', '"~> 6.0"')
    changed, outcome, _ = fix_files(tmp_path, {"main.tf": source})
    assert changed == {}
    assert [why in note for note in notes(outcome)] == [True]


def test_a_key_joins_a_one_line_object(tmp_path: pathlib.Path) -> None:
    source = REGISTRY_CALL.format(
        arguments="  metadata_options = { http_put_response_hop_limit = 1 }\n")
    changed, _, _ = fix_files(tmp_path, {"main.tf": source})
    assert changed == {"main.tf": source.replace(
        "hop_limit = 1 }", 'hop_limit = 1, http_tokens = "required" }')}


def test_an_object_read_through_a_dynamic_iterator_is_fixed_at_the_call(
        tmp_path: pathlib.Path) -> None:
    module = ('variable "metadata" {\n  type = any\n}\n\n'
              'resource "aws_instance" "this" {\n  dynamic "metadata_options" {\n'
              "    for_each = [var.metadata]\n    iterator = imds\n    content {\n"
              "      http_tokens = imds.value.tokens\n    }\n  }\n}\n")
    root = ('module "a" {\n  source = "./m"\n  metadata = {\n    tokens = "optional"\n  }\n}\n')
    changed, outcome, _ = fix_files(tmp_path, {"main.tf": root, "m/main.tf": module})
    assert changed == {"main.tf": root.replace('"optional"', '"required"')}
    assert outcome.fixed[0].fix is not None
    assert ("at its source: tokens in the argument metadata of module.a (main.tf:3)"
            in outcome.fixed[0].fix.description)


def test_an_iterator_value_over_a_wrapped_variable_is_its_default(
        tmp_path: pathlib.Path) -> None:
    source = ('variable "tokens" {\n  default = "optional"\n}\n\n'
              'resource "aws_instance" "this" {\n  dynamic "metadata_options" {\n'
              "    for_each = var.tokens != null ? [var.tokens] : []\n    content {\n"
              "      http_tokens = metadata_options.value\n    }\n  }\n}\n")
    changed, _, _ = fix_files(tmp_path, {"main.tf": source})
    assert changed == {"main.tf": source.replace('"optional"', '"required"')}


@pytest.mark.parametrize(("for_each", "why"), [
    ("[var.metadata, var.metadata]", "for_each of aws_instance.this's dynamic block (main.tf:8) "
                                     "has 2 items; change the one it uses by hand"),
    ("var.metadata.tokens != null ? [var.metadata] : []", "for_each is computed by"),
])
def test_other_dynamic_for_each_shapes_are_explained(tmp_path: pathlib.Path, for_each: str,
                                                     why: str) -> None:
    source = ('variable "metadata" {\n  type = any\n  default = { tokens = "optional" }\n}\n\n'
              'resource "aws_instance" "this" {\n  dynamic "metadata_options" {\n'
              f"    for_each = {for_each}\n    content {{\n"
              "      http_tokens = metadata_options.value.tokens\n    }\n  }\n}\n")
    changed, outcome, _ = fix_files(tmp_path, {"main.tf": source})
    assert changed == {}
    assert [why in note for note in notes(outcome)] == [True], notes(outcome)


def test_a_reference_in_a_block_that_creates_nothing_reads_nothing(
        tmp_path: pathlib.Path) -> None:
    source = ('variable "tokens" {\n  default = "optional"\n}\n\n'
              'resource "aws_instance" "i" {\n  metadata_options {\n'
              "    http_tokens = var.tokens\n  }\n}\n\n"
              'resource "aws_ssm_parameter" "p" {\n  count = 0\n  name  = "p"\n'
              '  type  = "String"\n  value = var.tokens\n}\n')
    changed, _, _ = fix_files(tmp_path, {"main.tf": source})
    assert changed == {"main.tf": source.replace('"optional"', '"required"')}
    created = source.replace("count = 0", "count = 1")
    changed, outcome, _ = fix_files(tmp_path, {"main.tf": created})
    assert changed == {}
    assert notes(outcome) == ["aws_instance.i: the default of var.tokens (main.tf:2) also "
                              "reaches aws_ssm_parameter.p[0] (value), and it is not flagged "
                              "by this rule"]
    output = source + 'output "tokens" {\n  value = var.tokens\n}\n'
    changed, outcome, _ = fix_files(tmp_path, {"main.tf": output})
    assert changed == {}
    assert notes(outcome) == ["aws_instance.i: var.tokens is also used at main.tf:18; "
                              "changing it there would change more than the flagged resources"]
