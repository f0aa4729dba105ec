variable "tokens" {
  description = "IMDS session tokens for the web tier"
  type        = string
  default     = "optional"
}

variable "shared_tokens" {
  type    = string
  default = "optional"
}

variable "hop_limit" {
  type    = number
  default = 4
}

variable "legacy_tokens" {
  type    = string
  default = "optional"
}
