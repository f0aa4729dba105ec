# Inline suppressions in Terraform. Scanned by tests/engine/suppress_test.py (both with the
# annotations below through the fixture harness, and field by field through the JSON report).
# A suppressed finding is not reported (its line is `ok`); problems with suppressions are.

resource "aws_instance" "trailing" {
  iam_instance_profile = "app"
  metadata_options {
    # ok: IAC0101
    http_tokens = "optional" # iaclint:ignore IAC0101 reason="vendor AMI without IMDSv2"
  }
}

resource "aws_instance" "line_above" {
  iam_instance_profile = "app"
  metadata_options {
    # iaclint:ignore imds-v1-allowed reason='by rule name, on the line above' expires=2099-12-31
    http_tokens = "optional" # ok: IAC0101
  }
}

# iaclint:ignore IAC0101,IAC0301 reason="header scope: the whole resource"
resource "aws_instance" "whole_resource" { # ok: IAC0101, IAC0301
  metadata_options {
    http_tokens = "optional" # ok: IAC0101
  }
}

resource "aws_instance" "header_trailing" { # iaclint:ignore IAC0101 reason="trailing on the header"
  iam_instance_profile = "app"
  metadata_options {
    http_tokens = "optional" # ok: IAC0101
  }
}

resource "aws_instance" "expired" {
  iam_instance_profile = "app"
  metadata_options {
    # iaclint:ignore IAC0101 reason="temporary" expires=2020-01-31 # ruleid: IAC0005
    http_tokens = "optional" # ruleid: IAC0101
  }
}

resource "aws_instance" "unused" {
  iam_instance_profile = "app"
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1 # iaclint:ignore IAC0102 reason="stale" # ruleid: IAC0003
  }
}

resource "aws_instance" "typo" {
  iam_instance_profile = "app"
  metadata_options {
    http_tokens = "optional" # iaclint:ignore IAC1010 reason="typo" # ruleid: IAC0003, IAC0101
  }
}

resource "aws_instance" "bad_date" {
  iam_instance_profile = "app"
  metadata_options {
    http_tokens = "optional" # iaclint:ignore IAC0101 expires=31.12.2099 # ruleid: IAC0005, IAC0101
  }
}

resource "aws_instance" "other_rule" {
  iam_instance_profile = "app"
  metadata_options {
    # a suppression of another rule leaves this one reported
    http_tokens = "optional" # iaclint:ignore IAC0102 reason="x" # ruleid: IAC0101, IAC0003
  }
}
