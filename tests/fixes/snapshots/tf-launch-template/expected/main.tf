# Launch templates; an account default with a high hop limit makes both rules fire on a template
# without metadata_options, and both settings go into one new block.

resource "aws_ec2_instance_metadata_defaults" "account" {
  http_tokens                 = "no-preference"
  http_put_response_hop_limit = 3
}

resource "aws_launch_template" "bare" {
  name_prefix   = "bare-"
  image_id      = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = "bare" }
  }

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
}

resource "aws_launch_template" "partial" {
  name_prefix = "partial-"

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
}

resource "aws_autoscaling_group" "workers" {
  min_size = 1
  max_size = 3

  launch_template {
    id      = aws_launch_template.partial.id
    version = "$Latest"
  }
}
