# dynamic "metadata_options": handled where the content holds the value or reads the one item of
# its for_each (a literal, or a variable's default); explained where it produces no block.

variable "metadata" {
  type    = list(object({ tokens = string }))
  default = [{ tokens = "optional" }]
}

resource "aws_launch_template" "literal_content" {
  name = "literal-content"

  dynamic "metadata_options" {
    for_each = [1]
    content {
      http_tokens = "optional"
    }
  }
}

resource "aws_launch_template" "content_without_tokens" {
  name = "content-without-tokens"

  dynamic "metadata_options" {
    for_each = [1]
    content {
      http_endpoint = "enabled"
    }
  }
}

resource "aws_launch_template" "from_iterator" {
  name = "from-iterator"

  dynamic "metadata_options" {
    for_each = var.metadata
    content {
      http_tokens = metadata_options.value.tokens
    }
  }
}

resource "aws_instance" "produces_nothing" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  dynamic "metadata_options" {
    for_each = []
    content {
      http_tokens = "required"
    }
  }
}

resource "aws_launch_template" "from_map_iterator" {
  name = "from-map-iterator"

  dynamic "metadata_options" {
    for_each = { main = "optional" }
    iterator = imds
    content {
      http_tokens = imds.value
    }
  }
}
