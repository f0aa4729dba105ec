# An object argument read through a dynamic block's iterator, as terraform-aws-modules write it:
# the key of the call's argument is the source of the value.

module "bastion" {
  source = "./modules/instance"
  name   = "bastion"

  metadata_options = {
    http_endpoint               = "enabled"
    http_tokens                 = "optional" # the key the fix changes
    http_put_response_hop_limit = 8
  }
}

# the module default: required, hop limit 1
module "web" {
  source = "./modules/instance"
  name   = "web"
}

# a key that is not written (its type default, optional, decides): added to the object
module "partial" {
  source = "./modules/instance"
  name   = "partial"

  metadata_options = {
    http_put_response_hop_limit = 1
  }
}

# the object is also read by a resource the rule does not judge
module "shared" {
  source  = "./modules/instance"
  name    = "shared"
  publish = true

  metadata_options = {
    http_tokens = "optional"
  }
}

# var.NAME.key in the root module: the key of the variable's default
variable "settings" {
  type = object({ tokens = string, hops = number })
  default = {
    tokens = "optional"
    hops   = 3
  }
}

resource "aws_instance" "from_default_object" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  metadata_options {
    http_tokens                 = var.settings.tokens
    http_put_response_hop_limit = var.settings["hops"]
  }
}
