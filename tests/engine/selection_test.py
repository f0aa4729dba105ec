"""Unknown rule names in --select, --ignore, --enable and the configuration stop the run."""

from __future__ import annotations

import pathlib

import pytest

from linter.engine.selection import check_selection, nearest
from linter.errors import ConfigError
from linter.model import Severity
from linter.options import ScanOptions
from linter.pipeline import load_all_rules, scan
from linter.rule import Rule


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return load_all_rules(ScanOptions())


def test_every_kind_of_name_a_rule_answers_to_is_accepted(rules: list[Rule]) -> None:
    names = ("IAC0101", "iac0101", "imds-v1-allowed", "imds-tokens", "CKV_AWS_79",
             "AVD-AWS-0028", "aws-ec2-enforce-http-token-imds", "aws-fsbp", "aws-fsbp:EC2.8",
             "IAC0003", "unused-suppression")
    check_selection(rules, ScanOptions(select=names, ignore=names, enable=names,
                                       severity_overrides={n: Severity.NOTE for n in names}))


@pytest.mark.parametrize("field", ["select", "ignore", "enable"])
def test_a_typo_is_an_error_naming_it_and_the_nearest_rule(
    rules: list[Rule], field: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        check_selection(rules, ScanOptions(**{field: ("IAC0101", "IAC0110")}))  # type: ignore[arg-type]
    message = str(caught.value)
    assert "IAC0110: no such rule (did you mean IAC0101?)" in message
    assert f"--{field}" in message


def test_severity_overrides_of_unknown_rules_are_errors(rules: list[Rule]) -> None:
    with pytest.raises(ConfigError, match=r"severity: imds-v1-alowed: no such rule \(did you "
                                          r"mean imds-v1-allowed\?\)"):
        check_selection(rules, ScanOptions(severity_overrides={"imds-v1-alowed": Severity.NOTE}))


def test_every_unknown_name_is_listed_and_far_ones_get_no_suggestion(rules: list[Rule]) -> None:
    with pytest.raises(ConfigError) as caught:
        check_selection(rules, ScanOptions(select=("IAC0101 IAC0102", "zzzzzzzzzzzz")))
    message = str(caught.value)
    assert "IAC0101 IAC0102: no such rule" in message
    assert "zzzzzzzzzzzz: no such rule" in message
    assert "zzzzzzzzzzzz: no such rule (did you mean" not in message


def test_nearest_prefers_a_transposition() -> None:
    assert nearest("IAC0110", ["IAC0103", "IAC0101", "IAC0201"]) == "IAC0101"
    assert nearest("IAC9999", ["IAC0101"]) is None


def test_the_scan_refuses_an_unknown_name(tmp_path: pathlib.Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_instance" "x" {}\n')
    with pytest.raises(ConfigError, match="IAC0110"):
        scan([str(tmp_path)], ScanOptions(ignore=("IAC0110",)), root=tmp_path)


@pytest.mark.parametrize(("selector", "expected"), [
    ("CKV_AWS_79", {"IAC0101"}),
    ("aws-ec2-enforce-http-token-imds", {"IAC0101"}),
    ("aws-fsbp:EC2.8", {"IAC0101"}),
    ("aws-control-tower", {"IAC0101", "IAC0102"}),
    ("CKV_AWS_341", {"IAC0102"}),
])
def test_select_by_peer_id_or_compliance_control(
    tmp_path: pathlib.Path, selector: str, expected: set[str]
) -> None:
    (tmp_path / "main.tf").write_text("""resource "aws_launch_template" "t" {
  metadata_options {
    http_tokens                 = "optional"
    http_put_response_hop_limit = 3
  }
}
""")
    result = scan([str(tmp_path)], ScanOptions(select=(selector,)), root=tmp_path)
    assert {f.rule_id for f in result.findings} == expected
