"""The JSON report does not depend on what the process remembers.

A generated tree (the synthetic Terraform of ``bench/scale.py``, plus the role-chain and
IMDS-with-admin-role fixtures, Terraform and CloudFormation, and a SAM template, as more units)
is scanned with the JSON report, which carries the fixes, under every cache state: the rule
cache and the SAM expansions (``IACLINT_CACHE_DIR``) empty, then warm, then switched off; the
front end's module parse cache (``linter.frontends.terraform.modules``) empty, then warm; the
fix stage reading the front end's syntax trees, or parsing the files itself; and in one process
or in worker processes (``--jobs``). Every report, minus its timing, is the same bytes.
"""

from __future__ import annotations

import json
import pathlib
import shutil

import pytest

from linter import cli, pipeline
from linter.fixes import hcl as fix_hcl
from linter.frontends.terraform.modules import clear_caches
from linter.workers import can_fork
from tests.paths import FIXTURES, bench_scale


def _generate(resources: int, out: pathlib.Path) -> None:
    bench_scale().builtin_generate(resources, out, per_file=25)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    root = tmp_path_factory.mktemp("generated")
    _generate(250, root / "synth")
    for name in ("role-chain-to-admin", "imdsv1-with-admin-role"):
        shutil.copytree(FIXTURES / "aws" / "identity" / name, root / name)
    shutil.copytree(FIXTURES / "aws" / "ec2" / "imds-v1-allowed" / "cfn-eval-sam", root / "sam")
    return root


def _report(tree: pathlib.Path, out: pathlib.Path, *flags: str) -> str:
    code = cli.main(["check", str(tree), "-f", "json", "-o", str(out), *flags])
    assert code == 1, code  # findings
    document = json.loads(out.read_text(encoding="utf-8"))
    document["summary"].pop("duration_seconds")
    return json.dumps(document, indent=2, ensure_ascii=False)


def test_reports_are_identical_whatever_is_cached(
        tree: pathlib.Path, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IACLINT_CACHE_DIR", str(tmp_path / "rule-cache"))
    monkeypatch.delenv("IACLINT_NO_CACHE", raising=False)
    clear_caches()
    cold = _report(tree, tmp_path / "cold.json")  # rule cache empty, nothing parsed yet
    assert any((tmp_path / "rule-cache").rglob("*")), "the rule cache was not written"
    assert any((tmp_path / "rule-cache" / "sam-expansions").iterdir()), "no SAM expansion kept"
    warm = _report(tree, tmp_path / "warm.json")  # rule cache and module parse cache warm
    monkeypatch.setattr(fix_hcl, "parsed_files", lambda root, directory: {})
    fixes_parse = _report(tree, tmp_path / "fixes-parse.json")  # fix stage parses the files
    monkeypatch.undo()
    monkeypatch.setenv("IACLINT_NO_CACHE", "1")
    clear_caches()
    uncached = _report(tree, tmp_path / "uncached.json")
    document = json.loads(cold)
    rules = {f["rule"] for f in document["findings"]}
    assert {"IAC0101", "IAC0202", "IAC0501", "IAC0502"} <= rules  # the tree exercises them
    assert any(f.get("fix", {}).get("edits") for f in document["findings"])
    assert len({f["file"].split("/")[0] for f in document["findings"]}) >= 3  # several units
    assert warm == cold
    assert fixes_parse == cold
    assert uncached == cold


@pytest.mark.skipif(not can_fork(), reason="worker processes are forked (Linux)")
def test_reports_are_identical_in_one_process_or_several(
        tree: pathlib.Path, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many = tmp_path / "many"  # enough units for workers: the fixtures' roots and templates too
    shutil.copytree(tree, many / "generated")
    shutil.copytree(FIXTURES / "aws", many / "aws")
    pools: list[int] = []
    real_map = pipeline.ordered_map  # type: ignore[attr-defined]

    def spy(work, items, jobs, done=None):  # type: ignore[no-untyped-def]
        pools.append(jobs)
        return real_map(work, items, jobs, done)

    monkeypatch.setattr(pipeline, "ordered_map", spy)
    monkeypatch.setattr(pipeline, "usable_cores", lambda: 2)
    one = _report(many, tmp_path / "one.json", "--jobs", "1")
    assert pools == []
    clear_caches()
    several = _report(many, tmp_path / "several.json", "--jobs", "2")
    assert pools == [2, 2], "the front ends and the rules ran in two workers"
    assert several == one
    assert len({f["file"].rsplit("/", 1)[0] for f in json.loads(one)["findings"]}) >= 16
