# Suppressions written for Checkov, tfsec and Trivy, honoured where each of those scanners
# honours them, for the iaclint rules whose `equivalents` name the ids they skip.

resource "aws_instance" "checkov_inside" { # ok: IAC0101
  #checkov:skip=CKV_AWS_79,CKV_AWS_8:legacy agent needs IMDSv1 until Q3
  iam_instance_profile = "app"
}

# Checkov does not honour a skip above the block, and neither does iaclint
#checkov:skip=CKV_AWS_79:above the block
resource "aws_instance" "checkov_above" { # ruleid: IAC0101
  iam_instance_profile = "app"
}

#tfsec:ignore:aws-ec2-enforce-http-token-imds
resource "aws_instance" "tfsec_above" { # ok: IAC0101
  iam_instance_profile = "app"
}

resource "aws_instance" "trivy_trailing" {
  iam_instance_profile = "app"
  metadata_options {
    http_tokens = "optional" # trivy:ignore:AVD-AWS-0028 # ok: IAC0101
  }
}

# an expiry that has passed: inactive, as in Trivy
# trivy:ignore:AWS-0028:exp:2020-01-01
resource "aws_instance" "trivy_expired" { # ruleid: IAC0101
  iam_instance_profile = "app"
}

# scoped to attribute values or a workspace: not honoured (iaclint cannot check the condition)
# trivy:ignore:aws-ec2-enforce-http-token-imds[http_tokens=optional]
# trivy:ignore:AVD-AWS-0028:ws:dev
resource "aws_instance" "trivy_scoped" { # ruleid: IAC0101
  iam_instance_profile = "app"
}

# a wildcard covers the rules with a matching Trivy equivalent only (IAC0102 has none)
# trivy:ignore:*
resource "aws_launch_template" "wildcard" { # ruleid: IAC0301
  metadata_options {
    http_tokens                 = "optional" # ok: IAC0101
    http_put_response_hop_limit = 3 # ruleid: IAC0102
  }
}

# a check iaclint has no equivalent of: left to the other scanner, no unused-suppression finding
#checkov:skip=CKV_AWS_8:ebs optimised
# trivy:ignore:AVD-AWS-0131
resource "aws_instance" "unrelated" {
  iam_instance_profile = "app"
  metadata_options {
    http_tokens = "required"
  }
}

# a skip of Checkov's secrets scanner: Checkov's CKV_AWS_41 still reports the provider, so does iaclint
provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAIOSFODNN7EXAMPLE" # checkov:skip=CKV_SECRET_2:test key # ruleid: IAC0401
}
