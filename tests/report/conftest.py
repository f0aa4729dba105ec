from __future__ import annotations

import pathlib

import pytest

from linter.result import ScanResult
from tests.report.sample_result import build_result


@pytest.fixture
def result(tmp_path: pathlib.Path) -> ScanResult:
    root = tmp_path / "repo"
    root.mkdir()
    return build_result(root)
