from __future__ import annotations

import pathlib

from tests.fixes.fix_helpers import fix_files, notes

NODE_GROUP = """resource "aws_eks_node_group" "g" {
  cluster_name  = "c"
  node_role_arn = "arn:aws:iam::123456789012:role/n"
  subnet_ids    = ["subnet-1"]
  scaling_config {
    desired_size = 1
    max_size     = 1
    min_size     = 1
  }
}
"""


def test_a_type_the_rule_judges_but_cannot_fix_gets_a_note(tmp_path: pathlib.Path) -> None:
    changed, outcome, _ = fix_files(tmp_path, {"main.tf": NODE_GROUP})
    assert changed == {}
    assert notes(outcome) == [
        "aws_eks_node_group.g: no automatic fix for aws_eks_node_group; see the rule's "
        "remediation"] * 2  # IMDSv1 and the hop limit 2 of EKS's launch template


def test_rules_without_an_autofix_get_no_fix(tmp_path: pathlib.Path) -> None:
    _, _, result = fix_files(tmp_path, {"main.tf": 'resource "aws_instance" "i" {\n}\n'},
                             select=("IAC0101", "IAC0301"))
    fixes = {f.rule_id: f.fix for f in result.findings}
    assert fixes["IAC0301"] is None
    assert fixes["IAC0101"] is not None


def test_the_hop_limit_is_the_configured_maximum(tmp_path: pathlib.Path) -> None:
    source = ('resource "aws_instance" "i" {\n  metadata_options {\n'
              '    http_tokens                 = "required"\n'
              "    http_put_response_hop_limit = 5\n  }\n}\n")
    changed, _, _ = fix_files(tmp_path, {"main.tf": source},
                              parameters={"IAC0102": {"max_hop_limit": 2}})
    assert changed == {"main.tf": source.replace("= 5", "= 2")}


def test_a_suppressed_instance_keeps_the_shared_value(tmp_path: pathlib.Path) -> None:
    source = ('variable "tokens" {\n  default = "optional"\n}\n\n'
              'resource "aws_instance" "a" {\n  metadata_options {\n'
              "    http_tokens = var.tokens\n  }\n}\n\n"
              "# iaclint:ignore IAC0101 reason=\"vendor agent\"\n"
              'resource "aws_instance" "b" {\n  metadata_options {\n'
              "    http_tokens = var.tokens\n  }\n}\n")
    changed, outcome, _ = fix_files(tmp_path, {"main.tf": source})
    assert changed == {}
    assert notes(outcome) == [
        "aws_instance.a: the default of var.tokens (main.tf:2) also reaches aws_instance.b "
        "(metadata_options.0.http_tokens), and its finding is suppressed"]


def test_only_the_given_files_are_changed(tmp_path: pathlib.Path) -> None:
    (tmp_path / "variables.tf").write_text('variable "tokens" {\n  default = "optional"\n}\n')
    (tmp_path / "main.tf").write_text('resource "aws_instance" "a" {\n  metadata_options {\n'
                                      "    http_tokens = var.tokens\n  }\n}\n")
    from linter.fixes.apply import apply_fixes
    from linter.options import ScanOptions
    from linter.pipeline import scan

    options = ScanOptions(select=("IAC0101",), fixes=True)
    result = scan([str(tmp_path / "main.tf")], options, root=tmp_path)
    outcome = apply_fixes(result.root, result.findings)
    assert outcome.changes == []
    assert notes(outcome) == ["aws_instance.a: the value is set in variables.tf, which is not "
                              "among the files given"]


def test_the_hop_limit_honours_an_exception_for_the_resource(tmp_path: pathlib.Path) -> None:
    from linter.options import HopLimitException

    source = ('resource "aws_instance" "host" {\n  tags = {\n    role = "container-host"\n  }\n'
              "  metadata_options {\n    http_tokens                 = \"required\"\n"
              "    http_put_response_hop_limit = 3\n  }\n}\n")
    exception = HopLimitException(max=2, tags={"role": "container-host"})
    changed, outcome, _ = fix_files(tmp_path, {"main.tf": source},
                                    hop_limit_exceptions=(exception,))
    assert changed == {"main.tf": source.replace("= 3", "= 2")}  # not 1: containers need 2
    assert outcome.fixed[0].fix is not None
    assert outcome.fixed[0].fix.description == (
        "Set http_put_response_hop_limit = 2 in metadata_options")
