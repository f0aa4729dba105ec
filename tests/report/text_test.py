from __future__ import annotations

import re

from linter.report import text
from linter.result import ScanResult
from tests.report.sample_result import ACCESS_KEY, SECRET_KEY, dedent


def test_a_finding_has_its_location_line_code_frame_and_notes(result: ScanResult) -> None:
    out = text.render(result)
    expected = dedent("""
        main.tf:7:4: IAC0101 [error] aws_instance.web allows IMDSv1: http_tokens is "optional" (aws_instance.web)
          |
        7 |       http_tokens = "optional"
          |       ^^^^^^^^^^^^^^^^^^^^^^^^
          = note: main.tf:11: its instance profile (aws_iam_instance_profile.web)
          = note: main.tf:12: grants the role aws_iam_role.admin
        """)  # noqa: E501
    assert expected in out


def test_a_multi_line_span_is_bracketed(result: ScanResult) -> None:
    out = text.render(result)
    expected = dedent("""
        envs/prod app/ünïcode#1.tf:1:1: IAC0301 [note] aws_instance.odd has no instance profile (aws_instance.odd in root module ./)
          |
        1 | / resource "aws_instance" "odd" {
        2 | |   ami = "ami-1"
        3 | | }
          | |_^
        """)  # noqa: E501
    assert expected in out


def test_findings_are_grouped_by_file_in_line_order(result: ScanResult) -> None:
    out = text.render(result)
    heads = re.findall(r"^(.+?):(\d+):\d+: IAC", out, flags=re.M)
    keys = [(file, int(line)) for file, line in heads]
    assert keys == sorted(keys)
    assert [file for file, _ in keys] == ["broken.tf", "envs/prod app/ünïcode#1.tf",
                                          "main.tf", "main.tf", "template.yaml"]


def test_suppressed_findings_are_only_counted(result: ScanResult) -> None:
    out = text.render(result)
    assert "IAC0102" not in out.replace("IAC0102 reason", "")  # only in the source comment
    assert "Legacy allows IMDSv1" not in out
    assert out.rstrip().splitlines()[-1] == (
        "Found 3 errors, 1 warning, 1 note (2 suppressed, 1 unknown) in 5 files, 0.12s.")


def test_secrets_are_masked_in_messages_frames_and_notes(result: ScanResult) -> None:
    out = text.render(result, show_unknown=True)
    assert SECRET_KEY not in out
    assert ACCESS_KEY not in out
    assert 'provider.aws has a hard-coded secret key wJal… (provider.aws)' in out
    assert '17 |   secret_key = "wJal…"' in out
    # the underline covers the masked value
    frame = out[out.index('17 |   secret_key'):].splitlines()
    assert frame[1] == '   |                ^^^^^^^'
    assert "= note: main.tf:16: access key AKIA… is hard-coded too" in out


def test_unknown_verdicts_are_listed_only_on_request(result: ScanResult) -> None:
    assert "IAC0006" not in text.render(result)
    out = text.render(result, show_unknown=True)
    assert ("main.tf:23:5: IAC0006 [note] IAC0102 imds-hop-limit-too-high could not decide on "
            "aws_launch_template.lt: `var.hop_limit` (variable has no value) cannot be evaluated"
            in out)
    assert "= note: main.tf:23: `var.hop_limit` (variable has no value) cannot be evaluated" in out


def test_no_ansi_without_color_and_ansi_with_it(result: ScanResult) -> None:
    assert "\x1b[" not in text.render(result, show_unknown=True)
    colored = text.render(result, color=True)
    assert "\x1b[1;31mIAC0101\x1b[0m" in colored
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == text.render(result)


def test_control_characters_from_user_content_are_escaped(result: ScanResult) -> None:
    (result.root / "main.tf").write_text('x = "\x1b[31mred"\n', encoding="utf-8")
    finding = result.findings[2]
    assert finding.span.file == "main.tf"
    result.findings[2] = type(finding)(**{**finding.__dict__, "message": "bad \x1b]0;title\x07"})
    out = text.render(result)
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "bad \\x1b]0;title\\x07" in out


def test_a_missing_source_file_gives_no_frame(result: ScanResult) -> None:
    (result.root / "broken.tf").unlink()
    out = text.render(result)
    block = out.split("\n\n")[0]
    assert block == ("broken.tf:1:34: IAC0001 [error] Unclosed configuration block: there is no "
                     "closing brace for this block")


def test_an_empty_result_says_so(result: ScanResult) -> None:
    empty = ScanResult(root=result.root, files=["a.tf"], duration=0.01)
    assert text.render(empty) == "No findings (0 suppressed, 0 unknown) in 1 file, 0.01s.\n"
