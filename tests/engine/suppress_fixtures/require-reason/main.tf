resource "aws_instance" "no_reason" {
  iam_instance_profile = "app"
  metadata_options {
    # without a reason the suppression does not count: the finding stays and so does IAC0005
    # iaclint:ignore IAC0101 # ruleid: IAC0005
    http_tokens = "optional" # ruleid: IAC0101
  }
}

resource "aws_instance" "with_reason" {
  iam_instance_profile = "app"
  metadata_options {
    http_tokens = "optional" # iaclint:ignore IAC0101 reason="accepted until the AMI is rebuilt" # ok: IAC0101
  }
}
