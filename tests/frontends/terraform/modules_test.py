"""Modules: local sources, downloaded remote sources, unresolved calls, addresses, origins."""

from __future__ import annotations

import json
import pathlib

import pytest

from linter.frontends.terraform.hcl_ast import HclFile
from linter.frontends.terraform.module import local_module_dirs
from linter.model import Unknown
from tests.frontends.terraform.tf_helpers import addresses, resource, run, write

CHILD = """
variable "tokens" {
  type = string
}
variable "settings" {
  type    = object({ hop = optional(number, 1) })
  default = {}
}
resource "aws_instance" "this" {
  metadata_options {
    http_tokens                 = var.tokens
    http_put_response_hop_limit = var.settings.hop
  }
}
resource "aws_iam_role" "r" {}
output "tokens" {
  value = aws_instance.this.metadata_options[0].http_tokens
}
output "role_arn" {
  value = aws_iam_role.r.arn
}
"""


def test_local_module_inputs_outputs_and_addresses(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {
        "modules/app/main.tf": CHILD,
        "main.tf": """
            variable "tokens" {
              default = "optional"
            }
            module "app" {
              source = "./modules/app"
              tokens = var.tokens
            }
            module "many" {
              source   = "./modules/app"
              for_each = { a = "required" }
              tokens   = each.value
              settings = { hop = 3 }
            }
            module "counted" {
              source = "./modules/app"
              count  = 1
              tokens = "required"
            }
            resource "aws_instance" "uses" {
              tags = { T = module.app.tokens, R = module.app.role_arn }
            }
        """,
        "terraform.tfvars": 'tokens = "from-tfvars"\n',
    })
    assert addresses(result) == [
        "aws_instance.uses",
        "module.app", "module.app.aws_instance.this", "module.app.aws_iam_role.r",
        'module.many["a"]', 'module.many["a"].aws_instance.this', 'module.many["a"].aws_iam_role.r',
        "module.counted[0]", "module.counted[0].aws_instance.this",
        "module.counted[0].aws_iam_role.r",
    ]
    inner = resource(result, "module.app.aws_instance.this")
    assert inner.module == "module.app"
    assert inner.file == "modules/app/main.tf"
    assert inner.attributes["metadata_options"] == [
        {"http_tokens": "from-tfvars", "http_put_response_hop_limit": 1}]
    origins = inner.origins[("metadata_options", 0, "http_tokens")]
    assert [(s.file, s.start_line) for s in origins] == [("main.tf", 7), ("terraform.tfvars", 1)]
    assert resource(result, 'module.many["a"].aws_instance.this').attributes[
        "metadata_options"] == [{"http_tokens": "required", "http_put_response_hop_limit": 3}]
    uses = resource(result, "aws_instance.uses")
    assert uses.attributes["tags"]["T"] == "from-tfvars"
    role_arn = uses.attributes["tags"]["R"]
    assert isinstance(role_arn, Unknown)
    assert "module.app.aws_iam_role.r" in role_arn.refs
    targets = {e.target for e in result.edges if e.source == "aws_instance.uses"}
    assert targets == {"module.app", "module.app.aws_instance.this", "module.app.aws_iam_role.r"}
    call = resource(result, "module.app")
    assert call.kind == "module"
    assert call.type == "module"
    assert call.attributes == {"source": "./modules/app", "tokens": "from-tfvars"}
    assert call.meta["resolved"] is True
    assert "modules/app/main.tf" in result.files


def test_unresolved_remote_module_is_a_module_resource_and_a_note(tmp_path: pathlib.Path) -> None:
    # (a terraform-aws-modules module that launches instances is judged by its inputs instead:
    # tests/frontends/terraform/registry_test.py)
    result = run(tmp_path, {"main.tf": """
        module "ec2" {
          source  = "example-corp/ec2-instance/aws"
          version = "5.6.0"
          metadata_options = {
            http_tokens = "optional"
          }
        }
        resource "aws_instance" "i" {
          tags = { Id = module.ec2.id }
        }
    """})
    call = resource(result, "module.ec2")
    assert call.attributes == {"source": "example-corp/ec2-instance/aws",
                               "version": "5.6.0",
                               "metadata_options": {"http_tokens": "optional"}}
    assert call.meta["resolved"] is False
    assert call.spans[("metadata_options", "http_tokens")].start_line == 6
    notes = [f for f in result.findings if f.rule_id == "IAC0004"]
    assert len(notes) == 1
    assert "example-corp/ec2-instance/aws" in notes[0].message
    value = resource(result, "aws_instance.i").attributes["tags"]["Id"]
    assert isinstance(value, Unknown)
    assert value.refs == ("module.ec2",)


def test_downloaded_module_from_the_manifest(tmp_path: pathlib.Path) -> None:
    manifest = {"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "ec2", "Source": "registry.terraform.io/terraform-aws-modules/ec2-instance/aws",
         "Version": "5.6.0", "Dir": ".terraform/modules/ec2"},
        {"Key": "ec2.inner", "Source": "./inner", "Dir": ".terraform/modules/ec2/inner"},
    ]}
    result = run(tmp_path, {
        ".terraform/modules/modules.json": json.dumps(manifest),
        ".terraform/modules/ec2/main.tf": """
            variable "metadata_options" {
              default = {}
            }
            resource "aws_instance" "this" {
              metadata_options {
                http_tokens = lookup(var.metadata_options, "http_tokens", "optional")
              }
            }
            module "inner" {
              source = "./inner"
            }
        """,
        ".terraform/modules/ec2/inner/main.tf": 'resource "aws_iam_role" "r" {}\n',
        "main.tf": """
            module "ec2" {
              source  = "terraform-aws-modules/ec2-instance/aws"
              metadata_options = { http_tokens = "required" }
            }
        """,
    })
    inner = resource(result, "module.ec2.aws_instance.this")
    assert inner.attributes["metadata_options"] == [{"http_tokens": "required"}]
    assert inner.file == ".terraform/modules/ec2/main.tf"
    assert "module.ec2.module.inner.aws_iam_role.r" in addresses(result)
    assert not [f for f in result.findings if f.rule_id == "IAC0004"]


def test_module_outside_the_root_and_recursive_module(tmp_path: pathlib.Path) -> None:
    root = tmp_path / "root"
    write(tmp_path, {"shared/main.tf": 'resource "aws_iam_role" "r" {}\n'})
    result = run(root, {"main.tf": """
        module "outside" {
          source = "../shared"
        }
        module "self" {
          source = "./"
        }
    """})
    assert addresses(result) == ["module.outside", "module.self"]
    messages = sorted(f.message for f in result.findings if f.rule_id == "IAC0004")
    assert "outside the scan root" in messages[0]
    assert "recursively" in messages[1]


def test_count_and_for_each_over_unknowns_in_modules(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {
        "modules/app/main.tf": CHILD,
        "main.tf": """
            variable "names" {
              type = set(string)
            }
            module "app" {
              source   = "./modules/app"
              for_each = var.names
              tokens   = "optional"
            }
        """,
    })
    assert resource(result, "module.app").meta["count_unknown"] is True
    inner = resource(result, "module.app.aws_instance.this")
    assert inner.attributes["metadata_options"][0]["http_tokens"] == "optional"


def test_local_module_dirs(tmp_path: pathlib.Path) -> None:
    write(tmp_path, {
        "envs/prod/main.tf": 'module "a" {\n  source = "../../modules/a"\n}\n'
                             'module "r" {\n  source = "hashicorp/x/aws"\n}\n',
        "modules/a/main.tf": 'module "b" {\n  source = "../b"\n}\n',
        "modules/b/main.tf": 'module "a" {\n  source = "../a"\n}\n',
    })
    assert local_module_dirs(tmp_path, "envs/prod") == ["modules/a", "modules/b"]
    assert local_module_dirs(tmp_path, "modules/b") == ["modules/a"]  # not itself


def test_parse_cache_notices_edits(tmp_path: pathlib.Path) -> None:
    first = run(tmp_path, {"main.tf": 'resource "a" "b" {\n  v = 1\n}\n'})
    assert resource(first, "a.b").attributes == {"v": 1}
    second = run(tmp_path, {"main.tf": 'resource "a" "b" {\n  v = 22\n}\n'})
    assert resource(second, "a.b").attributes == {"v": 22}
    third = run(tmp_path, {"other.tf": 'resource "a" "c" {}\n'})
    assert addresses(third) == ["a.b", "a.c"]


def test_an_edit_parses_only_the_file_that_changed(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.discover.overlay import overlaid
    from linter.frontends.terraform import hcl
    from linter.frontends.terraform.modules import load_module_cached

    for name in ("a.tf", "b.tf", "c.tf"):
        write(tmp_path, {name: f'resource "x" "{name[0]}" {{\n  v = 1\n}}\n'})
    parsed: list[str] = []
    real_parse = hcl.parse_hcl

    def counting(rel: str, data: bytes, max_nodes: int = 500_000, *,
                 with_comments: bool = True) -> HclFile:
        parsed.append(rel)
        return real_parse(rel, data, max_nodes, with_comments=with_comments)

    monkeypatch.setattr(hcl, "parse_hcl", counting)
    first, _ = load_module_cached(tmp_path, "")
    assert sorted(parsed) == ["a.tf", "b.tf", "c.tf"]
    parsed.clear()
    with overlaid({str(tmp_path / "b.tf"): b'resource "x" "b" {\n  v = 2\n}\n'}):
        edited, _ = load_module_cached(tmp_path, "")
    assert parsed == ["b.tf"]  # the buffer; a.tf and c.tf are the same objects as before
    assert [edited[0], edited[2]] == [first[0], first[2]]
    assert edited[0] is first[0]
    assert edited[2] is first[2]
    assert edited[1] is not first[1]
    parsed.clear()
    (tmp_path / "c.tf").write_text('resource "x" "c" {\n  v = 333\n}\n')  # a new size
    again, _ = load_module_cached(tmp_path, "")
    assert sorted(parsed) == ["b.tf", "c.tf"]  # the buffer is gone: b.tf is the disk's again
    assert again[0] is first[0]
    parsed.clear()
    (tmp_path / "a.tf").unlink()
    assert [f.path for f in load_module_cached(tmp_path, "")[0]] == ["b.tf", "c.tf"]
    assert parsed == []
