"""Golden-file comparison shared by the report tests.

Set ``IACLINT_UPDATE_GOLDEN=1`` to rewrite the files under ``tests/report/golden/`` from the
current output (then review the diff).
"""

from __future__ import annotations

import difflib
import os
import pathlib

GOLDEN = pathlib.Path(__file__).with_name("golden")
UPDATE_ENV = "IACLINT_UPDATE_GOLDEN"


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get(UPDATE_ENV):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"missing golden file {path}: run with {UPDATE_ENV}=1"
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            f"golden/{name}", "actual"))
        raise AssertionError(f"{name} differs from its golden file "
                             f"(set {UPDATE_ENV}=1 to update):\n{diff}")
