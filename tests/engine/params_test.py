"""linter/engine/params.py: parameter values by name and per rule, and loud configuration errors."""

from __future__ import annotations

from typing import Any

import pytest

from linter.engine.params import bind, check_settings, parameter_values, refs
from linter.errors import ConfigError
from linter.model import Format, Severity
from linter.options import ScanOptions
from linter.rule import Docs, MatchBlock, Remediation, Rule


def rule(rule_id: str, name: str, **parameters: dict[str, Any]) -> Rule:
    return Rule(
        id=rule_id, name=name, category="imds-hop-limit", severity=Severity.WARNING,
        security_severity="5.0", title="t", message="m", docs=Docs(), remediation=Remediation(),
        match={Format.TERRAFORM: MatchBlock(types=("aws_instance",), where={})},
        aliases=(f"old-{name}",), parameters=parameters,
    )


HOP = {"description": "d", "type": "integer", "minimum": 1, "maximum": 64, "default": 1}
HOPS = rule("IAC0102", "hops", max_hop_limit=HOP)
TOXIC = rule("IAC0501", "toxic", max_hop_limit=HOP)
PLAIN = rule("IAC0101", "plain")
RULES = [HOPS, TOXIC, PLAIN]


def test_defaults_then_by_name_then_per_rule() -> None:
    assert parameter_values(HOPS, ScanOptions()) == {"max_hop_limit": 1}
    by_name = ScanOptions(parameters={"max_hop_limit": 2})
    assert parameter_values(HOPS, by_name) == parameter_values(TOXIC, by_name) == {
        "max_hop_limit": 2}
    both = ScanOptions(parameters={"max_hop_limit": 2, "old-hops": {"max_hop_limit": 3}})
    assert parameter_values(HOPS, both) == {"max_hop_limit": 3}  # the rule's own wins
    assert parameter_values(TOXIC, both) == {"max_hop_limit": 2}
    assert parameter_values(PLAIN, both) == {}
    check_settings(RULES, both)


@pytest.mark.parametrize(
    ("parameters", "where", "words"),
    [
        ({"max_hops": 2}, "$.parameters.max_hops", "neither a rule parameter nor a rule"),
        ({"IAC0999": {"max_hop_limit": 2}}, "$.parameters.IAC0999", "neither"),
        ({"IAC0101": {"max_hop_limit": 2}}, "$.parameters.IAC0101.max_hop_limit",
         "has no parameter"),
        ({"max_hop_limit": 0}, "$.parameters.max_hop_limit", "less than the minimum"),
        ({"hops": {"max_hop_limit": "2"}}, "$.parameters.hops.max_hop_limit", "not of type"),
        ({"hops": 2}, "$.parameters.hops", "must be a mapping"),
    ],
)
def test_a_typo_or_a_bad_value_is_a_configuration_error(
        parameters: dict[str, Any], where: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        check_settings(RULES, ScanOptions(parameters=parameters))
    assert info.value.where == where
    assert words in info.value.message


def test_bind_and_refs_walk_the_whole_tree() -> None:
    tree = {"all": [{"path": "x", "lte": {"param": "a"}},
                    {"predicate": "p", "with": {"n": {"param": "b"}, "list": [{"param": "a"}]}}]}
    assert sorted(refs(tree)) == [("a", "$.all[0].lte"), ("a", "$.all[1].with.list[0]"),
                                  ("b", "$.all[1].with.n")]
    assert bind(tree, {"a": 1, "b": {"k": 2}}) == {
        "all": [{"path": "x", "lte": 1}, {"predicate": "p", "with": {"n": {"k": 2}, "list": [1]}}]}
