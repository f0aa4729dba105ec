from __future__ import annotations

import pathlib

import pytest

from linter.config.load import apply_config, find_config, load_config
from linter.errors import ConfigError
from linter.model import Severity
from linter.options import ScanOptions


def test_found_from_the_scan_root_upward(tmp_path: pathlib.Path) -> None:
    (tmp_path / ".iaclint.yaml").write_text("fail-on: error\n")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) == tmp_path / ".iaclint.yaml"


def test_pyproject_table(tmp_path: pathlib.Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.iaclint]\nmax-hop-limit = 2\nignore = ["IAC0102"]\n'
    )
    loaded = load_config(tmp_path)
    options = apply_config(loaded, ScanOptions(), set())
    assert options.parameters == {"max_hop_limit": 2}
    assert options.ignore == ("IAC0102",)


def test_values_and_flag_precedence(tmp_path: pathlib.Path) -> None:
    (tmp_path / ".iaclint.yaml").write_text(
        "fail-on: error\nmax-hop-limit: 2\nrules: [my-rules]\nseverity: {IAC0301: note}\n"
        "hop-limit-exceptions:\n  - {max: 2, types: [aws_eks_node_group]}\n"
        "account-imds-defaults: {tokens: required, hop-limit: 1}\n"
        "suppressions: {inline: false, require-reason: true}\n"
        "gatekeepers: {aws_iam_role.gate: [aws_iam_role.admin]}\n")
    loaded = load_config(tmp_path)
    flags = ScanOptions(parameters={"max_hop_limit": 3})
    options = apply_config(loaded, flags, set())
    assert options.fail_on is Severity.ERROR
    assert options.parameters["max_hop_limit"] == 3  # the flag wins
    assert options.rule_dirs == (str(tmp_path / "my-rules"),)
    assert options.severity_overrides == {"IAC0301": Severity.NOTE}
    assert options.hop_limit_exceptions[0].types == ("aws_eks_node_group",)
    assert options.account_imds_defaults == {"tokens": "required", "hop-limit": "1"}
    assert options.inline_suppressions is False
    assert options.require_reason is True
    assert options.parameters["gatekeepers"] == {"aws_iam_role.gate": ["aws_iam_role.admin"]}


def test_parameters_by_name_and_per_rule(tmp_path: pathlib.Path) -> None:
    (tmp_path / ".iaclint.yaml").write_text(
        "max-hop-limit: 2\nparameters:\n  gatekeepers: {}\n  IAC0102: {max_hop_limit: 3}\n")
    options = apply_config(load_config(tmp_path), ScanOptions(), set())
    assert options.parameters == {
        "max_hop_limit": 2, "gatekeepers": {}, "IAC0102": {"max_hop_limit": 3}}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("fail-on: sometimes\n", "$.fail-on"),
        ("max-hop-limit: 0\n", "$.max-hop-limit"),
        ("unknown-key: 1\n", "$"),
        ("hop-limit-exceptions:\n  - {max: 2, typo: x}\n", "$.hop-limit-exceptions[0]"),
    ],
)
def test_invalid_configuration_names_file_and_path(
    tmp_path: pathlib.Path, text: str, where: str
) -> None:
    (tmp_path / ".iaclint.yaml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert info.value.file.endswith(".iaclint.yaml")
    assert info.value.where == where


def test_broken_yaml_is_a_config_error(tmp_path: pathlib.Path) -> None:
    (tmp_path / ".iaclint.yaml").write_text("select: [unclosed\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_config(tmp_path)
