"""linter/secrets/predicate.py: the aws-credentials predicate's Outcome, redaction, registration."""

from __future__ import annotations

from linter.checks.context import RuleContext
from linter.checks.credentials import NAME, SCHEMA, aws_credentials
from linter.checks.table import PREDICATES
from linter.engine.loader import load_rules
from linter.graph.graph import build
from linter.model import Format, Outcome, Resource, Span, Tri
from linter.options import ScanOptions
from tests.paths import RULES

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def run(resource: Resource, **args: bool) -> Outcome:
    ctx = RuleContext(resource, build([resource], []), ScanOptions())
    return aws_credentials(ctx, args)


def instance(user_data: str, **extra: object) -> Resource:
    return Resource(
        address="aws_instance.web", type="aws_instance", format=Format.TERRAFORM,
        kind="resource", attributes={"user_data": user_data},
        spans={(): Span("main.tf", 1, 1, 12, 2), ("user_data",): Span("main.tf", 4, 3, 8, 4)},
        file="main.tf", **extra,  # type: ignore[arg-type]
    )


def test_true_with_spans_details_and_redaction() -> None:
    script = (f"#!/bin/bash\nexport AWS_ACCESS_KEY_ID={KEY_ID}\n"
              f"export AWS_SECRET_ACCESS_KEY={SECRET}\n")
    outcome = run(instance(script))
    assert outcome.verdict is Tri.TRUE
    assert [s.start_line for s in outcome.spans] == [6, 7]
    assert outcome.paths == ()
    details = outcome.details
    assert details["where"] == "user data"
    assert details["what"] == ("access key id AKIA… and secret access key wJal… "
                               "(AWS_SECRET_ACCESS_KEY)")
    assert details["count"] == 2
    assert set(details["redact"]) == {KEY_ID, SECRET}
    shown = str({k: v for k, v in details.items() if k != "redact"})
    shown += str(outcome.related)
    assert KEY_ID not in shown
    assert SECRET not in shown


def test_false_on_clean_and_variable_values() -> None:
    assert run(instance("#!/bin/bash\nexport AWS_SECRET_ACCESS_KEY=$SECRET\n")).verdict is Tri.FALSE


def test_values_from_tfvars_are_left_to_the_tfvars_scanner() -> None:
    resource = instance(f"export AWS_SECRET_ACCESS_KEY={SECRET}",
                        origins={("user_data",): (Span("prod.auto.tfvars", 2),)})
    assert run(resource).verdict is Tri.FALSE


def test_example_keys_option() -> None:
    resource = instance(f"export AWS_ACCESS_KEY_ID={KEY_ID}")
    assert run(resource, example_keys=False).verdict is Tri.FALSE


def test_registered_and_the_rule_loads() -> None:
    function, schema = PREDICATES[NAME]
    assert (function.resolve(), schema) == (aws_credentials, SCHEMA)  # type: ignore[attr-defined]
    rules = {rule.id: rule for rule in load_rules([RULES])}
    rule = rules["IAC0401"]
    assert "tfvars" in rule.match[Format.TERRAFORM].types
    assert Format.TERRAFORM in rule.match
    assert Format.CLOUDFORMATION in rule.match
