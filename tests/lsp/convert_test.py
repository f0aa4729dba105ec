"""Findings as diagnostics: where the code of a diagnostic links to."""

from __future__ import annotations

import pathlib

import pytest

pytest.importorskip("pygls")

from linter.engine.loader import bundled_rules_dir, load_rules
from linter.lsp.convert import TOOL_DOCS, help_uri

OWN_RULE = """id: ACME0001
name: instance-has-public-ip
category: imds-tokens
severity: warning
security-severity: "5.0"
title: Instance gets a public IP address
message: "{address} is reachable from the internet"
docs:
  what: Flags instances that associate a public IP address.
  why: Instances reachable from the internet widen the SSRF surface in front of IMDS.
  fix: Put instances in private subnets behind a load balancer.
remediation:
  terraform: associate_public_ip_address = false
match:
  terraform:
    types: [aws_instance]
    at: associate_public_ip_address
    where: {path: associate_public_ip_address, equals: true}
"""


def test_a_code_links_to_the_rule_page_or_to_the_users_own_rule_file(
        tmp_path: pathlib.Path) -> None:
    own = tmp_path / "policies" / "no-public-ip.yaml"
    own.parent.mkdir()
    own.write_text(OWN_RULE)
    rules = {r.id: r for r in load_rules([bundled_rules_dir(), own.parent])}
    assert help_uri("IAC0101", rules) == (
        "https://github.com/iaclint/iaclint/blob/main/docs/rules/imds-v1-allowed.md")
    assert help_uri("ACME0001", rules) == own.resolve().as_uri()  # its docs are in its file
    assert help_uri("IAC0001", rules) == TOOL_DOCS
    assert help_uri("NOPE0001", rules) == ""
