# A small web tier: an Auto Scaling group launching from a template, and a bastion host.
# iaclint finds: the template allows IMDSv1, the bastion's role is an administrator
# (IMDSv1 + admin = SSRF-to-account-takeover), a hop limit that lets containers reach IMDS,
# and a role that anyone may assume.

variable "environment" {
  type    = string
  default = "staging"
}

locals {
  # IMDSv2 only in production: a classic mistake
  http_tokens = var.environment == "production" ? "required" : "optional"
}

resource "aws_launch_template" "web" {
  name_prefix   = "web-"
  image_id      = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  iam_instance_profile {
    name = aws_iam_instance_profile.web.name
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = local.http_tokens
    http_put_response_hop_limit = 2
  }
}

resource "aws_autoscaling_group" "web" {
  name             = "web"
  min_size         = 2
  max_size         = 6
  desired_capacity = 2

  launch_template {
    id      = aws_launch_template.web.id
    version = "$Latest"
  }
}

resource "aws_iam_role" "web" {
  name = "web"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "web_s3" {
  name = "s3-read"
  role = aws_iam_role.web.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = "arn:aws:s3:::web-assets/*"
    }]
  })
}

resource "aws_iam_instance_profile" "web" {
  name = "web"
  role = aws_iam_role.web.name
}

# The bastion: no metadata_options at all (AWS default: IMDSv1 allowed) and an admin role.
resource "aws_instance" "bastion" {
  ami                  = "ami-0abcdef1234567890"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.bastion.name
}

resource "aws_iam_instance_profile" "bastion" {
  name = "bastion"
  role = aws_iam_role.bastion.name
}

resource "aws_iam_role" "bastion" {
  name = "bastion"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "bastion_admin" {
  role       = aws_iam_role.bastion.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

# A role that every AWS principal in the world may assume.
resource "aws_iam_role" "shared" {
  name = "shared"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
    }]
  })
}

# Done right: IMDSv2 only, hop limit 1, a least-privilege role.
resource "aws_instance" "worker" {
  ami                  = "ami-0abcdef1234567890"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.web.name

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
}
