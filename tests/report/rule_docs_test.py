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
