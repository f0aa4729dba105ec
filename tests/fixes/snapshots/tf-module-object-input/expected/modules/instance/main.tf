variable "name" {
  type = string
}

variable "publish" {
  type    = bool
  default = false
}

variable "metadata_options" {
  type = object({
    http_endpoint               = optional(string, "enabled")
    http_tokens                 = optional(string, "optional")
    http_put_response_hop_limit = optional(number, 1)
  })
  default = {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
}

resource "aws_instance" "this" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  dynamic "metadata_options" {
    for_each = var.metadata_options != null ? [var.metadata_options] : []

    content {
      http_endpoint               = metadata_options.value.http_endpoint
      http_tokens                 = metadata_options.value.http_tokens
      http_put_response_hop_limit = metadata_options.value.http_put_response_hop_limit
    }
  }
}

# reads the same object; creates something only with publish = true
resource "aws_ssm_parameter" "imds" {
  count = var.publish ? 1 : 0

  name  = "/${var.name}/imds"
  type  = "String"
  value = jsonencode(var.metadata_options)
}
