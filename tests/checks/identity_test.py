"""instance-without-profile / profile-without-role on shapes of real modules."""

from __future__ import annotations

import pathlib

from tests.checks.scan_helpers import messages, scan_files, undecided


def test_a_launch_template_with_a_profile_block_that_may_not_exist_is_undecided(
        tmp_path: pathlib.Path) -> None:
    result = scan_files(tmp_path, {"main.tf": """
        variable "profile_arn" {
          type = string
        }
        resource "aws_launch_template" "lt" {
          dynamic "iam_instance_profile" {
            for_each = var.profile_arn != null ? [1] : []
            content {
              arn = var.profile_arn
            }
          }
        }
    """}, "IAC0301")
    assert messages(result, "IAC0301") == {}
    assert undecided(result, "IAC0301") == {"aws_launch_template.lt"}


def test_collapsed_instances_are_named_in_the_message(tmp_path: pathlib.Path) -> None:
    result = scan_files(tmp_path, {"main.tf": """
        variable "names" {
          type = list(string)
        }
        module "app" {
          source   = "./app"
          for_each = toset(var.names)
        }
    """, "app/main.tf": """
        resource "aws_iam_instance_profile" "empty" {
          name = "empty"
        }
        resource "aws_instance" "this" {
          ami = "ami-0abcdef1234567890"
        }
    """}, "IAC0301", "IAC0302")
    assert "judged once for every instance of module.app" in messages(
        result, "IAC0301")["module.app.aws_instance.this"]
    assert "judged once for every instance of module.app" in messages(
        result, "IAC0302")["module.app.aws_iam_instance_profile.empty"]
