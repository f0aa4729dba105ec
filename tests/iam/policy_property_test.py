"""Property test: the IAM policy reader, and every analysis over what it read, take any JSON
document without raising."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import fuzz_targets
from tests.strategies import IAM_KEYS, IAM_STRINGS, json_values, policy_documents

CI = settings(max_examples=200, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])


@CI
@given(policy_documents() | st.fixed_dictionaries({
    "Statement": st.lists(st.dictionaries(IAM_KEYS, json_values(IAM_STRINGS, IAM_KEYS),
                                          max_size=6), max_size=4)}))
def test_any_policy_document_is_read_never_an_exception(document: Any) -> None:
    fuzz_targets.iam_policy(document)
