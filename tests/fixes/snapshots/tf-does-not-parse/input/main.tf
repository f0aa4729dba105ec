resource "aws_instance" "broken" {
  ami = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options {
    http_tokens = "optional"
  }
}

resource "aws_instance" "typo" {
  ami = = "ami-0abcdef1234567890"
}
