"""The fixture harness lives in the package (``linter.testing.fixture_harness``) so that
``iaclint test-rules DIR`` can run it on users' rules; this module re-exports it for the tests."""

from __future__ import annotations

from linter.testing.fixture_harness import (
    BASE_DIR,
    KINDS,
    MODULES_DIR,
    OPTIONS_FILE,
    SCANNABLE_SUFFIXES,
    SIDECAR_SUFFIX,
    Actual,
    CaseReport,
    Expectation,
    FixtureError,
    Mismatch,
    ScanFn,
    case_files,
    case_options,
    check_case,
    comment_expectations,
    compare,
    find_cases,
    pipeline_scan,
    read_expectations,
    read_sidecar,
    render_mismatches,
    sub_cases,
)

__all__ = [
    "BASE_DIR", "KINDS", "MODULES_DIR", "OPTIONS_FILE", "SCANNABLE_SUFFIXES", "SIDECAR_SUFFIX",
    "Actual", "CaseReport", "Expectation", "FixtureError", "Mismatch", "ScanFn", "case_files",
    "case_options", "check_case", "comment_expectations", "compare", "find_cases",
    "pipeline_scan", "read_expectations", "read_sidecar", "render_mismatches", "sub_cases",
]
