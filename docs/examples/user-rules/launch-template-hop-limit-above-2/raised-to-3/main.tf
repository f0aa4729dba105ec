resource "aws_launch_template" "forwarded" {
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 3 # ok: ACME0001
  }
}

resource "aws_launch_template" "too_far" {
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 4 # ruleid: ACME0001
  }
}
