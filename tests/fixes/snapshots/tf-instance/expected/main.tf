# aws_instance with and without metadata_options: the block is added where it is missing, the
# attribute is added to a block that lacks it, a wrong value is replaced; comments stay.

resource "aws_instance" "no_block" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  tags = {
    Name = "web"
  }

  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_instance" "block_without_tokens" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options {
    http_endpoint = "enabled" # keep as written
    http_tokens   = "required"
  }
}

resource "aws_instance" "both_wrong" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required" # legacy agent, see TICKET-12
    http_put_response_hop_limit = 1
  }
}

resource "aws_instance" "one_line_block" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options { http_tokens = "required" }
}

resource "aws_instance" "empty_block" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_instance" "disabled_endpoint" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options {
    http_endpoint = "disabled"
  }
}

# iaclint:ignore IAC0101 reason="legacy AMI, replaced in Q3"
resource "aws_instance" "suppressed" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
}

resource "aws_spot_instance_request" "spot" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  spot_price    = "0.03"

  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_launch_configuration" "legacy" {
  name_prefix   = "legacy-"
  image_id      = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options {
    http_tokens = "required"
  }
}
