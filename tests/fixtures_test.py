"""Every annotated fixture directory under fixtures/, checked both ways (see fixture_harness)."""

from __future__ import annotations

import pathlib

import pytest

from linter.testing.fixture_harness import check_case, find_cases
from tests.paths import FIXTURES

CASES = find_cases(FIXTURES) if FIXTURES.is_dir() else []


@pytest.mark.parametrize(
    "case", CASES, ids=[c.relative_to(FIXTURES).as_posix() for c in CASES])
def test_fixture(case: pathlib.Path) -> None:
    report = check_case(case)
    if not report.ok:
        pytest.fail(report.render(), pytrace=False)


def test_every_bundled_rule_has_fixtures() -> None:
    from linter.engine.loader import bundled_rules_dir

    rules_dir = bundled_rules_dir()
    for rule_file in sorted(rules_dir.rglob("*.yaml")):
        directory = FIXTURES / rule_file.relative_to(rules_dir).with_suffix("")
        assert directory.is_dir(), f"{rule_file.name}: no fixture directory {directory}"
