from __future__ import annotations

import json
import os
import pathlib

import pytest

from linter.config.load import apply_config, find_config, load_config
from linter.errors import ConfigError
from linter.model import Severity
from linter.options import ScanOptions
from tests.hostile_cases import assert_contained, run_case


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


# ---------------------------------------------------------------- hostile configurations (issue 15)


def test_row_5_a_repository_config_cannot_read_variables_from_outside(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    outcome = run_case("5", tmp_path, monkeypatch, capsys)
    assert_contained(outcome)
    assert any(n.startswith("IAC0004 .iaclint.yaml:") and "outside the repository" in n
               for n in outcome.notes()), outcome.notes()
    assert "IAC0101" in outcome.rules_on("from_var", "unknown")  # var.tokens has no value


@pytest.mark.parametrize(("row", "file", "says"), [
    ("18", ".iaclint.yaml", "more than 100000 nodes"),
    ("23", "pyproject.toml", "[tool.iaclint] must be a table, not a string"),
])
def test_a_hostile_configuration_is_exit_2_at_once_naming_the_file(
        row: str, file: str, says: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    outcome = run_case(row, tmp_path, monkeypatch, capsys)
    assert_contained(outcome, exit_codes=(2,))
    assert file in outcome.stderr
    assert says in outcome.stderr


@pytest.mark.parametrize(("text", "says"), [
    ("[tool]\niaclint = 3\n", "not a number"),
    ("[tool]\niaclint = [1]\n", "not an array"),
    ("[tool]\niaclint = 2023-01-01\n", "not a date"),
    ("[tool.iaclint\n", "invalid TOML"),
])
def test_pyproject_iaclint_must_be_a_table(tmp_path: pathlib.Path, text: str, says: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert says in str(info.value)
    assert info.value.file.endswith("pyproject.toml")


def test_a_pyproject_that_only_mentions_iaclint_elsewhere_is_not_a_config(
        tmp_path: pathlib.Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "iaclint-plugin"\n')
    assert find_config(tmp_path) is None


def test_a_config_that_is_a_fifo_or_too_large_is_refused(tmp_path: pathlib.Path) -> None:
    os.mkfifo(tmp_path / ".iaclint.yaml")
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config(tmp_path)
    (tmp_path / ".iaclint.yaml").unlink()
    (tmp_path / ".iaclint.yaml").write_text("# " + "x" * (2 * 1024 * 1024))
    with pytest.raises(ConfigError, match="larger than"):
        load_config(tmp_path)


def test_budgets_are_configurable(tmp_path: pathlib.Path) -> None:
    (tmp_path / ".iaclint.yaml").write_text(
        "budgets: {instances: 10, string-length: 4096, seconds: 2.5, file-bytes: 100}\n")
    options = apply_config(load_config(tmp_path), ScanOptions(), set())
    assert options.budgets.instances == 10
    assert options.budgets.string_length == 4096
    assert options.budgets.seconds == 2.5
    assert options.budgets.file_bytes == 100
    assert options.budgets.collection_length == ScanOptions().budgets.collection_length
    (tmp_path / ".iaclint.yaml").write_text("budgets: {instances: 0}\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert info.value.where == "$.budgets.instances"


def test_rule_directories_outside_the_repository_are_refused(tmp_path: pathlib.Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".iaclint.yaml").write_text("rules: [../elsewhere]\n")
    with pytest.raises(ConfigError) as info:
        apply_config(load_config(repo), ScanOptions(), set())
    assert info.value.where == "$.rules"
    assert "outside the repository" in info.value.message
    # named on the command line, the same file is the user's choice
    options = apply_config(load_config(repo, str(repo / ".iaclint.yaml")), ScanOptions(), set())
    assert options.rule_dirs == (str(repo / "../elsewhere"),)
    assert options.config_file == ""


def test_files_the_repository_config_names_are_recorded_for_the_front_ends(
        tmp_path: pathlib.Path) -> None:
    (tmp_path / ".iaclint.yaml").write_text(
        "var-files: [prod.tfvars]\ncfn-parameter-files: [/abs/params.json]\n")
    options = apply_config(load_config(tmp_path), ScanOptions(var_files=("cli.tfvars",)), set())
    assert options.config_file == str(tmp_path.resolve() / ".iaclint.yaml")
    assert options.config_paths == (str(tmp_path / "prod.tfvars"), "/abs/params.json")
    assert options.var_files == (str(tmp_path / "prod.tfvars"), "cli.tfvars")


def test_a_cfn_parameter_file_outside_the_repository_is_a_note(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from linter.cli import main

    repo = tmp_path / "repo"
    repo.mkdir()
    outside = tmp_path / "params.json"
    outside.write_text('[{"ParameterKey": "Tokens", "ParameterValue": "OUTSIDE_VALUE"}]')
    (repo / ".iaclint.yaml").write_text(f"cfn-parameter-files: [{json.dumps(str(outside))}]\n")
    (repo / "stack.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  Tokens: {Type: String}\n'
        "Resources:\n  Box:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n"
        "      LaunchTemplateData:\n        MetadataOptions:\n          HttpTokens: !Ref Tokens\n")
    monkeypatch.chdir(repo)
    monkeypatch.setenv("IACLINT_NO_CACHE", "1")
    main(["check", ".", "-f", "json", "--show-unknown"])
    out = capsys.readouterr().out
    assert "OUTSIDE_VALUE" not in out
    notes = [e for e in json.loads(out)["errors"] if e["rule"] == "IAC0004"]
    assert [(n["file"], "outside the repository" in n["message"]) for n in notes] == [
        (".iaclint.yaml", True)]
