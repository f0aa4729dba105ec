"""The configuration example in README.md is a valid configuration file."""

from __future__ import annotations

import pathlib
import re

from linter.config.load import LoadedConfig, apply_config, read_config
from linter.model import Severity
from linter.options import ScanOptions
from tests.paths import REPO

README = REPO / "README.md"


def test_readme_configuration_example_is_valid(tmp_path: pathlib.Path) -> None:
    text = README.read_text(encoding="utf-8")
    example = next(block for block in re.findall(r"```yaml\n(.*?)```", text, re.S)
                   if block.startswith("fail-on:"))
    path = tmp_path / ".iaclint.yaml"
    path.write_text(example)
    options = apply_config(LoadedConfig(path, read_config(path)), ScanOptions(), set())
    assert options.fail_on is Severity.WARNING
    assert options.require_reason
    assert options.baseline == str(tmp_path / ".iaclint-baseline.json")
    assert options.rule_dirs == (str(tmp_path / "policies/iaclint-rules"),)
