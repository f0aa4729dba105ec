"""A change to where a value comes from reports the finding it causes (pre-commit passes only
the changed files)."""

from __future__ import annotations

import pathlib

import pytest

from linter.engine.evidence import evidence_files, touches, verdict_touches
from linter.model import Finding, Related, Severity, Span, Unknown, UnknownVerdict
from linter.options import ScanOptions
from linter.pipeline import scan

MAIN = """resource "aws_instance" "web" {
  iam_instance_profile = "web"
  metadata_options {
    http_tokens = %s
  }
}
"""
VARIABLES = 'variable "tokens" {\n  default = "required"\n}\n'
OTHER = 'resource "aws_iam_instance_profile" "unrelated" {\n  name = "x"\n}\n'


def test_evidence_is_the_finding_and_its_related_locations() -> None:
    finding = Finding("IAC0101", "imds-v1-allowed", "imds-tokens", Severity.ERROR, "m",
                      Span("main.tf", 4), related=(Related(Span("vars.tf", 2), "from here"),))
    assert evidence_files(finding) == {"main.tf", "vars.tf"}
    assert touches(finding, {"vars.tf"})
    assert not touches(finding, {"other.tf"})
    verdict = UnknownVerdict("IAC0101", "a", Span("main.tf", 4),
                             (Unknown("var.x", span=Span("vars.tf", 1)),))
    assert verdict_touches(verdict, {"vars.tf"})
    assert not verdict_touches(verdict, {"other.tf"})


@pytest.fixture
def module(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "main.tf").write_text(MAIN % "var.tokens")
    (tmp_path / "variables.tf").write_text(VARIABLES)
    (tmp_path / "other.tf").write_text(OTHER)
    return tmp_path


def changed(root: pathlib.Path, *files: str) -> set[tuple[str, str]]:
    result = scan([str(root / f) for f in files], ScanOptions(select=("IAC0101",)), root=root)
    return {(f.rule_id, f.span.file) for f in result.findings}


def test_a_changed_variable_default_reports_the_instance_it_reaches(
        module: pathlib.Path) -> None:
    assert changed(module, "variables.tf") == set()
    (module / "variables.tf").write_text(VARIABLES.replace("required", "optional"))
    assert changed(module, "variables.tf") == {("IAC0101", "main.tf")}
    assert changed(module, "other.tf") == set()  # a change elsewhere in the module does not


def test_a_new_tfvars_file_reports_the_instance_it_reaches(module: pathlib.Path) -> None:
    (module / "terraform.tfvars").write_text('tokens = "optional"\n')
    assert changed(module, "terraform.tfvars") == {("IAC0101", "main.tf")}


def test_a_changed_local_reports_the_instance_it_reaches(tmp_path: pathlib.Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN % "local.tokens")
    (tmp_path / "locals.tf").write_text('locals {\n  tokens = "optional"\n}\n')
    assert changed(tmp_path, "locals.tf") == {("IAC0101", "main.tf")}


def test_a_value_passed_into_a_module_is_reported_when_its_source_changes(
        tmp_path: pathlib.Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.tf").write_text('variable "tokens" {}\n' + MAIN % "var.tokens")
    (tmp_path / "main.tf").write_text(
        'module "app" {\n  source = "./app"\n  tokens = var.tokens\n}\n')
    (tmp_path / "variables.tf").write_text(VARIABLES.replace("required", "optional"))
    # reported where the value enters the module (the call's argument in main.tf)
    assert changed(tmp_path, "variables.tf") == {("IAC0101", "main.tf")}
    assert changed(tmp_path, "main.tf") == {("IAC0101", "main.tf")}
