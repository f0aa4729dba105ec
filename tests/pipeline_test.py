"""The pipeline's own decisions: plans beside their configuration, provisioner scripts."""

from __future__ import annotations

import pathlib

from linter.options import ScanOptions
from linter.pipeline import build_graph, scan
from tests.paths import FIXTURES


def test_a_plan_beside_its_configuration_replaces_the_evaluated_resources() -> None:
    case = FIXTURES / "aws" / "ec2" / "imds-v1-allowed" / "eval-plan-beside-config"
    result = scan([str(case)], ScanOptions(select=("IAC0101",)), root=case)
    assert list(result.units) == ["."]
    instances = build_graph(result.units["."], ScanOptions()).of_type("aws_instance")
    from_default = [r for r in instances if r.address == "aws_instance.from_default"]
    assert len(from_default) == 1  # not the evaluated copy as well
    assert "plan_span" in from_default[0].meta  # the plan's resolved resource …
    assert from_default[0].file == "main.tf"  # … pointed at the configuration


def test_provisioner_scripts_are_kept_for_the_credential_rule(tmp_path: pathlib.Path) -> None:
    (tmp_path / "main.tf").write_text('''resource "aws_instance" "a" {
  ami                  = "ami-12345678"
  iam_instance_profile = "app"
  provisioner "remote-exec" {
    inline = ["echo export AWS_SECRET_ACCESS_KEY=my-secret >> ~/.bashrc"]
  }
}
''')
    result = scan([str(tmp_path)], ScanOptions(select=("IAC0401",)), root=tmp_path)
    assert [(f.rule_id, f.span.start_line) for f in result.findings] == [("IAC0401", 5)]
