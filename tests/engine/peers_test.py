"""Where Checkov, tfsec and Trivy suppressions are found (the parsing; the mapping to iaclint
rules and the end-to-end behaviour are in suppress_test.py)."""

from __future__ import annotations

from linter.engine.peers import comment_suppressions
from linter.model import Format, Resource, Span


def resource(address: str, start: int, end: int, kind: str = "resource", module: str = "",
             fmt: Format = Format.TERRAFORM) -> Resource:
    return Resource(address, "aws_instance", fmt, kind, {}, {(): Span("main.tf", start, 1, end)},
                    "main.tf", module)


def test_checkov_several_ids_reason_and_block_comment() -> None:
    text = "resource {\n  /* checkov:skip=CKV_AWS_79,CKV_AWS_8: old agent */\n}\n"
    [found] = comment_suppressions("main.tf", text, [resource("aws_instance.a", 1, 3)])
    assert found.ids == ("CKV_AWS_79", "CKV_AWS_8")
    assert found.reason == "old agent"
    assert found.resources == ("aws_instance.a",)
    assert found.applies_to == (1,)  # the block's header: every root using the block
    assert found.text == "checkov:skip=CKV_AWS_79,CKV_AWS_8"


def test_checkov_covers_every_instance_of_the_innermost_block_only_inside_it() -> None:
    resources = [resource("aws_instance.a[0]", 2, 6), resource("aws_instance.a[1]", 2, 6)]
    text = "#checkov:skip=CKV_AWS_79\nresource {\n  # bridgecrew:skip=CKV_AWS_79\n}\n"
    found = comment_suppressions("main.tf", text, resources)
    assert [f.resources for f in found] == [("aws_instance.a[0]", "aws_instance.a[1]")]
    assert found[0].span.start_line == 3
    header = 'resource "x" "y" { #checkov:skip=CKV_AWS_79\n}\n'
    assert comment_suppressions("main.tf", header, [resource("x.y", 1, 2)]) == []


def test_cloudformation_checkov_comment_anywhere_in_the_resource() -> None:
    cfn = resource("Web", 3, 6, fmt=Format.CLOUDFORMATION)
    text = "a\nb\n  Web:\n    Type: x # checkov:skip=CKV_AWS_79:why\nc\nd\n"
    [found] = comment_suppressions("main.tf", text, [cfn])
    assert found.resources == ("Web",)


def test_trivy_and_tfsec_several_on_a_line_stacked_above_a_block() -> None:
    text = ("#trivy:ignore:AVD-AWS-0028 trivy:ignore:AVD-AWS-0130:exp:2030-01-02\n"
            "# tfsec:ignore:aws-ec2-enforce-http-token-imds some words\n"
            "resource {\n}\n")
    found = comment_suppressions("main.tf", text, [resource("aws_instance.a", 3, 4)])
    assert [(f.tool, f.ids, f.expires) for f in found] == [
        ("trivy", ("AVD-AWS-0028",), ""), ("trivy", ("AVD-AWS-0130",), "2030-01-02"),
        ("tfsec", ("aws-ec2-enforce-http-token-imds",), "")]
    assert all(f.applies_to[1] == 3 and f.resources == ("aws_instance.a",) for f in found)
    assert found[1].applies_to == (1, 3)


def test_trivy_trailing_covers_its_line_and_above_a_module_its_resources() -> None:
    resources = [resource("module.db", 2, 4, kind="module"), resource("aws_instance.other", 5, 6)]
    text = "# trivy:ignore:AWS-0028\nmodule {\n  x = 1 # trivy:ignore:AWS-0028\n}\n"
    above, trailing = comment_suppressions("main.tf", text, resources)
    assert above.modules == ("module.db",)
    assert above.resources == ()
    assert trailing.applies_to == (3,)
    assert trailing.resources == trailing.modules == ()


def test_scoped_trivy_ignores_and_tokens_outside_comments_are_not_taken() -> None:
    text = ('# trivy:ignore:AWS-0028[http_tokens=optional] trivy:ignore:AWS-0028:ws:dev\n'
            'name = "trivy:ignore:AWS-0028 checkov:skip=CKV_AWS_79"\n')
    assert comment_suppressions("main.tf", text, [resource("aws_instance.a", 1, 9)]) == []
