"""Resources: attributes, spans, references and edges, count/for_each, dynamic blocks, files."""

from __future__ import annotations

import os
import pathlib

import pytest

from linter.model import Edge, Unknown
from linter.options import Budgets, ScanOptions
from tests.frontends.terraform.tf_helpers import addresses, resource, run
from tests.hostile_cases import assert_contained, run_case


def edges_from(result_edges: list[Edge], source: str) -> set[tuple[str, str, str]]:
    return {(e.target, e.kind, e.attribute) for e in result_edges if e.source == source}


def test_reference_to_a_configured_attribute_resolves(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        resource "aws_iam_role" "r" {
          name = "app-role"
        }
        resource "aws_iam_instance_profile" "web" {
          name = "web-profile"
          role = aws_iam_role.r.name
        }
        resource "aws_instance" "web" {
          iam_instance_profile = aws_iam_instance_profile.web.name
          subnet_id            = aws_subnet.s.id
          depends_on           = [aws_iam_role.r]
        }
        resource "aws_subnet" "s" {}
    """})
    instance = resource(result, "aws_instance.web")
    assert instance.attributes["iam_instance_profile"] == "web-profile"
    subnet = instance.attributes["subnet_id"]
    assert isinstance(subnet, Unknown)
    assert subnet.refs == ("aws_subnet.s",)
    assert subnet.reason == "not known before apply"
    assert edges_from(result.edges, "aws_instance.web") == {
        ("aws_iam_instance_profile.web", "reference", "name"),
        ("aws_subnet.s", "reference", "id"),
        ("aws_iam_role.r", "depends_on", ""),
    }
    assert resource(result, "aws_iam_instance_profile.web").attributes["role"] == "app-role"
    assert subnet in result.unknowns


def test_kinds_types_and_addresses(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        provider "aws" {
          region = "eu-west-1"
        }
        provider "aws" {
          alias  = "us"
          region = "us-east-1"
        }
        data "aws_iam_policy_document" "p" {
          statement {
            actions   = ["s3:GetObject"]
            resources = ["*"]
          }
        }
        resource "aws_iam_policy" "p" {
          policy = data.aws_iam_policy_document.p.json
        }
    """})
    kinds = {r.address: (r.kind, r.type) for r in result.resources}
    assert kinds == {
        "provider.aws": ("provider", "provider.aws"),
        "provider.aws.us": ("provider", "provider.aws"),
        "data.aws_iam_policy_document.p": ("data", "aws_iam_policy_document"),
        "aws_iam_policy.p": ("resource", "aws_iam_policy"),
    }
    document = resource(result, "data.aws_iam_policy_document.p")
    assert document.attributes["statement"] == [{"actions": ["s3:GetObject"], "resources": ["*"]}]
    policy = resource(result, "aws_iam_policy.p").attributes["policy"]
    assert isinstance(policy, Unknown)
    assert policy.refs == ("data.aws_iam_policy_document.p",)
    assert edges_from(result.edges, "aws_iam_policy.p") == {
        ("data.aws_iam_policy_document.p", "reference", "json")}


def test_spans_of_attributes_blocks_elements_and_encoded_documents(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """\
        resource "aws_iam_role_policy" "p" {
          policy = jsonencode({
            Statement = [{
              Action = ["s3:*", "ec2:*"]
            }]
          })
          tags = { Name = "x" }
        }
        resource "aws_instance" "i" {
          metadata_options {
            http_tokens = "optional"
          }
        }
    """})
    spans = resource(result, "aws_iam_role_policy.p").spans
    assert spans[()].start_line == 1
    assert spans[()].end_line == 8
    assert spans[("policy",)].start_line == 2
    assert spans[("policy", "Statement", 0, "Action", 1)].start_line == 4
    assert spans[("tags", "Name")].start_line == 7
    instance = resource(result, "aws_instance.i")
    assert instance.spans[("metadata_options",)].start_line == 10
    assert instance.spans[("metadata_options", 0)].start_line == 10
    assert instance.spans[("metadata_options", 0, "http_tokens")].start_line == 11
    assert instance.attributes["metadata_options"] == [{"http_tokens": "optional"}]


def test_count_and_for_each(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        resource "aws_instance" "c" {
          count = 2
          tags  = { Name = "c-${count.index}" }
        }
        resource "aws_instance" "none" {
          count = 0
        }
        resource "aws_instance" "m" {
          for_each = { a = "x", b = "y" }
          tags     = { Name = "${each.key}-${each.value}" }
        }
        resource "aws_instance" "s" {
          for_each = toset(["p"])
          tags     = { Name = each.value }
        }
        resource "aws_eip" "e" {
          instance = aws_instance.c[1].tags.Name
          all      = aws_instance.c[*].tags.Name
          by_key   = aws_instance.m["b"].tags.Name
        }
    """})
    assert addresses(result) == [
        "aws_instance.c[0]", "aws_instance.c[1]", "aws_instance.m[\"a\"]",
        "aws_instance.m[\"b\"]", "aws_instance.s[\"p\"]", "aws_eip.e"]
    assert resource(result, 'aws_instance.m["b"]').attributes["tags"] == {"Name": "b-y"}
    assert resource(result, 'aws_instance.c[1]').meta["index"] == 1
    eip = resource(result, "aws_eip.e").attributes
    assert eip == {"instance": "c-1", "all": ["c-0", "c-1"], "by_key": "b-y"}
    assert {e.target for e in result.edges if e.source == "aws_eip.e"} == {
        "aws_instance.c[0]", "aws_instance.c[1]", 'aws_instance.m["b"]'}


def test_unknown_count_judges_once_with_a_note(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        variable "n" {
          type = number
        }
        resource "aws_instance" "u" {
          count = var.n
          tags  = { Index = count.index }
        }
    """})
    instance = resource(result, "aws_instance.u")
    assert instance.meta["count_unknown"] is True
    assert isinstance(instance.attributes["tags"]["Index"], Unknown)
    notes = [f for f in result.findings if f.rule_id == "IAC0004"]
    assert len(notes) == 1
    assert notes[0].span.start_line == 6
    assert any(u.expression == "var.n" for u in result.unknowns)


def test_dynamic_blocks_nested_and_with_iterator(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        variable "rules" {
          default = {
            web = { ports = [80, 443] }
            ssh = { ports = [22] }
          }
        }
        resource "aws_security_group" "g" {
          ingress {
            description = "static"
          }
          dynamic "ingress" {
            for_each = var.rules
            iterator = rule
            content {
              description = rule.key
              dynamic "port" {
                for_each = rule.value.ports
                content {
                  number = port.value
                  parent = rule.key
                }
              }
            }
          }
        }
        variable "unknown" {}
        resource "aws_instance" "u" {
          dynamic "metadata_options" {
            for_each = var.unknown
            content {
              http_tokens = "required"
            }
          }
        }
    """})
    group = resource(result, "aws_security_group.g")
    assert group.attributes["ingress"] == [
        {"description": "static"},
        {"description": "ssh", "port": [{"number": 22, "parent": "ssh"}]},
        {"description": "web", "port": [{"number": 80, "parent": "web"},
                                        {"number": 443, "parent": "web"}]},
    ]
    assert group.spans[("ingress", 2, "port", 1, "number")].start_line == 20
    unknown = resource(result, "aws_instance.u").attributes["metadata_options"]
    assert isinstance(unknown, Unknown)


def test_null_attributes_are_unset(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        variable "profile" {
          default = null
        }
        resource "aws_instance" "i" {
          iam_instance_profile = var.profile
        }
    """})
    assert "iam_instance_profile" not in resource(result, "aws_instance.i").attributes


def test_reference_to_an_attribute_configured_as_null_is_unknown_with_its_ref(
        tmp_path: pathlib.Path) -> None:
    # terraform-aws-modules: name = null beside name_prefix; the provider computes the name
    result = run(tmp_path, {"main.tf": """
        resource "aws_iam_role" "this" {
          count       = 1
          name        = null
          name_prefix = "web-"
        }
        resource "aws_iam_instance_profile" "this" {
          role = aws_iam_role.this[0].name
        }
    """})
    role = resource(result, "aws_iam_instance_profile.this").attributes["role"]
    assert isinstance(role, Unknown)
    assert role.refs == ("aws_iam_role.this[0]",)
    assert "null" in role.reason
    assert ("aws_iam_role.this[0]", "reference", "name") in edges_from(
        result.edges, "aws_iam_instance_profile.this")


def test_reference_cycle_between_resources_is_unknown(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        resource "a" "x" {
          v = b.y.v
        }
        resource "b" "y" {
          v = a.x.v
        }
    """})
    assert isinstance(resource(result, "a.x").attributes["v"], Unknown)


def test_self_referencing_count_is_unknown(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        resource "a" "x" {
          count = length(a.x)
        }
    """})
    assert resource(result, "a.x").meta["count_unknown"] is True


def test_files_outside_the_root_are_not_read(tmp_path: pathlib.Path) -> None:
    root = tmp_path / "root"
    (tmp_path / "secret.txt").write_text("secret")
    root.mkdir()
    os.symlink(tmp_path / "secret.txt", root / "link.txt")
    (root / "inside.txt").write_text("inside")
    result = run(root, {"main.tf": """
        resource "t" "r" {
          absolute = file("/etc/hostname")
          escape   = file("../secret.txt")
          link     = file("link.txt")
          inside   = file("./sub/../inside.txt")
        }
    """})
    attributes = resource(result, "t.r").attributes
    for name in ("absolute", "escape", "link"):
        assert isinstance(attributes[name], Unknown), name
    assert attributes["inside"] == "inside"
    assert len([f for f in result.findings if f.rule_id == "IAC0004"]) == 3
    assert "inside.txt" in result.files


def test_override_files_merge(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {
        "main.tf": """
            resource "aws_instance" "i" {
              ami = "a"
              metadata_options {
                http_tokens = "optional"
              }
            }
        """,
        "main_override.tf": """
            resource "aws_instance" "i" {
              metadata_options {
                http_tokens = "required"
              }
            }
        """,
    })
    assert resource(result, "aws_instance.i").attributes == {
        "ami": "a", "metadata_options": [{"http_tokens": "required"}]}


def test_tf_json_module(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf.json": """
        {
          "variable": {"t": {"default": "optional"}},
          "resource": {"aws_instance": {"i": {
            "count": 1,
            "metadata_options": {"http_tokens": "${var.t}"},
            "tags": {"Name": "n-${count.index}"}
          }}}
        }
    """})
    instance = resource(result, "aws_instance.i[0]")
    assert instance.attributes == {"metadata_options": [{"http_tokens": "optional"}],
                                   "tags": {"Name": "n-0"}}


def test_broken_file_still_evaluates_the_rest(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {
        "bad.tf": 'resource "a" "b" {\n  x = \n',
        "good.tf": 'resource "aws_instance" "i" {\n  ami = "x"\n}\n',
    })
    assert "aws_instance.i" in addresses(result)
    assert any(f.rule_id == "IAC0001" for f in result.findings)


def test_a_dynamic_block_with_unknown_for_each_keeps_the_references_of_its_content(
        tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        variable "custom" {
          type = bool
        }
        resource "aws_launch_template" "lt" {}
        resource "aws_eks_node_group" "g" {
          dynamic "launch_template" {
            for_each = var.custom ? [1] : []
            content {
              id      = aws_launch_template.lt.id
              version = aws_launch_template.lt.default_version
            }
          }
        }
    """})
    block = resource(result, "aws_eks_node_group.g").attributes["launch_template"]
    assert isinstance(block, Unknown)
    assert block.refs == ()  # the block is not known to exist: it names nothing for sure
    paths = {(e.target, e.path) for e in result.edges if e.source == "aws_eks_node_group.g"}
    assert ("aws_launch_template.lt", ("launch_template", 0, "id")) in paths


def test_for_each_over_a_map_with_known_keys_and_unknown_values_expands(
        tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        variable "subnet" {
          type = string
        }
        module "app" {
          source   = "./app"
          for_each = { one = var.subnet, two = "subnet-2" }
          subnet   = each.value
        }
    """, "app/main.tf": """
        variable "subnet" {}
        resource "aws_instance" "this" {
          subnet_id = var.subnet
        }
    """})
    one = resource(result, 'module.app["one"].aws_instance.this')
    two = resource(result, 'module.app["two"].aws_instance.this')
    assert isinstance(one.attributes["subnet_id"], Unknown)
    assert two.attributes["subnet_id"] == "subnet-2"
    assert "instances_unknown" not in one.meta


def test_module_instances_that_cannot_be_told_apart_are_named_on_its_resources(
        tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        variable "names" {
          type = list(string)
        }
        module "app" {
          source   = "./app"
          for_each = toset(var.names)
        }
    """, "app/main.tf": """
        resource "aws_instance" "this" {
          count = 1
        }
        resource "aws_instance" "many" {
          count = length(var.unknown)
        }
        variable "unknown" {
          type = list(string)
        }
    """})
    this = resource(result, "module.app.aws_instance.this[0]")
    assert this.meta["instances_unknown"] == ["module.app"]
    many = resource(result, "module.app.aws_instance.many")
    assert many.meta["instances_unknown"] == ["module.app", "module.app.aws_instance.many"]


# ---------------------------------------------------------------- hostile modules (issue 15)


@pytest.mark.parametrize(("row", "budget"), [
    ("11a", "instances"), ("11b", "instances"), ("12", "string-length"),
    ("13a", "string-length"), ("13b", "collection-length"), ("14", "decode-nodes"),
    ("15", ""), ("17a", ""),
])
def test_evaluation_is_bounded_and_nothing_is_lost(
        row: str, budget: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    outcome = run_case(row, tmp_path, monkeypatch, capsys)
    assert_contained(outcome)
    name = outcome.case.watch[0]
    if budget:
        notes = [n for n in outcome.notes() if f"budget {budget} " in n]
        assert notes, outcome.notes()
        assert all(n.startswith("IAC0004") for n in notes)
    if row.startswith("11"):  # judged once, the note naming the resource
        assert "IAC0101" in outcome.rules_on(name)
        assert any(name in n and "judged once" in n for n in outcome.notes())
    elif row == "17a":
        assert "IAC0101" in outcome.rules_on(name)
    else:
        assert "IAC0101" in outcome.rules_on(name, "unknown")


def test_row_17b_a_file_past_the_size_budget_is_a_finding(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    outcome = run_case("17b", tmp_path, monkeypatch, capsys)
    assert_contained(outcome)
    assert any(n.startswith("IAC0001 big.tf:") and "larger than 16 MB" in n
               for n in outcome.notes()), outcome.notes()


def test_count_past_the_budget_is_judged_once(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        resource "aws_instance" "a" {
          for_each = toset([for i in range(5) : tostring(i)])
        }
        resource "aws_instance" "b" {
          count = 4
        }
        """}, options=ScanOptions(use_env_vars=False, budgets=Budgets(instances=4)))
    assert addresses(result) == [
        "aws_instance.a", "aws_instance.b[0]", "aws_instance.b[1]", "aws_instance.b[2]",
        "aws_instance.b[3]"]
    assert resource(result, "aws_instance.a").meta["count_unknown"] is True
    notes = [f.message for f in result.findings]
    assert any("for_each of aws_instance.a" in n and "budget instances (4)" in n for n in notes)


def test_the_time_budget_of_a_module(tmp_path: pathlib.Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter(range(10**9))
    monkeypatch.setattr("linter.frontends.budget.time.monotonic", lambda: float(next(clock)))
    body = "\n".join(f'resource "aws_instance" "r{i}" {{\n  ami = "${{upper("a")}}-{i}"\n}}'
                     for i in range(200))
    result = run(tmp_path, {"main.tf": body},
                 options=ScanOptions(use_env_vars=False, budgets=Budgets(seconds=2)))
    assert len(result.resources) == 200
    assert isinstance(resource(result, "aws_instance.r199").attributes["ami"], Unknown)
    assert any("budget seconds (2)" in f.message for f in result.findings)


def test_a_fifo_in_a_module_is_a_note(tmp_path: pathlib.Path) -> None:
    os.mkfifo(tmp_path / "pipe.tf")
    os.mkfifo(tmp_path / "terraform.tfvars")
    (tmp_path / ".terraform" / "modules").mkdir(parents=True)
    os.mkfifo(tmp_path / ".terraform" / "modules" / "modules.json")
    result = run(tmp_path, {"main.tf": 'resource "aws_instance" "a" {}\n'})
    assert addresses(result) == ["aws_instance.a"]
    assert sorted((f.rule_id, f.span.file) for f in result.findings) == [
        ("IAC0004", "pipe.tf"), ("IAC0004", "terraform.tfvars")]


def test_variable_types_are_parsed_once_per_evaluation_with_the_same_answers(
        tmp_path: pathlib.Path) -> None:
    from unittest import mock

    from linter.frontends.terraform import module
    from linter.frontends.terraform.expressions import Context, evaluate
    from linter.frontends.terraform.hcl_ast import Expr
    from linter.frontends.terraform.module import ConstResolver, Evaluation
    from linter.frontends.terraform.type_constraints import ANY, TfType, parse_type
    from linter.frontends.terraform.values import EvalError

    files = {
        "main.tf": """\
            module "m" {
              for_each = toset(["a", "b", "c"])
              source   = "./m"
              tags     = { Name = each.key }
              settings = { size = 2 }
              bad      = "x"
            }
            """,
        "m/main.tf": """\
            variable "tags" { type = map(string) }
            variable "settings" {
              type = object({ size = number, mode = optional(string, "fast") })
            }
            variable "bad" { type = nonsense(string) }
            resource "aws_instance" "i" {
              tags          = var.tags
              instance_type = var.settings.mode
              ami           = var.bad
            }
            """,
    }
    parses = []

    def fresh(self: Evaluation, expr: Expr) -> tuple[TfType, str | None]:
        """Every instance parses every type it asks for, as before the memo."""
        parses.append(expr)
        const = Context(ConstResolver(self.access))
        try:
            return parse_type(expr, lambda e: evaluate(e, const)), None
        except EvalError as exc:
            return ANY, str(exc)

    with mock.patch.object(Evaluation, "type_of", fresh):
        straight = run(tmp_path, files)
    assert len(parses) == 9  # three instances, three variables each
    counted = mock.Mock(side_effect=parse_type)
    with mock.patch.object(module, "parse_type", counted):
        remembered = run(tmp_path, files)
    assert counted.call_count == 3  # once per expression
    assert remembered.resources == straight.resources
    assert remembered.findings == straight.findings  # the note on "nonsense" for each instance
    assert remembered.unknowns == straight.unknowns
    assert [r.attributes.get("instance_type") for r in remembered.resources
            if r.type == "aws_instance"] == ["fast", "fast", "fast"]
    assert len([f for f in remembered.findings if "nonsense" in f.message]) == 1  # one place
