# Values from variable defaults: fixed at the default when only flagged resources read it.

resource "aws_instance" "web_a" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options {
    http_tokens                 = var.tokens
    http_put_response_hop_limit = var.hop_limit
  }
}

resource "aws_launch_template" "web_b" {
  name = "web-b"

  metadata_options {
    http_tokens = var.tokens
  }
}

# shared_tokens also names a tag: changing the default would change the tag too.
resource "aws_instance" "shared" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options {
    http_tokens = var.shared_tokens
  }

  tags = {
    ImdsMode = var.shared_tokens
  }
}

# legacy_tokens also reaches an instance whose endpoint is off (not flagged): left alone.
resource "aws_instance" "legacy" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options {
    http_tokens = var.legacy_tokens
  }
}

resource "aws_instance" "endpoint_off" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options {
    http_endpoint = "disabled"
    http_tokens   = var.legacy_tokens
  }
}
