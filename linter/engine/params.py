"""Rule parameters: declared by the rule, referenced by its conditions, set by configuration.

A rule declares each parameter under ``parameters:`` as a JSON Schema with a ``default``::

    parameters:
      max_hop_limit: {type: integer, minimum: 1, maximum: 64, default: 1, description: …}

and references it anywhere in its conditions as ``{param: NAME}``: an operator argument
(``{path: x, lte: {param: max_hop_limit}}``) or a value of a predicate's ``with:``
(``{predicate: imds-effective, with: {check: hop-limit-too-high, max_hop_limit: {param:
max_hop_limit}}}``). The loader checks that every reference names a declared parameter and that
the predicate's argument schema accepts the default.

Configuration sets values (``ScanOptions.parameters``): by name for every rule that declares it
(``parameters: {max_hop_limit: 2}``, ``--max-hop-limit 2``), or for one rule by id, name or
alias (``parameters: {IAC0102: {max_hop_limit: 2}}``), the rule's own setting winning. A key
that is a declared parameter's name sets it by name; any other key must name a rule. A setting
that names no declared parameter or rule, or a value its schema rejects, is a ``ConfigError``
(exit 2): a typo never silently keeps the default. The engine knows no parameter by name.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from linter.errors import ConfigError
from linter.options import ScanOptions
from linter.rule import Rule

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

REF_KEY = "param"


def is_ref(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(REF_KEY), str)


def refs(tree: Any, where: str = "$") -> Iterator[tuple[str, str]]:
    """Every ``{param: NAME}`` below ``tree``: (NAME, JSON path of the reference)."""
    if is_ref(tree):
        yield tree[REF_KEY], where
    elif isinstance(tree, dict):
        for key, value in tree.items():
            yield from refs(value, f"{where}.{key}")
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from refs(value, f"{where}[{index}]")


def bind(tree: Any, values: Mapping[str, Any]) -> Any:
    """``tree`` with every ``{param: NAME}`` replaced by ``values[NAME]``."""
    if is_ref(tree):
        return values[tree[REF_KEY]]
    if isinstance(tree, dict):
        return {key: bind(value, values) for key, value in tree.items()}
    if isinstance(tree, list):
        return [bind(value, values) for value in tree]
    return tree


def defaults(rule: Rule) -> dict[str, Any]:
    return {name: schema["default"] for name, schema in rule.parameters.items()}


def _keys(rule: Rule) -> set[str]:
    return {k.casefold() for k in (rule.id, rule.name, *rule.aliases)}


def _split(rules: Sequence[Rule], options: ScanOptions
           ) -> tuple[dict[str, Any], dict[str, Mapping[str, Any]]]:
    """The settings by parameter name, and those of one rule (keyed by id, name or alias). A key
    that names a declared parameter is a parameter; any other names a rule."""
    names = {name for rule in rules for name in rule.parameters}
    by_name: dict[str, Any] = {}
    by_rule: dict[str, Mapping[str, Any]] = {}
    for key, value in options.parameters.items():
        if key in names:
            by_name[key] = value
        else:
            by_rule[key] = value
    return by_name, by_rule


def parameter_values(rule: Rule, options: ScanOptions) -> dict[str, Any]:
    """The rule's parameters: defaults, then settings by name, then the rule's own settings."""
    values = defaults(rule)
    keys = _keys(rule)
    for key, value in options.parameters.items():
        if key in values:
            values[key] = value
    for key, value in options.parameters.items():
        if key not in values and key.casefold() in keys and isinstance(value, Mapping):
            values.update({k: v for k, v in value.items() if k in values})
    return values


def check_settings(rules: Sequence[Rule], options: ScanOptions) -> None:
    """Every configured parameter names a declared one and has a value its schema accepts."""
    by_name, by_rule = _split(rules, options)
    for name, value in by_name.items():
        for rule in rules:
            if name in rule.parameters:
                _check_value(rule, name, value, f"$.parameters.{name}")
    declared = sorted({name for rule in rules for name in rule.parameters})
    for key, settings in by_rule.items():
        owner = next((r for r in rules if key.casefold() in _keys(r)), None)
        if owner is None:
            raise ConfigError(f"{key!r} is neither a rule parameter nor a rule (parameters: "
                              f"{', '.join(declared) or 'none'})", "configuration",
                              f"$.parameters.{key}")
        if not isinstance(settings, Mapping):
            raise ConfigError(f"the parameters of rule {owner.id} must be a mapping NAME: value",
                              "configuration", f"$.parameters.{key}")
        for name, value in settings.items():
            if name not in owner.parameters:
                known = ", ".join(sorted(owner.parameters)) or "none"
                raise ConfigError(f"rule {owner.id} has no parameter {name!r} (parameters: "
                                  f"{known})", "configuration", f"$.parameters.{key}.{name}")
            _check_value(owner, name, value, f"$.parameters.{key}.{name}")


def _check_value(rule: Rule, name: str, value: Any, where: str) -> None:
    validator = _validator(json.dumps(rule.parameters[name], sort_keys=True))
    error = next(iter(validator.iter_errors(value)), None)
    if error is not None:
        raise ConfigError(f"{rule.id} parameter {name}: {error.message}", "configuration", where)


@functools.lru_cache(maxsize=64)
def _validator(schema_text: str) -> Validator:
    from jsonschema import Draft202012Validator  # lazy: only when a setting needs checking

    return Draft202012Validator(json.loads(schema_text))
