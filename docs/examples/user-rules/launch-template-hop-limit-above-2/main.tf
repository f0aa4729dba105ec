resource "aws_launch_template" "containers" {
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 2 # ok: ACME0001
  }
}

resource "aws_launch_template" "forwarded" {
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 3 # ruleid: ACME0001
  }
}

# ok: ACME0001
resource "aws_launch_template" "platform_default" {
  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_instance" "not_a_template" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 5 # ok: ACME0001
  }
}
