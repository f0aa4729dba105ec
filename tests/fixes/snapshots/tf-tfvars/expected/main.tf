resource "aws_instance" "app" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options {
    http_tokens                 = var.tokens
    http_put_response_hop_limit = var.hop_limit
  }
}
