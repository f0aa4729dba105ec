"""Findings as diagnostics: where the code of a diagnostic links to, and the texts positions are
converted with (read like everything else).

Found in the acceptance of issue 15: a diagnostic's range (and a hover, a code action) is
computed from the lines of the finding's file, which ``Texts`` read with ``path.read_bytes()``.
A hostile workspace's notes name a symlink out of the root, a FIFO or ``/dev/zero``: the server
read the outside file, would block on the FIFO and stream ``/dev/zero`` until memory ran out.
"""

from __future__ import annotations

import os
import pathlib

import pytest

pytest.importorskip("pygls")

from linter.engine.loader import bundled_rules_dir, load_rules
from linter.lsp.convert import TOOL_DOCS, Texts, help_uri
from linter.lsp.scanning import is_plan

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


def test_texts_read_only_regular_files_inside_the_root(tmp_path: pathlib.Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "creds.tf").write_text("OUTSIDE_MARKER\n")
    (root / "creds.tf").symlink_to(outside / "creds.tf")
    (root / "main.tf").write_text("a = 1\nb = 2\n")
    (root / "zero.tf").symlink_to("/dev/zero")
    os.mkfifo(root / "x.yaml")
    texts = Texts(root, {str(root / "open.tf"): b"buffer\n"})
    assert texts.lines("creds.tf") == []
    assert texts.lines("main.tf") == ["a = 1", "b = 2"]
    assert texts.lines("open.tf") == ["buffer"]
    assert texts.text("zero.tf") == ""
    assert texts.text("x.yaml") == ""
    assert texts.text("missing.tf") == ""


def test_a_fifo_named_like_a_plan_is_not_opened(tmp_path: pathlib.Path) -> None:
    os.mkfifo(tmp_path / "plan.json")
    assert not is_plan(tmp_path / "plan.json", {})
    plan = b'{"terraform_version": "1.9.0", "planned_values": {}}'
    (tmp_path / "real.json").write_bytes(plan)
    assert is_plan(tmp_path / "real.json", {})
    assert is_plan(tmp_path / "plan.json", {str(tmp_path / "plan.json"): plan})  # the buffer
