"""Property tests: the Terraform front end never raises on any input (bounded examples; the
long run is ``fuzz/run.py``)."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests import fuzz_targets
from tests.strategies import hcl_expressions, hcl_files

CI = settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@CI
@given(hcl_files())
def test_any_tf_file_is_evaluated_into_findings_never_an_exception(text: str) -> None:
    fuzz_targets.hcl_module(text)


@CI
@given(st.binary(max_size=300) | hcl_files().map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_the_parser_takes_any_bytes(data: bytes) -> None:
    fuzz_targets.hcl_bytes(data)


@settings(CI, max_examples=150)
@given(hcl_expressions())
@example('-true ? {} : [for name in var.v : "{${}\\n.:b"]')  # found by fuzz/run.py
def test_any_expression_evaluates_to_a_value_or_unknown(expr: str) -> None:
    fuzz_targets.hcl_expression(expr)
