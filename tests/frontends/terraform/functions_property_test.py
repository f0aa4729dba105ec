"""Property test: every built-in function returns a value or raises only what ``call``
documents (EvalError, UnknownResult, BudgetExceeded), whatever its arguments."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import fuzz_targets
from tests.strategies import FUNCTION_NAMES, json_values

CI = settings(max_examples=300, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])


@CI
@given(FUNCTION_NAMES.filter(lambda n: n not in ("try", "can", "timestamp", "nope")),
       st.lists(json_values(), max_size=4))
def test_functions_never_raise_anything_else(name: str, args: list[Any]) -> None:
    fuzz_targets.tf_function(name, args)
