variable "tokens" {
  type    = string
  default = "required"
}

variable "hop_limit" {
  type = number
}
