"""An instance whose user data keeps IMDS to one OS user is still reported, as a warning."""

from __future__ import annotations

from linter.model import Severity
from linter.options import ScanOptions
from linter.pipeline import scan
from tests.paths import FIXTURES

FIXTURE = (FIXTURES / "aws" / "identity"
           / "imdsv1-with-admin-role" / "main.tf")


def test_mitigated_instance_drops_to_warning_others_stay_errors() -> None:
    result = scan([str(FIXTURE)], ScanOptions(select=("IAC0501",)), root=FIXTURE.parent)
    severities = {f.address: f.severity for f in result.findings if f.rule_id == "IAC0501"}
    assert severities["aws_instance.mitigated"] is Severity.WARNING
    assert severities["aws_instance.toxic"] is Severity.ERROR


def test_a_severity_override_wins_over_the_mitigation() -> None:
    options = ScanOptions(select=("IAC0501",), severity_overrides={"IAC0501": Severity.NOTE})
    result = scan([str(FIXTURE)], options, root=FIXTURE.parent)
    assert {f.severity for f in result.findings if f.rule_id == "IAC0501"} == {Severity.NOTE}
