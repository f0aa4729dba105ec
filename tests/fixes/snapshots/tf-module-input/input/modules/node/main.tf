variable "name" {
  type = string
}

variable "tokens" {
  type    = string
  default = "required"
}

variable "hop_limit" {
  type    = number
  default = 1
}

resource "aws_instance" "this" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  tags = {
    Name = var.name
  }

  metadata_options {
    http_tokens                 = var.tokens
    http_put_response_hop_limit = var.hop_limit
  }
}
