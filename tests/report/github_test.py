from __future__ import annotations

from linter.model import Finding, Severity, Span
from linter.report import github
from linter.result import ScanResult
from tests.report.sample_result import ACCESS_KEY, SECRET_KEY, build_result


def test_escaping() -> None:
    assert github.escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert github.escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_one_command_per_active_finding(result: ScanResult) -> None:
    lines = github.render(result).splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == 5  # two suppressed findings are not annotated
    assert [c.split(" ", 1)[0] for c in commands] == [
        "::error", "::notice", "::error", "::error", "::warning"]
    assert lines[-1].startswith("Found 3 errors")


def test_a_command_has_position_title_and_related_lines(result: ScanResult) -> None:
    out = github.render(result)
    imds = next(line for line in out.splitlines() if "IAC0101" in line)
    assert imds == (
        "::error file=main.tf,line=7,col=4,endLine=7,endColumn=28,"
        "title=IAC0101 imds-v1-allowed::aws_instance.web allows IMDSv1: http_tokens is "
        '"optional"%0Amain.tf:11: its instance profile%0Amain.tf:12: grants the role '
        "aws_iam_role.admin")


def test_paths_are_repository_relative_and_escaped(tmp_path: object) -> None:
    import pathlib

    repo = pathlib.Path(str(tmp_path)) / "repo"
    (repo / "a,b").mkdir(parents=True)
    (repo / ".git").mkdir()
    finding = Finding("IAC0101", "imds-v1-allowed", "imds-tokens", Severity.ERROR,
                      "100% bad\nreally", Span("x:y.tf", 2, 3), address="aws_instance.a")
    out = github.render(ScanResult(root=repo / "a,b", findings=[finding]))
    assert out.splitlines()[0] == (
        "::error file=a%2Cb/x%3Ay.tf,line=2,col=3,endLine=2,"
        "title=IAC0101 imds-v1-allowed::aws_instance.a: 100%25 bad%0Areally")


def test_unknown_verdicts_become_notices_on_request(result: ScanResult) -> None:
    assert "IAC0006" not in github.render(result)
    assert "::notice file=main.tf,line=23" in github.render(result, show_unknown=True)


def test_secrets_never_appear(result: ScanResult) -> None:
    out = github.render(result, show_unknown=True)
    assert SECRET_KEY not in out
    assert ACCESS_KEY not in out
    assert "hard-coded secret key wJal…" in out


def test_a_message_cannot_inject_a_workflow_command(tmp_path: object) -> None:
    import pathlib

    repo = pathlib.Path(str(tmp_path)) / "r"
    repo.mkdir()
    result = build_result(repo)
    finding = result.findings[0]
    result.findings[0] = type(finding)(**{**finding.__dict__,
                                          "message": "x\n::add-mask::y\r\n::stop-commands::z"})
    out = github.render(result)
    assert not any(line.startswith(("::add-mask", "::stop-commands")) for line in out.splitlines())
