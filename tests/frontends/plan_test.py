from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from linter.frontends.plan import config_address, looks_like_plan, parse_plan
from linter.model import Unknown
from tests.paths import REPO

INSTANCE_VALUES = {
    "ami": "ami-123",
    "iam_instance_profile": "p",
    "metadata_options": [{"http_endpoint": "enabled", "http_put_response_hop_limit": 2,
                          "http_tokens": "required"}],
    "user_data": "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d",
}

PLAN: dict[str, Any] = {
    "format_version": "1.2",
    "terraform_version": "1.11.4",
    "planned_values": {
        "root_module": {
            "resources": [
                {"address": "aws_iam_instance_profile.p", "mode": "managed",
                 "type": "aws_iam_instance_profile", "name": "p",
                 "values": {"name": "p", "role": "r"}},
                {"address": "aws_instance.web[0]", "mode": "managed", "type": "aws_instance",
                 "name": "web", "index": 0, "values": INSTANCE_VALUES},
            ],
            "child_modules": [{
                "address": 'module.app["a"]',
                "resources": [
                    {"address": 'module.app["a"].aws_iam_role.r', "mode": "managed",
                     "type": "aws_iam_role", "name": "r",
                     "values": {"name": "r", "assume_role_policy": '{"Version":"2012-10-17"}'}},
                ],
            }],
        },
    },
    "resource_changes": [
        {"address": "aws_instance.web[0]", "change": {
            "actions": ["create"], "after": INSTANCE_VALUES,
            "after_unknown": {"arn": True, "id": True,
                              "metadata_options": [{"instance_metadata_tags": True}]}}},
        {"address": "aws_iam_instance_profile.p", "change": {
            "actions": ["create"], "after": {"name": "p", "role": "r"},
            "after_unknown": {"arn": True}}},
    ],
    "prior_state": {"values": {"root_module": {"resources": [
        {"address": "data.aws_iam_policy_document.d", "mode": "data",
         "type": "aws_iam_policy_document", "name": "d",
         "values": {"json": '{"Statement":[{"Action":"*","Resource":"*"}]}'}},
    ]}}},
    "configuration": {"root_module": {
        "resources": [
            {"address": "aws_instance.web", "mode": "managed", "type": "aws_instance",
             "name": "web", "expressions": {
                 "iam_instance_profile": {"references": [
                     "aws_iam_instance_profile.p.name", "aws_iam_instance_profile.p"]},
                 "metadata_options": [{"http_tokens": {"references": ["var.tokens"]}}]}},
            {"address": "aws_iam_instance_profile.p", "mode": "managed",
             "type": "aws_iam_instance_profile", "name": "p",
             "depends_on": ["data.aws_iam_policy_document.d"]},
        ],
        "module_calls": {"app": {"source": "./modules/app", "module": {"resources": []}}},
    }},
}


def plan_bytes() -> bytes:
    return json.dumps(PLAN, indent=2).encode()


def test_looks_like_plan() -> None:
    assert looks_like_plan(plan_bytes())
    assert not looks_like_plan(b'{"resource": {}}')
    assert not looks_like_plan(b'{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}')
    assert not looks_like_plan(b"[]")


def test_config_address_drops_instance_keys() -> None:
    assert config_address('module.a["x[0]"].aws_instance.web[0]') == "module.a.aws_instance.web"


def test_resources_from_planned_values_child_modules_and_prior_state(
        tmp_path: pathlib.Path) -> None:
    result = parse_plan(tmp_path, "plan.json", plan_bytes())
    assert result.findings == []
    by_address = {r.address: r for r in result.resources}
    assert sorted(by_address) == ["aws_iam_instance_profile.p", "aws_instance.web[0]",
                                  "data.aws_iam_policy_document.d",
                                  'module.app["a"].aws_iam_role.r']
    role = by_address['module.app["a"].aws_iam_role.r']
    assert role.module == 'module.app["a"]'
    assert role.meta["config_address"] == "module.app.aws_iam_role.r"
    document = by_address["data.aws_iam_policy_document.d"]
    assert document.kind == "data"
    assert document.attributes["json"].startswith('{"Statement"')
    web = by_address["aws_instance.web[0]"]
    assert web.kind == "resource"
    assert web.meta["index"] == 0
    assert web.attributes["metadata_options"][0]["http_tokens"] == "required"


def test_after_unknown_becomes_unknown() -> None:
    result = parse_plan(pathlib.Path("/nonexistent"), "plan.json", plan_bytes())
    web = next(r for r in result.resources if r.address == "aws_instance.web[0]")
    arn = web.attributes["arn"]
    assert isinstance(arn, Unknown)
    assert arn.expression == "aws_instance.web[0].arn"
    assert arn.reason == "known after apply"
    tags = web.attributes["metadata_options"][0]["instance_metadata_tags"]
    assert isinstance(tags, Unknown)
    assert tags.expression == "aws_instance.web[0].metadata_options[0].instance_metadata_tags"


def test_spans_point_at_the_plan_file() -> None:
    data = plan_bytes()
    lines = data.decode().splitlines()
    result = parse_plan(pathlib.Path("/nonexistent"), "plans/p.json", data)
    web = next(r for r in result.resources if r.address == "aws_instance.web[0]")
    assert web.file == "plans/p.json"
    assert '"address": "aws_instance.web[0]"' in lines[web.header.start_line]
    tokens = web.span_at(("metadata_options", 0, "http_tokens"))
    assert lines[tokens.start_line - 1].strip() == '"http_tokens": "required"'
    assert web.meta["plan_span"] == web.header


def test_edges_from_configuration_references_and_depends_on() -> None:
    result = parse_plan(pathlib.Path("/nonexistent"), "plan.json", plan_bytes())
    edges = {(e.source, e.target, e.kind, e.path, e.attribute) for e in result.edges}
    assert edges == {
        ("aws_instance.web[0]", "aws_iam_instance_profile.p", "reference",
         ("iam_instance_profile",), "name"),
        ("aws_iam_instance_profile.p", "data.aws_iam_policy_document.d", "depends_on", (), ""),
    }


def test_spans_move_to_the_configuration_beside_the_plan(tmp_path: pathlib.Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_instance" "web" {\n'
        "  count = 1\n"
        "  metadata_options {\n"
        "    http_tokens = var.tokens\n"
        "  }\n"
        "}\n")
    (tmp_path / "plan.json").write_bytes(plan_bytes())
    result = parse_plan(tmp_path, "plan.json", plan_bytes())
    web = next(r for r in result.resources if r.address == "aws_instance.web[0]")
    assert web.file == "main.tf"
    assert web.header.start_line == 1
    assert web.span_at(("metadata_options", 0, "http_tokens")).start_line == 4
    assert web.span_at(("metadata_options", 0, "http_endpoint")).start_line == 3
    assert web.span_at(("ami",)).start_line == 1
    assert web.meta["plan_span"].file == "plan.json"
    profile = next(r for r in result.resources if r.address == "aws_iam_instance_profile.p")
    assert profile.file == "plan.json"  # not in the configuration: stays in the plan
    assert "main.tf" in result.files


@pytest.mark.parametrize(("data", "message"), [
    (b'{"terraform_version": "1", "planned_values": {,}}', "invalid plan JSON"),
    (b"\xff\xfe", "plan JSON is not valid UTF-8"),
])
def test_broken_plan_is_iac0001(data: bytes, message: str) -> None:
    result = parse_plan(pathlib.Path("/nonexistent"), "plan.json", data)
    (finding,) = result.findings
    assert finding.rule_id == "IAC0001"
    assert finding.message.startswith(message)


PLAN_FIXTURES = sorted(p for p in (REPO / "fixtures" / "plans").glob("*.json")
                       if p.name != "unplannable.json")


@pytest.mark.skipif(not PLAN_FIXTURES, reason="no plan fixtures generated yet")
@pytest.mark.parametrize("path", PLAN_FIXTURES, ids=lambda p: p.name)
def test_generated_plan_fixtures_parse(path: pathlib.Path) -> None:
    data = path.read_bytes()
    assert looks_like_plan(data)
    result = parse_plan(REPO, str(path.relative_to(REPO)), data)
    assert result.findings == []
    assert result.resources
