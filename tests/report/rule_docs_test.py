"""The committed docs/rules/ pages are exactly what the rules generate.

Rules are added and edited all the time: after changing a rule, regenerate with
``IACLINT_UPDATE_DOCS=1 pytest tests/report/rule_docs_test.py`` (or
``iaclint rules --format markdown --output docs/rules/``) and commit the pages.
"""

from __future__ import annotations

import os
import pathlib

import pytest

from linter.cli import main
from linter.options import ScanOptions
from linter.pipeline import load_all_rules
from linter.report.rule_docs import GENERATED, rule_pages, stale_pages, write_rule_pages
from tests.paths import REPO

DOCS = REPO / "docs" / "rules"
HOW = ("regenerate with `IACLINT_UPDATE_DOCS=1 pytest tests/report/rule_docs_test.py` "
       "(or `iaclint rules --format markdown --output docs/rules/`) and commit docs/rules/")


def test_committed_rule_docs_are_up_to_date() -> None:
    rules = load_all_rules(ScanOptions())
    if os.environ.get("IACLINT_UPDATE_DOCS"):
        write_rule_pages(rules, DOCS)
    pages = rule_pages(rules)
    missing = sorted(name for name in pages if not (DOCS / name).is_file())
    differing = sorted(
        name for name in pages
        if (DOCS / name).is_file() and (DOCS / name).read_text(encoding="utf-8") != pages[name]
    )
    stale = [p.name for p in stale_pages(DOCS, pages)]
    problems = [f"missing: {', '.join(missing)}"] * bool(missing)
    problems += [f"out of date: {', '.join(differing)}"] * bool(differing)
    problems += [f"no rule any more: {', '.join(stale)}"] * bool(stale)
    if problems:
        pytest.fail(f"docs/rules/ differs from the rules ({'; '.join(problems)}); {HOW}",
                    pytrace=False)


def test_every_rule_page_is_the_help_uri_target() -> None:
    for rule in load_all_rules(ScanOptions()):
        assert rule.help_uri.endswith(f"/docs/rules/{rule.name}.md")


def test_cli_writes_pages_and_removes_stale_generated_ones(
        tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rules"
    out.mkdir()
    (out / "renamed-rule.md").write_text(f"{GENERATED}\n\n# old\n")
    (out / "handwritten.md").write_text("# kept: not generated\n")
    assert main(["rules", "--format", "markdown", "--output", str(out)]) == 0
    assert "rule pages" in capsys.readouterr().out
    assert not (out / "renamed-rule.md").exists()
    assert (out / "handwritten.md").exists()
    page = (out / "imds-v1-allowed.md").read_text()
    for heading in ("# IAC0101 imds-v1-allowed", "## Why is this bad?", "## Example",
                    "## Use instead", "## Remediation", "## References"):
        assert heading in page
    assert "[imds-v1-allowed](imds-v1-allowed.md)" in (out / "README.md").read_text()


def test_markdown_needs_an_output_directory(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "markdown"]) == 2
    assert "--output" in capsys.readouterr().err


def test_rule_page_lists_equivalents_and_compliance(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "imds-v1-allowed"]) == 0
    page = capsys.readouterr().out
    equivalents = page[page.index("## Equivalents in other scanners"):]
    assert "| Checkov | `CKV_AWS_79` |" in equivalents
    assert "| Trivy / tfsec | `AVD-AWS-0028` | `aws-ec2-enforce-http-token-imds`, `AWS-0028` |" \
        in equivalents
    assert "checkov:skip=ID:reason" in equivalents
    compliance = page[page.index("## Compliance"):]
    assert "| AWS Foundational Security Best Practices | `aws-fsbp:EC2.8` |" in compliance
    assert "`cis-aws-foundations:v3.0.0/5.6`" in compliance


def test_rules_as_json(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["rules", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["version"] == 1
    rules = {r["id"]: r for r in document["rules"]}
    imds = rules["IAC0101"]
    assert imds["name"] == "imds-v1-allowed"
    assert imds["severity"] == "error"
    assert {"tool": "checkov", "id": "CKV_AWS_79", "name": None, "aliases": [],
            "title": "Ensure Instance Metadata Service Version 1 is not enabled"} \
        in imds["equivalents"]
    assert imds["compliance"][0]["key"] == "aws-fsbp:EC2.8"
    assert rules["IAC0503"]["opt_in"] is True
    assert rules["IAC0102"]["parameters"]["max_hop_limit"]["default"] == 1
    target = tmp_path / "rules.json"
    assert main(["rules", "--format", "json", "--output", str(target)]) == 0
    assert json.loads(target.read_text())["rules"] == document["rules"]
    assert main(["rules", "--format", "xml"]) == 2
