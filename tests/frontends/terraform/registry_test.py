"""Registry modules judged by their inputs: versions, sources, the data, synthesized resources."""

from __future__ import annotations

import pathlib

import pytest

from linter.frontends.terraform.registry import (
    COVERED_SOURCES,
    Judgement,
    Unjudged,
    matches,
    recognise,
    registry_data,
)
from linter.model import ParseResult, Resource, Unknown
from tests.frontends.terraform.tf_helpers import run


@pytest.mark.parametrize(("version", "constraint", "expected"), [
    ((5, 8, 0), "~> 5.0", True),
    ((6, 0, 0), "~> 5.0", False),
    ((5, 7, 1), "~> 5.7.0", True),
    ((5, 8, 0), "~> 5.7.0", False),
    ((22, 0, 0), "~> 21", True),  # go-version: one segment fixes nothing
    ((20, 0, 0), "~> 21", False),
    ((5, 7, 1), "5.7.1", True),
    ((5, 7, 1), "= v5.7.1", True),
    ((19, 5, 0), ">= 19.0.0, < 20", True),
    ((20, 0, 0), ">= 19.0.0, < 20", False),
    ((5, 2, 0), "!= 5.2.0", False),
    ((5, 2, 0), "latest", False),
])
def test_constraints_follow_go_version(version: tuple[int, int, int], constraint: str,
                                       expected: bool) -> None:
    assert matches(version, constraint) is expected


def test_versions_resolve_to_the_newest_matching_release() -> None:
    found = recognise("terraform-aws-modules/ec2-instance/aws", "~> 5.0")
    assert isinstance(found, Judgement)
    assert (found.version, found.entry["id"]) == ("5.8.0", "ec2-instance-5.8")
    pinned = recognise("terraform-aws-modules/ec2-instance/aws", "5.7.1")
    assert isinstance(pinned, Judgement)
    assert pinned.entry["id"] == "ec2-instance-5.0-5.7"
    newest = recognise("terraform-aws-modules/ec2-instance/aws", None)
    assert isinstance(newest, Judgement)
    assert newest.version == registry_data()["sources"][0]["releases"][-1]
    assert "no version" in newest.how


@pytest.mark.parametrize(("source", "version", "entry"), [
    ("registry.terraform.io/terraform-aws-modules/EKS/aws", "~> 20.0", "eks-root-20"),
    ("terraform-aws-modules/eks/aws//modules/eks-managed-node-group", "20.8.4", "eks-mng-20"),
    ("tfr://registry.terraform.io/terraform-aws-modules/eks/aws?version=21.18.0", None,
     "eks-root-21"),
    ("github.com/terraform-aws-modules/terraform-aws-eks.git//modules/self-managed-node-group"
     "?ref=v19.12.0", None, "eks-smng-19"),
    ("git::https://github.com/terraform-aws-modules/terraform-aws-autoscaling.git?ref=v6.5.0",
     None, "autoscaling-6.5-8"),
])
def test_sources_in_the_forms_real_code_uses(source: str, version: str | None,
                                             entry: str) -> None:
    found = recognise(source, version)
    assert isinstance(found, Judgement), found
    assert found.entry["id"] == entry


def test_a_release_newer_than_the_data_is_judged_by_the_range_that_holds_it() -> None:
    newer = recognise("terraform-aws-modules/eks/aws", "~> 21.26")
    assert isinstance(newer, Judgement)
    assert (newer.version, newer.entry["id"]) == ("21.26.0", "eks-root-21")
    assert "newer than the newest iaclint knows" in newer.how
    exact = recognise("terraform-aws-modules/ec2-instance/aws", "6.4.1")
    assert isinstance(exact, Judgement)
    assert exact.entry["id"] == "ec2-instance-6"


def test_what_cannot_be_judged_says_why() -> None:
    assert recognise("terraform-aws-modules/vpc/aws", "~> 5.0") is None
    assert recognise("example-corp/web/aws", None) is None
    assert recognise("./modules/web", None) is None
    commit = recognise("git::https://github.com/terraform-aws-modules/terraform-aws-eks.git"
                       "?ref=3b1d3c0a", None)
    assert isinstance(commit, Unjudged)
    assert "not a release tag" in commit.reason
    future = recognise("terraform-aws-modules/ec2-instance/aws", "~> 99.0")
    assert isinstance(future, Unjudged)
    typo = recognise("terraform-aws-modules/ec2-instance/aws", "~> 0.9")
    assert isinstance(typo, Unjudged)
    partial = recognise("terraform-aws-modules/eks/aws", "~> 17.0")
    assert isinstance(partial, Unjudged)


def test_every_known_release_falls_in_exactly_one_entry() -> None:
    data = registry_data()
    assert {s["source"] for s in data["sources"]} == COVERED_SOURCES
    for source in data["sources"]:
        names = [source["source"], *(f"{source['source']}//{sub}"
                                     for sub in source.get("subdirectories", ()))]
        for name in names:
            for release in source["releases"]:
                if "//" in name and int(release.split(".")[0]) < 18:
                    continue  # the sub-modules exist from 18.0.0 on
                major, minor, patch = (int(p) for p in release.split("."))
                entries = [m["id"] for m in data["modules"]
                           if m["source"] == name
                           and matches((major, minor, patch), m["versions"])]
                assert len(entries) == 1, (name, release, entries)


# ---------------------------------------------------------------- synthesized resources


def synthesized(result: ParseResult) -> dict[str, Resource]:
    return {r.address: r for r in result.resources if r.meta.get("judged_by_inputs")}


def test_module_defaults_and_arguments(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        module "bastion" {
          source  = "terraform-aws-modules/ec2-instance/aws"
          version = "5.7.1"
          ami     = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64"
        }
        module "web" {
          source  = "terraform-aws-modules/ec2-instance/aws"
          version = "~> 6.0"
          metadata_options = {
            http_put_response_hop_limit = 3
          }
          create_iam_instance_profile = true
          iam_role_policies = {
            Admin = "arn:aws:iam::aws:policy/AdministratorAccess"
          }
        }
    """})
    found = synthesized(result)
    bastion = found["module.bastion.aws_instance.this"]
    assert bastion.attributes["metadata_options"] == [{
        "http_tokens": "optional", "http_put_response_hop_limit": "1",
        "http_endpoint": "enabled"}]
    assert bastion.attributes["ami"].startswith("resolve:ssm:")
    assert bastion.header.start_line == 2  # the module block
    assert "5.7.1" in bastion.meta["judged_by_inputs"]
    assert "iam_instance_profile" not in bastion.attributes
    web = found["module.web.aws_instance.this"]
    # an object with optional() defaults: the missing keys take the module's defaults
    assert web.attributes["metadata_options"] == [{
        "http_tokens": "required", "http_put_response_hop_limit": 3, "http_endpoint": "enabled"}]
    assert web.spans[("metadata_options", 0, "http_put_response_hop_limit")].start_line == 11
    profile = web.attributes["iam_instance_profile"]
    assert isinstance(profile, Unknown)
    assert profile.refs == ("module.web.aws_iam_instance_profile.this",)
    attachment = found['module.web.aws_iam_role_policy_attachment.this["Admin"]']
    assert attachment.attributes["policy_arn"] == "arn:aws:iam::aws:policy/AdministratorAccess"
    assert attachment.header.start_line == 15
    assert {(e.source, e.target) for e in result.edges} >= {
        ('module.web.aws_iam_role_policy_attachment.this["Admin"]', "module.web.aws_iam_role.this"),
        ("module.web.aws_iam_instance_profile.this", "module.web.aws_iam_role.this")}
    assert not [f for f in result.findings if f.rule_id == "IAC0004"]


def test_switches_and_unknown_arguments(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        variable "create" {
          type = bool
        }
        variable "tokens" {
          type = string
        }
        module "off" {
          source = "terraform-aws-modules/ec2-instance/aws"
          create = false
        }
        module "maybe" {
          source = "terraform-aws-modules/ec2-instance/aws"
          create = var.create
        }
        module "unknown_options" {
          source = "terraform-aws-modules/autoscaling/aws"
          metadata_options = var.tokens == "x" ? {} : { http_tokens = var.tokens }
        }
    """})
    found = synthesized(result)
    assert not [a for a in found if a.startswith("module.off.")]
    maybe = found["module.maybe.aws_instance.this"]
    assert maybe.meta["instances_unknown"] == ["module.maybe.aws_instance.this"]
    template = found["module.unknown_options.aws_launch_template.this"]
    assert isinstance(template.attributes["metadata_options"], Unknown)


def test_eks_node_group_maps_become_sub_module_calls(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        module "eks" {
          source  = "terraform-aws-modules/eks/aws"
          version = "~> 20.0"
          eks_managed_node_group_defaults = {
            metadata_options = { http_tokens = "required", http_put_response_hop_limit = 1 }
          }
          eks_managed_node_groups = {
            apps = {}
            legacy = {
              use_custom_launch_template = false
            }
          }
          self_managed_node_groups = {
            gpu = {}
          }
        }
    """})
    found = synthesized(result)
    apps = 'module.eks.module.eks_managed_node_group["apps"]'
    assert found[f"{apps}.aws_launch_template.this"].attributes["metadata_options"] == [
        {"http_tokens": "required", "http_put_response_hop_limit": "1"}]  # map(string)
    assert found[f"{apps}.aws_eks_node_group.this"].header.start_line == 9  # `apps = {}`
    legacy = 'module.eks.module.eks_managed_node_group["legacy"]'
    assert "launch_template" not in found[f"{legacy}.aws_eks_node_group.this"].attributes
    assert f"{legacy}.aws_launch_template.this" not in found  # not used by the group
    gpu = 'module.eks.module.self_managed_node_group["gpu"]'
    assert found[f"{gpu}.aws_launch_template.this"].attributes["metadata_options"] == [
        {"http_tokens": "required", "http_put_response_hop_limit": "2",
         "http_endpoint": "enabled"}]
    assert isinstance(found[f"{gpu}.aws_launch_template.this"].attributes[
        "iam_instance_profile"][0]["arn"], Unknown)


def test_an_argument_given_as_null(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": """
        module "v6" {
          source           = "terraform-aws-modules/ec2-instance/aws"
          version          = "~> 6.0"
          metadata_options = null
        }
        module "asg" {
          source           = "terraform-aws-modules/autoscaling/aws"
          version          = "~> 6.0"
          metadata_options = null
        }
    """})
    found = synthesized(result)
    # object-typed v6 input: null drops the block (the EC2 default applies)
    assert "metadata_options" not in found["module.v6.aws_instance.this"].attributes
    # autoscaling 6.x: length(null) fails the plan: unknown, with a note
    options = found["module.asg.aws_launch_template.this"].attributes["metadata_options"]
    assert isinstance(options, Unknown)
    assert any("terraform plan fail" in f.message for f in result.findings)
