# count and for_each: one block serves every instance.

resource "aws_instance" "pair" {
  count         = 2
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options {
    http_tokens = "optional"
  }
}

resource "aws_instance" "pair_without_block" {
  count         = 2
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
}

resource "aws_instance" "mixed" {
  count         = 2
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options {
    http_tokens = count.index == 0 ? "required" : "optional"
  }
}

resource "aws_instance" "by_name" {
  for_each      = { web = "optional", api = "required" }
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options {
    http_tokens = each.value
  }
}

resource "aws_instance" "same_for_each" {
  for_each      = toset(["a", "b"])
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options {
    http_tokens = "optional"
  }
}
