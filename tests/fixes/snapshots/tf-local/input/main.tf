locals {
  imds_tokens = "optional" # one place for every template
  imds_hops   = 2
}

resource "aws_launch_template" "a" {
  name = "lt-a"

  metadata_options {
    http_tokens                 = local.imds_tokens
    http_put_response_hop_limit = local.imds_hops
  }
}

resource "aws_launch_template" "b" {
  name = "lt-b"

  metadata_options {
    http_tokens = local.imds_tokens
  }
}

output "hop_limit" {
  value = local.imds_hops
}
