"""The pipeline's own decisions: plans beside their configuration, provisioner scripts."""

from __future__ import annotations

import pathlib
import shutil

import pytest

from linter import pipeline
from linter.errors import ConfigError
from linter.model import Finding, ParseResult
from linter.options import ScanOptions
from linter.pipeline import build_graph, scan
from linter.workers import can_fork
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


def test_one_finding_per_rule_and_root_cause_on_real_module_shapes() -> None:
    """fixtures/shapes/one-root-cause: statements written once, received by documents, policies,
    attachments and roles. No two findings of one rule share a root cause: the same place
    (root, resource, line), or one finding's primary location named by another finding of the
    same rule as where the permission is granted."""
    case = FIXTURES / "shapes" / "one-root-cause"
    findings = [f for f in scan([str(case)], ScanOptions(), root=case).findings
                if f.suppression is None and f.category != "tool"]
    assert findings
    places = [(f.rule_id, f.root, f.address, f.span.file, f.span.start_line) for f in findings]
    assert len(places) == len(set(places))
    primary = {(f.rule_id, f.span.file, f.span.start_line) for f in findings}
    for finding in findings:
        for related in finding.related:
            if "granted here" in related.message or "comes from" in related.message:
                key = (finding.rule_id, related.span.file, related.span.start_line)
                assert key not in primary, (finding.message, related)
    # what receives a written statement is named by the one finding, never reported again
    ops = [f for f in findings if f.rule_id == "IAC0202" and f.address == "aws_iam_policy.ops"]
    assert len(ops) == 1
    assert {r.address for r in ops[0].related} >= {
        "aws_iam_role.ops_a", "aws_iam_user.ops_b", "aws_iam_role_policy_attachment.ops_a"}


def test_a_finding_keeps_its_fingerprint_when_one_more_principal_receives_it(
        tmp_path: pathlib.Path) -> None:
    shutil.copytree(FIXTURES / "shapes" / "one-root-cause", tmp_path / "case")
    case = tmp_path / "case"

    def ops() -> Finding:
        found = [f for f in scan([str(case)], ScanOptions(select=("IAC0202",)), root=case).findings
                 if f.address == "aws_iam_policy.ops"]
        assert len(found) == 1
        return found[0]

    before = ops()
    with (case / "shared_policy.tf").open("a", encoding="utf-8") as file:
        file.write('\nresource "aws_iam_group_policy_attachment" "ops_c" {\n'
                   '  group      = "ops"\n  policy_arn = aws_iam_policy.ops.arn\n}\n')
    after = ops()
    assert after.fingerprint == before.fingerprint
    assert len(after.related) == len(before.related) + 1


def test_a_child_module_finding_names_the_calls_that_instantiate_it(tmp_path: pathlib.Path) -> None:
    (tmp_path / "mod" / "inner").mkdir(parents=True)
    (tmp_path / "main.tf").write_text('module "outer" {\n  source = "./mod"\n}\n')
    (tmp_path / "mod" / "main.tf").write_text('module "inner" {\n  source = "./inner"\n}\n')
    (tmp_path / "mod" / "inner" / "main.tf").write_text(
        'resource "aws_instance" "a" {\n  ami = "ami-12345678"\n}\n')
    result = scan([str(tmp_path)], ScanOptions(select=("IAC0101",)), root=tmp_path)
    [finding] = result.findings
    assert finding.span.file.endswith("mod/inner/main.tf")
    calls = [(r.span.file.rsplit("/", 2)[-2:], r.span.start_line, r.message)
             for r in finding.related if "instantiates" in r.message]
    assert [(line, message) for _, line, message in calls] == [
        (1, "module.outer instantiates the module here"),
        (1, "module.outer.module.inner instantiates the module here"),
    ]
    assert [file[-1] for file, _, _ in calls] == ["main.tf", "main.tf"]
    assert calls[1][0][0] == "mod"


def test_a_module_call_judged_by_its_inputs_is_named_once() -> None:
    case = FIXTURES / "aws" / "ec2" / "imds-v1-allowed" / "registry" / "ec2-instance"
    result = scan([str(case)], ScanOptions(), root=case)
    assert result.findings
    for finding in result.findings:
        calls = [r.address for r in finding.related if r.address.startswith("module.")
                 and r.address.count(".") == 1]
        assert len(calls) == len(set(calls)), finding


def test_worker_count_runs_small_scans_and_single_jobs_in_this_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "usable_cores", lambda: 4)
    monkeypatch.setattr(pipeline, "can_fork", lambda: True)
    many = pipeline.PARALLEL_MIN_UNITS
    assert pipeline.worker_count(1, 500) == 1
    assert pipeline.worker_count(0, many - 1) == 1  # too few units to pay for workers
    assert pipeline.worker_count(0, many) == 4  # 0: one per usable core
    assert pipeline.worker_count(3, many) == 3
    assert pipeline.worker_count(16, many) == 4  # never more than the cores
    monkeypatch.setattr(pipeline, "can_fork", lambda: False)
    assert pipeline.worker_count(0, 500) == 1


@pytest.mark.skipif(not can_fork(), reason="worker processes are forked (Linux)")
def test_a_configuration_error_in_a_worker_reaches_the_caller_whole(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(pipeline.PARALLEL_MIN_UNITS):
        (tmp_path / f"root{i:02d}").mkdir()
        (tmp_path / f"root{i:02d}" / "main.tf").write_text('variable "x" {}\n')
    monkeypatch.setattr(pipeline, "usable_cores", lambda: 2)

    def broken(root: pathlib.Path, module_dir: str, options: ScanOptions) -> ParseResult:
        raise ConfigError("cannot read the variable file", file=f"{module_dir}.tfvars",
                          where="$.x")

    monkeypatch.setattr(pipeline, "evaluate_terraform", broken)
    with pytest.raises(ConfigError) as raised:
        pipeline.scan([str(tmp_path)], ScanOptions(jobs=2))
    assert (raised.value.file, raised.value.where) == ("root00.tfvars", "$.x")


@pytest.mark.parametrize("caching", [True, False])
def test_the_sam_translator_is_imported_before_forking_only_when_expansions_are_not_cached(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, caching: bool) -> None:
    from linter.discover.walk import Discovery
    from linter.frontends.cloudformation import sam

    (tmp_path / "plain.yaml").write_text("Resources: {}\n")
    (tmp_path / "app.yaml").write_text("Transform: AWS::Serverless-2016-10-31\nResources: {}\n")
    if caching:
        monkeypatch.setenv("IACLINT_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.delenv("IACLINT_NO_CACHE", raising=False)
    else:
        monkeypatch.setenv("IACLINT_NO_CACHE", "1")
    prepared: list[bool] = []
    monkeypatch.setattr(sam, "prepare", lambda: prepared.append(True))
    found = Discovery(root=tmp_path, candidate_files=["plain.yaml", "app.yaml"])
    pipeline.prepare_candidate_workers(found, ScanOptions())
    # with the cache on, a run whose expansions are cached never imports the translator; a
    # worker that misses the cache imports it then
    assert prepared == ([] if caching else [True])
