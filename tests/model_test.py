"""The shared vocabulary's helpers: what a judged resource stands for."""

from __future__ import annotations

from linter.model import Format, Resource, scope_note


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
