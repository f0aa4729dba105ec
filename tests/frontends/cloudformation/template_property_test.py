"""Property tests: the CloudFormation front end (decoding, conditions, intrinsic functions,
Fn::ForEach, SAM) never raises on any template (bounded examples; see ``fuzz/run.py``)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings

from tests import fuzz_targets
from tests.strategies import cfn_templates, cfn_texts

CI = settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@CI
@given(cfn_templates())
@example({"Resources": {"Box": {"Type": "AWS::EC2::Instance", "Properties": {  # fuzz/run.py
    "MetadataOptions": {"Fn::ToJsonString": {"Ref": "AWS::NoValue"}}}}}})
def test_any_template_is_evaluated_never_an_exception(template: dict[str, Any]) -> None:
    fuzz_targets.cfn_template(json.dumps(template).encode(), json_name=True)


@CI
@given(cfn_texts())
def test_any_template_text_is_decoded_into_findings(data: bytes) -> None:
    fuzz_targets.cfn_template(data)
