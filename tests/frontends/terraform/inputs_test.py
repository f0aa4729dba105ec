"""Input variables: precedence of the sources, type conversion, optional() defaults, origins."""

from __future__ import annotations

import pathlib

import pytest

from linter.errors import ConfigError
from linter.model import Span, Unknown
from linter.options import ScanOptions
from tests.frontends.terraform.tf_helpers import resource, run

MAIN = """
variable "tokens" {
  type    = string
  default = "from-default"
}

resource "test" "t" {
  v = var.tokens
}
"""


def tokens(root: pathlib.Path, files: dict[str, str], **options: object) -> object:
    scan = ScanOptions(**{"use_env_vars": False, **options})  # type: ignore[arg-type]
    result = run(root, {"main.tf": MAIN, **files}, options=scan)
    return resource(result, "test.t").attributes.get("v")


def test_default(tmp_path: pathlib.Path) -> None:
    assert tokens(tmp_path, {}) == "from-default"


def test_tfvars_order(tmp_path: pathlib.Path) -> None:
    files = {"terraform.tfvars": 'tokens = "tfvars"\n'}
    assert tokens(tmp_path, files) == "tfvars"
    files["terraform.tfvars.json"] = '{"tokens": "tfvars-json"}'
    assert tokens(tmp_path, files) == "tfvars-json"
    files["b.auto.tfvars"] = 'tokens = "auto-b"\n'
    files["a.auto.tfvars.json"] = '{"tokens": "auto-a"}'
    assert tokens(tmp_path, files) == "auto-b"  # lexical order: a… then b…


def test_var_files_then_vars_win(tmp_path: pathlib.Path) -> None:
    files = {"terraform.tfvars": 'tokens = "tfvars"\n', "prod.tfvars": 'tokens = "var-file"\n'}
    var_file = str(tmp_path / "prod.tfvars")
    assert tokens(tmp_path, files, var_files=(var_file,)) == "var-file"
    assert tokens(tmp_path, files, var_files=(var_file,), variables={"tokens": "cli"}) == "cli"


def test_environment_is_below_tfvars(tmp_path: pathlib.Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TF_VAR_tokens", "env")
    assert tokens(tmp_path, {}, use_env_vars=True) == "env"
    assert tokens(tmp_path, {}, use_env_vars=False) == "from-default"
    assert tokens(tmp_path, {"terraform.tfvars": 'tokens = "tfvars"\n'},
                  use_env_vars=True) == "tfvars"


def test_missing_var_file_is_a_configuration_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ConfigError):
        tokens(tmp_path, {}, var_files=("nope.tfvars",))


def test_broken_tfvars_is_a_finding_and_the_rest_still_evaluates(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": MAIN, "terraform.tfvars": 'tokens = "x\n'})
    assert [f.rule_id for f in result.findings] == ["IAC0001"]
    assert result.findings[0].span.file == "terraform.tfvars"
    assert resource(result, "test.t").attributes["v"] is not None


def test_complex_cli_values_are_parsed_as_hcl(tmp_path: pathlib.Path) -> None:
    main = """
    variable "cfg" {
      type = object({ tokens = string, hop = optional(number, 1) })
    }
    variable "names" {
      type = list(string)
    }
    resource "test" "t" {
      v = var.cfg
      n = var.names
    }
    """
    options = ScanOptions(use_env_vars=False,
                          variables={"cfg": '{ tokens = "required" }', "names": '["a", 2]'})
    attributes = resource(run(tmp_path, {"main.tf": main}, options=options), "test.t").attributes
    assert attributes["v"] == {"tokens": "required", "hop": 1}
    assert attributes["n"] == ["a", "2"]


@pytest.mark.parametrize(("type_", "given", "expected"), [
    ("number", '"5"', 5),
    ("string", "5", "5"),
    ("string", "true", "true"),
    ("bool", '"false"', False),
    ("set(string)", '["b", "a", "b"]', ["a", "b"]),
    ("map(number)", '{a = "1"}', {"a": 1}),
    ("tuple([string, number])", '[1, "2"]', ["1", 2]),
    ("object({a = string, b = optional(object({c = optional(string, \"x\")}), {})})",
     "{a = 1, extra = true}", {"a": "1", "b": {"c": "x"}}),
    ("list(object({n = optional(number)}))", "[{}]", [{"n": None}]),
    ("any", "[1, \"a\"]", [1, "a"]),
])
def test_type_conversion(tmp_path: pathlib.Path, type_: str, given: str,
                         expected: object) -> None:
    main = f'variable "x" {{\n  type = {type_}\n  default = {given}\n}}\n' \
           'resource "test" "t" {\n  v = var.x\n}\n'
    assert resource(run(tmp_path, {"main.tf": main}), "test.t").attributes["v"] == expected


def test_invalid_value_is_unknown(tmp_path: pathlib.Path) -> None:
    main = 'variable "x" {\n  type = number\n  default = "abc"\n}\n' \
           'resource "test" "t" {\n  v = var.x\n}\n'
    value = resource(run(tmp_path, {"main.tf": main}), "test.t").attributes["v"]
    assert isinstance(value, Unknown)
    assert "invalid value" in value.reason


def test_non_nullable_null_takes_the_default(tmp_path: pathlib.Path) -> None:
    main = 'variable "x" {\n  default = "d"\n  nullable = false\n}\n' \
           'resource "test" "t" {\n  v = var.x\n}\n'
    files = {"main.tf": main, "terraform.tfvars": "x = null\n"}
    assert resource(run(tmp_path, files), "test.t").attributes["v"] == "d"


def test_origins_point_at_the_supplying_line(tmp_path: pathlib.Path) -> None:
    files = {"main.tf": MAIN, "terraform.tfvars": '# comment\ntokens = "tfvars"\n'}
    origins = resource(run(tmp_path, files), "test.t").origins
    assert origins[("v",)] == (Span("terraform.tfvars", 2, 1, 2, 18),)
    origins = resource(run(tmp_path / "d", {"main.tf": MAIN}), "test.t").origins
    assert origins[("v",)][0].file == "main.tf"
    assert origins[("v",)][0].start_line == 4  # the default line


@pytest.mark.parametrize("content", ["", "\n  \n", "# nothing set yet\n"])
def test_an_empty_or_comment_only_tfvars_file_sets_nothing_silently(
        tmp_path: pathlib.Path, content: str) -> None:
    result = run(tmp_path, {"main.tf": MAIN, "terraform.tfvars": content})
    assert resource(result, "test.t").attributes["v"] == "from-default"
    assert result.findings == []


def test_an_empty_tfvars_json_file_is_invalid_as_in_terraform(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"main.tf": MAIN, "terraform.tfvars.json": ""})
    (finding,) = result.findings
    assert finding.rule_id == "IAC0001"
    assert finding.span.file == "terraform.tfvars.json"
    assert finding.message.startswith("invalid JSON")
