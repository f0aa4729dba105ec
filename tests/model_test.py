"""The shared vocabulary's helpers: what a judged resource stands for."""

from __future__ import annotations

import pytest

from linter.model import Format, Outcome, Resource, Span, Tri, scope_note


def resource(**meta: object) -> Resource:
    return Resource("module.web.aws_instance.this", "aws_instance", Format.TERRAFORM,
                    "resource", {}, {}, "main.tf", meta=meta)


def test_a_plain_resource_has_no_scope_note() -> None:
    assert scope_note(resource()) == ""


def test_scope_note_names_collapsed_instances_and_inputs_judgement() -> None:
    judged = "module web is not downloaded: judged by its inputs as x 6.4.0"
    note = scope_note(resource(judged_by_inputs=judged, instances_unknown=["module.web"]))
    assert note == (f" ({judged}; judged once for every instance of module.web: count/for_each "
                    "is not known, so the instances cannot be told apart)")


def test_the_shared_false_outcome_is_a_plain_false_that_cannot_change() -> None:
    shared = Outcome.false()
    assert shared == Outcome(Tri.FALSE)
    assert shared is Outcome.false()
    assert Outcome.false(details={"a": 1}).details == {"a": 1}
    with pytest.raises(TypeError):
        shared.details["a"] = 1  # type: ignore[index]


def test_a_span_defaults_its_end_line_to_its_start_line() -> None:
    assert Span("a.tf", 3) == Span("a.tf", 3, 1, 3, 0)
    assert Span("a.tf", 3, 2, 5, 7).end_line == 5
    assert Span(file="a.tf", start_line=4, end_col=9) == Span("a.tf", 4, 1, 4, 9)


def test_span_at_is_the_deepest_span_on_the_path_else_the_header() -> None:
    located = Resource("aws_instance.a", "aws_instance", Format.TERRAFORM, "resource", {},
                       {(): Span("main.tf", 1), ("a",): Span("main.tf", 2),
                        ("a", 0, "b"): Span("main.tf", 3)}, "main.tf")
    assert located.span_at(("a", 0, "b")) == Span("main.tf", 3)
    assert located.span_at(("a", 0, "c")) == Span("main.tf", 2)
    assert located.span_at(("z",)) == located.header == Span("main.tf", 1)
    assert resource().span_at(("a",)) == resource().header == Span("main.tf", 1)
