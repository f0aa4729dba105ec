from __future__ import annotations

import copy
import json
import os
import pathlib
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml

from linter.checks.table import PREDICATES
from linter.engine import loader
from linter.engine.loader import bundled_rules_dir, json_path, load_rule_file, load_rules
from linter.errors import ConfigError
from linter.model import Format, Outcome, Severity
from tests.hostile_cases import assert_contained, run_case
from tests.paths import RULES

VALID: dict[str, Any] = {
    "id": "IAC0900",
    "name": "test-rule",
    "category": "imds-tokens",
    "severity": "warning",
    "security-severity": "5.0",
    "title": "A test rule",
    "message": "{address}: {path} is {value}",
    "docs": {"what": "w", "why": "y", "fix": "f"},
    "remediation": {"cli": "aws ec2 something"},
    "match": {
        "terraform": {
            "types": ["aws_instance"],
            "at": "metadata_options.http_tokens",
            "where": {"all": [
                {"not": {"path": "metadata_options.http_endpoint", "equals": "disabled"}},
                {"not": {"path": "metadata_options.http_tokens", "equals": "required"}},
            ]},
        }
    },
}


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IACLINT_CACHE_DIR", str(tmp_path / "cache"))


def write(directory: pathlib.Path, data: Any, name: str = "rule.yaml") -> pathlib.Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(yaml.safe_dump(data, sort_keys=False) if not isinstance(data, str) else data)
    return path


def config_error(tmp_path: pathlib.Path, change: Callable[[dict[str, Any]], Any]) -> ConfigError:
    data = copy.deepcopy(VALID)
    change(data)
    write(tmp_path / "rules", data)
    with pytest.raises(ConfigError) as info:
        load_rules([tmp_path / "rules"])
    return info.value


def where(data: dict[str, Any]) -> dict[str, Any]:
    condition: dict[str, Any] = data["match"]["terraform"]["where"]
    return condition


# ---------------------------------------------------------------- valid rules


def test_bundled_rules_load() -> None:
    rules = load_rules([bundled_rules_dir()])
    by_id = {r.id: r for r in rules}
    assert {"IAC0101", "IAC0102"} <= set(by_id)
    imds = by_id["IAC0101"]
    assert imds.name == "imds-v1-allowed"
    assert imds.severity is Severity.ERROR
    assert imds.security_severity == "8.1"
    assert set(imds.match) == {Format.TERRAFORM, Format.CLOUDFORMATION}
    assert "aws_launch_configuration" in imds.match[Format.TERRAFORM].types
    assert imds.match[Format.CLOUDFORMATION].at_paths[1] == (
        "Properties.LaunchTemplateData.MetadataOptions.HttpTokens")
    assert "modify-instance-metadata-options" in imds.remediation.cli
    assert imds.docs.references
    assert pathlib.Path(imds.source).name == "imds-v1-allowed.yaml"


def test_bundled_rules_dir_is_the_repository_rules_in_a_checkout() -> None:
    assert bundled_rules_dir() == RULES


def test_valid_rule_builds(tmp_path: pathlib.Path) -> None:
    data = copy.deepcopy(VALID)
    data["security-severity"] = 7
    data["tags"] = ["a"]
    data["aliases"] = ["old-name", "IAC0899"]
    data["id"] = "ACME0001"  # users' own rules use their own prefix
    write(tmp_path, data)
    (rule,) = load_rules([tmp_path])
    assert rule.id == "ACME0001"
    assert rule.security_severity == "7.0"
    assert rule.match[Format.TERRAFORM].at == "metadata_options.http_tokens"
    assert rule.match[Format.TERRAFORM].at_paths == ("metadata_options.http_tokens",)
    assert rule.aliases == ("old-name", "IAC0899")
    assert rule.suppressible is True


def test_walks_directories_for_yaml_and_yml_and_skips_hidden(tmp_path: pathlib.Path) -> None:
    second = copy.deepcopy(VALID) | {"id": "IAC0901", "name": "second"}
    write(tmp_path / "a" / "b", VALID, "one.yml")
    write(tmp_path / "c", second, "two.yaml")
    write(tmp_path / ".hidden", VALID, "copy.yaml")
    (tmp_path / "c" / "notes.txt").write_text("not a rule")
    assert [r.id for r in load_rules([tmp_path])] == ["IAC0900", "IAC0901"]


def test_missing_directory_is_a_config_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_rules([tmp_path / "nope"])


# ---------------------------------------------------------------- schema errors


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda d: d.pop("title"), "$", "'title' is a required property"),
        (lambda d: d.update(id="iac-101"), "$.id", "not a valid id"),
        (lambda d: d.update(name="Imds_V1"), "$.name", "not a valid name"),
        (lambda d: d.update(severity="high"), "$.severity", "not one of: error, warning, note"),
        (lambda d: d.update(category="misc"), "$.category", "'misc' is not one of"),
        (lambda d: d.update({"security-severity": "11"}), "$.security-severity",
         "not a valid security-severity"),
        (lambda d: d.update(colour="red"), "$", "unknown key 'colour'"),
        (lambda d: d["docs"].pop("why"), "$.docs", "'why' is a required property"),
        (lambda d: d["docs"].update(references=["docs.aws"]), "$.docs.references[0]",
         "not a valid references item"),
        (lambda d: d.update(remediation={}), "$.remediation", ""),
        (lambda d: d["match"].update(ansible={}), "$.match", "unknown key 'ansible'"),
        (lambda d: d["match"]["terraform"].update(types=[]), "$.match.terraform.types", ""),
        (lambda d: d["match"]["terraform"].update(at="a..b"), "$.match.terraform.at", ""),
        (lambda d: where(d)["all"].append({"path": "x", "equal": 1}),
         "$.match.terraform.where.all[2]", "unknown operator 'equal'"),
        (lambda d: where(d)["all"].append({"path": "x"}),
         "$.match.terraform.where.all[2]", "without an operator"),
        (lambda d: where(d)["all"].append({"path": "x", "equals": 1, "gt": 0}),
         "$.match.terraform.where.all[2]", "exactly one operator"),
        (lambda d: where(d)["all"].append({"path": "x", "gt": "1"}),
         "$.match.terraform.where.all[2].gt", ""),
        (lambda d: where(d)["all"].append({"path": "x", "in": []}),
         "$.match.terraform.where.all[2].in", ""),
        (lambda d: where(d)["all"].append({"pth": "x", "equals": 1}),
         "$.match.terraform.where.all[2]", "not a condition"),
        (lambda d: where(d)["all"].append({"all": []}),
         "$.match.terraform.where.all[2].all", ""),
        (lambda d: where(d)["all"][0].update(any=[{"type": "aws_instance"}]),
         "$.match.terraform.where.all[0]", "'any' condition may not also have 'not'"),
        (lambda d: where(d)["all"].append({"path": "x", "equals": {"param": "Max"}}),
         "$.match.terraform.where.all[2].equals.param", "not a valid param"),
    ],
)
def test_schema_errors_name_the_json_path(
    tmp_path: pathlib.Path, change: Callable[[dict[str, Any]], Any], path: str, words: str
) -> None:
    error = config_error(tmp_path, change)
    assert error.where == path, str(error)
    assert words in error.message
    assert error.file.endswith("rule.yaml")
    assert path in str(error)


def test_yaml_syntax_error(tmp_path: pathlib.Path) -> None:
    write(tmp_path, "id: [unclosed\n")
    with pytest.raises(ConfigError, match=r"not valid YAML.*line 2") as info:
        load_rules([tmp_path])
    assert info.value.where == "$"


def test_not_a_mapping(tmp_path: pathlib.Path) -> None:
    write(tmp_path, "- a\n- b\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_rules([tmp_path])


# ---------------------------------------------------------------- semantic errors


def test_invalid_regex(tmp_path: pathlib.Path) -> None:
    error = config_error(tmp_path, lambda d: where(d)["all"].append(
        {"path": "name", "matches": "prod-(["}))
    assert error.where == "$.match.terraform.where.all[2].matches"
    assert "invalid regular expression" in error.message


def test_unknown_parameter(tmp_path: pathlib.Path) -> None:
    error = config_error(tmp_path, lambda d: where(d)["all"].append(
        {"path": "x", "gt": {"param": "max_hops"}}))
    assert error.where == "$.match.terraform.where.all[2].gt.param"
    assert "unknown parameter 'max_hops'" in error.message


def test_numeric_operator_needs_a_numeric_parameter(tmp_path: pathlib.Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["parameters"] = {"prefix": {"description": "p", "type": "string", "default": "prod"}}
        where(d)["all"].append({"path": "x", "gt": {"param": "prefix"}})

    error = config_error(tmp_path, change)
    assert "not a number" in error.message


def test_parameters_may_be_referenced_and_named_in_the_message(tmp_path: pathlib.Path) -> None:
    data = copy.deepcopy(VALID)
    data["parameters"] = {"limit": {"description": "d", "type": "integer", "default": 3}}
    data["message"] = "{address} is over {limit}"
    where(data)["all"].append({"path": "x", "gt": {"param": "limit"}})
    write(tmp_path, data)
    assert load_rules([tmp_path])[0].parameters == {
        "limit": {"description": "d", "type": "integer", "default": 3}}


def test_a_default_must_fit_its_schema(tmp_path: pathlib.Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["parameters"] = {"limit": {"description": "d", "type": "integer", "default": "x"}}

    error = config_error(tmp_path, change)
    assert error.where == "$.parameters.limit.default"
    assert "does not fit" in error.message


def test_predicate_arguments_are_checked_with_the_defaults_in_place(
        tmp_path: pathlib.Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["parameters"] = {"limit": {"description": "d", "type": "integer", "default": 0}}
        d["match"]["terraform"]["where"] = {"predicate": "imds-effective", "with": {
            "check": "hop-limit-too-high", "max_hop_limit": {"param": "limit"}}}

    error = config_error(tmp_path, change)  # 0 is below the predicate's minimum of 1
    assert error.where == "$.match.terraform.where.with.max_hop_limit"


def test_type_condition_outside_the_block_types(tmp_path: pathlib.Path) -> None:
    error = config_error(tmp_path, lambda d: where(d)["all"].append({"type": "aws_instanc"}))
    assert error.where == "$.match.terraform.where.all[2].type"


def test_type_of_the_wrong_format(tmp_path: pathlib.Path) -> None:
    error = config_error(tmp_path, lambda d: d["match"]["terraform"]["types"].append(
        "AWS::EC2::Instance"))
    assert error.where == "$.match.terraform.types[1]"
    assert "not a terraform resource type" in error.message


def test_reserved_id(tmp_path: pathlib.Path) -> None:
    error = config_error(tmp_path, lambda d: d.update(id="IAC0002"))
    assert error.where == "$.id"
    assert "reserved" in error.message


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("{adress} is bad", "unknown placeholder {adress}"),
        ("{address.name}", "not a plain name"),
        ("{0} is bad", "not a plain name"),
        ("{} is bad", "empty placeholder"),
        ("{value!r}", "format spec or conversion"),
        ("{value:>10}", "format spec or conversion"),
        ("{address", "bad message template"),
    ],
)
def test_bad_message_placeholders(tmp_path: pathlib.Path, message: str, words: str) -> None:
    error = config_error(tmp_path, lambda d: d.update(message=message))
    assert error.where == "$.message"
    assert words in error.message


def test_duplicate_ids_names_and_aliases(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "a", VALID)
    write(tmp_path / "b", copy.deepcopy(VALID) | {"name": "other"})
    with pytest.raises(ConfigError, match="'IAC0900' is already used") as info:
        load_rules([tmp_path / "a", tmp_path / "b"])
    assert info.value.where == "$.id"
    assert info.value.file.endswith("b/rule.yaml")

    write(tmp_path / "c", copy.deepcopy(VALID) | {"id": "IAC0901"})
    with pytest.raises(ConfigError, match="'test-rule' is already used") as info:
        load_rules([tmp_path / "a", tmp_path / "c"])
    assert info.value.where == "$.name"

    write(tmp_path / "d", copy.deepcopy(VALID) | {"id": "IAC0902", "name": "third",
                                                   "aliases": ["test-rule"]})
    with pytest.raises(ConfigError) as info:
        load_rules([tmp_path / "a", tmp_path / "d"])
    assert info.value.where == "$.aliases[0]"


# ---------------------------------------------------------------- predicates


@pytest.fixture
def fake_predicate() -> Iterator[str]:
    def holds(ctx: Any, args: Any) -> Outcome:
        return Outcome.true(details={"role": "aws_iam_role.admin"})

    schema = {"type": "object", "additionalProperties": False,
              "properties": {"level": {"enum": ["admin", "escalate"]}},
              "x-details": ["role"]}
    PREDICATES["test-fake"] = (holds, schema)
    loader._predicate_validator.cache_clear()
    loader._schemas_digest.cache_clear()
    yield "test-fake"
    del PREDICATES["test-fake"]
    loader._predicate_validator.cache_clear()
    loader._schemas_digest.cache_clear()


def test_unknown_predicate(tmp_path: pathlib.Path) -> None:
    error = config_error(tmp_path, lambda d: where(d)["all"].append({"predicate": "no-such"}))
    assert error.where == "$.match.terraform.where.all[2].predicate"
    assert "unknown predicate 'no-such'" in error.message


def test_predicate_arguments_are_validated(tmp_path: pathlib.Path, fake_predicate: str) -> None:
    error = config_error(tmp_path, lambda d: where(d)["all"].append(
        {"predicate": fake_predicate, "with": {"level": "root"}}))
    assert error.where == "$.match.terraform.where.all[2].with.level"
    assert "predicate test-fake" in error.message


def test_predicate_details_are_placeholders(tmp_path: pathlib.Path, fake_predicate: str) -> None:
    data = copy.deepcopy(VALID)
    where(data)["all"].append({"predicate": fake_predicate, "with": {"level": "admin"}})
    data["message"] = "{address} reaches {role}"
    write(tmp_path, data)
    assert load_rules([tmp_path])[0].message == "{address} reaches {role}"
    data["message"] = "{address} reaches {rol}"
    write(tmp_path, data)
    with pytest.raises(ConfigError, match=r"unknown placeholder \{rol\}"):
        load_rules([tmp_path])


# ---------------------------------------------------------------- json paths, caching


def test_json_path() -> None:
    assert json_path(["match", "terraform", "where", "all", 1]) == "$.match.terraform.where.all[1]"
    assert json_path(["security-severity", 0]) == "$.security-severity[0]"
    assert json_path(["a b"]) == '$["a b"]'


def test_validation_stamp_skips_the_schema_only_for_unchanged_text(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "rules", VALID)
    load_rules([tmp_path / "rules"])  # validates and leaves a stamp

    calls: list[Any] = []
    original = loader._first_schema_error

    def spy(*args: Any) -> Any:
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(loader, "_first_schema_error", spy)
    load_rules([tmp_path / "rules"])
    assert calls == []

    broken = copy.deepcopy(VALID) | {"severity": "loud"}
    write(tmp_path / "rules", broken)
    with pytest.raises(ConfigError, match=r"severity|loud"):
        load_rules([tmp_path / "rules"])


def test_no_cache_env_disables_stamps(tmp_path: pathlib.Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IACLINT_NO_CACHE", "1")
    write(tmp_path / "rules", VALID)
    load_rules([tmp_path / "rules"])
    assert not (tmp_path / "cache").exists()


def test_warm_load_does_not_import_jsonschema(tmp_path: pathlib.Path) -> None:
    code = ("import sys; from linter.engine.loader import load_rules, bundled_rules_dir; "
            "load_rules([bundled_rules_dir()]); print('jsonschema' in sys.modules)")
    env = {"IACLINT_CACHE_DIR": str(tmp_path / "cache"), "PATH": ""}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, check=True).stdout.strip() for _ in range(2)]
    assert runs == ["True", "False"]


# ---------------------------------------------------------------- cache integrity (issue 15)


@pytest.mark.parametrize("row", ["22a", "22b"])
def test_a_tampered_rule_cache_is_rebuilt_never_trusted(
        row: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    outcome = run_case(row, tmp_path, monkeypatch, capsys)
    assert_contained(outcome)  # IAC0101 still an error, no marker from the edited entry


def _stamps(tmp_path: pathlib.Path) -> list[pathlib.Path]:
    return sorted(p for p in (tmp_path / "cache").rglob("*") if p.is_file())


@pytest.mark.parametrize("tamper", [
    lambda entry: "{}",
    lambda entry: "[1, 2]",
    lambda entry: "not json",
    lambda entry: json.dumps({**entry, "iaclint": "0.0.0"}),
    lambda entry: json.dumps({**entry, "source": "0" * 64}),
    lambda entry: json.dumps({**entry, "data": {**entry["data"], "severity": "note"}}),
    lambda entry: json.dumps({**entry, "data": {}}),
    lambda entry: json.dumps({**entry, "check": ["not", "a", "string"]}),
    lambda entry: json.dumps({k: v for k, v in entry.items() if k != "check"}),
])
def test_a_stamp_that_does_not_check_out_is_ignored(
        tmp_path: pathlib.Path, tamper: Callable[[dict[str, Any]], str]) -> None:
    write(tmp_path / "rules", VALID)
    load_rules([tmp_path / "rules"])
    (stamp,) = _stamps(tmp_path)
    stamp.write_text(tamper(json.loads(stamp.read_text())))
    (rule,) = load_rules([tmp_path / "rules"])
    assert rule.severity.value == VALID["severity"]
    assert json.loads(stamp.read_text())["data"]["severity"] == VALID["severity"]  # rebuilt


def test_a_stamp_whose_data_cannot_build_a_rule_is_ignored(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "rules", VALID)
    load_rules([tmp_path / "rules"])
    (stamp,) = _stamps(tmp_path)
    entry = json.loads(stamp.read_text())
    entry["data"] = {"id": "IAC9999"}  # consistent checksum, wrong shape
    entry["check"] = loader._checksum(entry["source"], entry["data"])
    stamp.write_text(json.dumps(entry))
    (rule,) = load_rules([tmp_path / "rules"])
    assert rule.id == VALID["id"]


@pytest.mark.parametrize("kind", ["fifo", "symlink", "directory"])
def test_non_regular_cache_entries_are_ignored(tmp_path: pathlib.Path, kind: str) -> None:
    write(tmp_path / "rules", VALID)
    load_rules([tmp_path / "rules"])
    (stamp,) = _stamps(tmp_path)
    good = stamp.read_text()
    stamp.unlink()
    if kind == "fifo":
        os.mkfifo(stamp)
    elif kind == "symlink":
        (tmp_path / "elsewhere").write_text(good)
        stamp.symlink_to(tmp_path / "elsewhere")
    else:
        stamp.mkdir()
    (rule,) = load_rules([tmp_path / "rules"])  # neither blocks nor trusts it
    assert rule.id == VALID["id"]


def test_a_planted_temporary_file_is_not_written_through(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "rules", VALID)
    text = (tmp_path / "rules" / "rule.yaml").read_text()
    directory = loader.cache_dir()
    assert directory is not None
    directory.mkdir(parents=True)
    os.mkfifo(directory / f".{loader._stamp(text)}.{os.getpid()}")
    (rule,) = load_rules([tmp_path / "rules"])  # would block writing into a FIFO
    assert rule.id == VALID["id"]
    assert not (directory / loader._stamp(text)).exists()


def test_a_rule_file_that_is_not_regular_is_a_config_error(tmp_path: pathlib.Path) -> None:
    (tmp_path / "rules").mkdir()
    os.mkfifo(tmp_path / "rules" / "rule.yaml")
    with pytest.raises(ConfigError, match="not a regular file"):
        load_rule_file(tmp_path / "rules" / "rule.yaml")


# ---------------------------------------------------------------- autofix

AUTOFIX = {"terraform": [{"types": ["aws_instance"], "in": "metadata_options",
                          "set": {"http_tokens": "required"}}]}


def test_an_autofix_builds(tmp_path: pathlib.Path) -> None:
    data = copy.deepcopy(VALID)
    data["autofix"] = copy.deepcopy(AUTOFIX)
    write(tmp_path / "rules", data)
    (rule,) = load_rules([tmp_path / "rules"])
    spec = rule.autofix_for(Format.TERRAFORM, "aws_instance")
    assert spec is not None
    assert (spec.container, dict(spec.settings)) == (("metadata_options",),
                                                     {"http_tokens": "required"})
    assert rule.autofix_for(Format.TERRAFORM, "aws_launch_template") is None


@pytest.mark.parametrize(("change", "at", "message"), [
    (lambda a: a["terraform"][0]["types"].append("aws_launch_template"),
     "$.autofix.terraform[0].types[1]", "not among the match block's types"),
    (lambda a: a.update(cloudformation=a["terraform"]),
     "$.autofix.cloudformation", "no cloudformation match block"),
    (lambda a: a["terraform"][0]["set"].update(http_put_response_hop_limit={"param": "hops"}),
     "$.autofix.terraform[0].set.http_put_response_hop_limit.param", "unknown parameter 'hops'"),
    (lambda a: a["terraform"][0]["set"].update(http_put_response_hop_limit={"detail": "limit"}),
     "$.autofix.terraform[0].set.http_put_response_hop_limit.detail", "unknown detail 'limit'"),
    (lambda a: a["terraform"].append(copy.deepcopy(a["terraform"][0])),
     "$.autofix.terraform[1].types[0]", "two autofix entries"),
    (lambda a: a["terraform"][0].update({"in": "metadata options"}),
     "$.autofix.terraform[0].in", "is not a valid in"),
])
def test_a_broken_autofix_is_a_config_error(
        tmp_path: pathlib.Path, change: Callable[[dict[str, Any]], Any], at: str,
        message: str) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["autofix"] = copy.deepcopy(AUTOFIX)
        change(data["autofix"])

    error = config_error(tmp_path, edit)
    assert error.where == at
    assert message in error.message
