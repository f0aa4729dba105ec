"""iaclint: a policy-as-code linter for Terraform and CloudFormation (EC2 instance identity)."""

from __future__ import annotations

__version__ = "0.1.0"
