"""imds-effective: what the messages say about the image and about instances judged as one."""

from __future__ import annotations

import pathlib

from tests.checks.scan_helpers import messages, scan_files, undecided

MODULE = """
variable "tokens" {
  default = "optional"
}
resource "aws_instance" "this" {
  ami = "ami-0abcdef1234567890"
  metadata_options {
    http_tokens = var.tokens
  }
}
"""


def test_an_unknown_image_is_said_to_be_unknown(tmp_path: pathlib.Path) -> None:
    result = scan_files(tmp_path, {"main.tf": 'resource "aws_instance" "web" {\n'
                                              '  ami = "ami-0abcdef1234567890"\n}\n'}, "IAC0101")
    assert messages(result, "IAC0101")["aws_instance.web"].startswith(
        "aws_instance.web allows IMDSv1 (session tokens: optional (EC2 default; the AMI is not "
        "known to require IMDSv2))")


def test_instances_that_cannot_be_told_apart_are_said_to_be_judged_once(
        tmp_path: pathlib.Path) -> None:
    result = scan_files(tmp_path, {"main.tf": """
        variable "names" {
          type = list(string)
        }
        module "app" {
          source   = "./app"
          for_each = toset(var.names)
        }
        module "known" {
          source   = "./app"
          for_each = toset(["a"])
        }
    """, "app/main.tf": MODULE}, "IAC0101")
    found = messages(result, "IAC0101")
    assert "judged once for every instance of module.app: count/for_each is not known" in (
        found["module.app.aws_instance.this"])
    assert "judged once" not in found['module.known["a"].aws_instance.this']


def test_a_node_group_whose_template_block_may_not_exist_is_undecided(
        tmp_path: pathlib.Path) -> None:
    result = scan_files(tmp_path, {"main.tf": """
        variable "custom" {
          type = bool
        }
        resource "aws_launch_template" "lt" {
          metadata_options {
            http_tokens = "required"
          }
        }
        resource "aws_eks_node_group" "g" {
          cluster_name  = "c"
          node_role_arn = "arn:aws:iam::123456789012:role/node"
          ami_type      = "AL2_x86_64"
          dynamic "launch_template" {
            for_each = var.custom ? [1] : []
            content {
              id = aws_launch_template.lt.id
            }
          }
        }
    """}, "IAC0101")
    assert "aws_eks_node_group.g" not in messages(result, "IAC0101")
    assert "aws_eks_node_group.g" in undecided(result, "IAC0101")
