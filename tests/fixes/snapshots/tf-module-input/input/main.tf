# Module inputs: the argument of the call is the source of the value.

module "legacy" {
  source    = "./modules/node"
  name      = "legacy"
  tokens    = "optional"
  hop_limit = 1
}

module "fleet" {
  source = "./modules/node"
  count  = 2
  name   = "fleet"
  tokens = local.fleet_tokens
}

module "strict" {
  source = "./modules/node"
  name   = "strict"
}

locals {
  fleet_tokens = "optional"
}
