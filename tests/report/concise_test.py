from __future__ import annotations

from linter.report import concise, render
from linter.result import ScanResult
from tests.report.sample_result import ACCESS_KEY, SECRET_KEY


def test_one_line_per_active_finding_like_ruff(result: ScanResult) -> None:
    lines = concise.render(result).splitlines()
    assert lines[-1].startswith("Found 3 errors")
    findings = lines[:-1]
    assert len(findings) == 5  # the two suppressed findings are only counted
    assert "main.tf:7:4: IAC0101 aws_instance.web allows IMDSv1: http_tokens is \"optional\"" \
        in findings
    assert all(line.count(": IAC0") == 1 for line in findings)


def test_secrets_are_redacted_and_quiet_drops_the_summary(result: ScanResult) -> None:
    out = render("concise", result, quiet=True)
    assert SECRET_KEY not in out
    assert ACCESS_KEY not in out
    assert "Found" not in out
    assert render("concise", ScanResult(root=result.root), quiet=True) == ""
