"""action.yml as data: valid against SchemaStore's action schema, every shell step runnable by
bash 3.2 (macOS runners), the SARIF upload under a per-path category, pip's cache kept.
(tests/action_test.py runs the steps.)"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
import yaml

from tests.paths import REPO

ACTION: dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
SCHEMA = json.loads((REPO / "tests" / "github-action.schema.json").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
# the shell of each step, comment lines left out
SCRIPTS = ["\n".join(line for line in step["run"].splitlines()
                     if not line.lstrip().startswith("#"))
           for step in STEPS if "run" in step]

# what bash 3.2 lacks (bash 4+): builtins, expansions, redirections, associative arrays
BASH4 = {
    "mapfile": r"\bmapfile\b",
    "readarray": r"\breadarray\b",
    "associative array": r"\bdeclare\s+-[a-zA-Z]*A",
    "case conversion": r"\$\{[^}]*(,,|\^\^)[^}]*\}",
    "&>> redirection": r"&>>",
    "|& pipe": r"\|&",
    "coproc": r"\bcoproc\b",
    "negative index": r"\$\{\w+\[-\d+\]\}",
}


def test_action_metadata_is_valid_for_github() -> None:
    validator_class = jsonschema.validators.validator_for(SCHEMA)
    validator_class.check_schema(SCHEMA)
    validator = validator_class(SCHEMA, format_checker=validator_class.FORMAT_CHECKER)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(ACTION)]
    assert errors == []


def test_the_schema_catches_a_broken_action() -> None:
    broken = json.loads(json.dumps(ACTION))
    del broken["runs"]["steps"][1]["shell"]  # a composite run step needs its shell
    broken["inputs"]["paths"]["requierd"] = False
    validator = jsonschema.Draft7Validator(SCHEMA)
    assert len(list(validator.iter_errors(broken))) == 2


@pytest.mark.parametrize("construct", sorted(BASH4))
def test_shell_steps_run_on_bash_3_2(construct: str) -> None:
    for script in SCRIPTS:
        assert not re.search(BASH4[construct], script), construct


def test_array_expansions_survive_set_u_on_bash_3_2() -> None:
    """``"${a[@]}"`` of an empty array is an unbound variable under ``set -u`` before bash 4.4;
    arrays that may be empty are expanded as ``${a[@]+"${a[@]}"}``."""
    for script in SCRIPTS:
        for name in ("paths", "args"):
            bare = re.findall(rf'(?<![+{{])"\$\{{{name}\[@\]\}}"', script)
            assert not bare, f"{name} expanded bare"


def test_upload_category_comes_from_the_check_step() -> None:
    upload = next(s for s in STEPS if str(s.get("uses", "")).startswith(
        "github/codeql-action/upload-sarif"))
    assert upload["with"]["category"] == "${{ steps.check.outputs.category }}"
    assert ACTION["inputs"]["category"]["default"] == ""
    assert ACTION["outputs"]["category"]["value"] == "${{ steps.check.outputs.category }}"


def test_pip_downloads_are_cached() -> None:
    cache = next(s for s in STEPS if str(s.get("uses", "")).startswith("actions/cache@"))
    assert cache["with"]["path"] == "${{ steps.pip-cache.outputs.dir }}"
    assert "steps.pip-cache.outputs.key" in cache["with"]["key"]
    assert "steps.python.outputs.python-version" in cache["with"]["key"]
    install = next(i for i, s in enumerate(STEPS) if s.get("id") == "install")
    assert STEPS.index(cache) < install
