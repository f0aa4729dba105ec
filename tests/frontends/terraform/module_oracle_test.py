"""Terraform itself as the oracle of the evaluator.

For every fixture directory with ``.tf`` files, ``terraform plan -refresh=false`` (mock
credentials, offline provider mirror; see ``bench/make_plans.py``) gives ``planned_values``;
``linter.frontends.terraform.module.evaluate_module`` must resolve the attributes the rules read
to the same values wherever it claims to know them (an ``Unknown`` is never compared), and must
produce the same managed-resource instances.

A committed ``fixtures/plans/<dir>.json`` whose recorded SHA-256 matches the fixture's current
files is used as is (likewise a fresh entry of ``fixtures/plans/unplannable.json`` skips the
fixture with Terraform's recorded error), so the test needs no Terraform when they are
fresh. Stale or missing plans are made with Terraform (provider installed once per session,
two plans at a time); when ``terraform`` or the plugin directory is missing those fixtures are
skipped. Refresh the
committed plans with ``python bench/make_plans.py --all``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import pathlib
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from linter.model import Resource, Unknown
from linter.options import ScanOptions
from tests.paths import REPO

PLANS = REPO / "fixtures" / "plans"

# attributes the rules read (IMDS, instance profiles, policies, trust, credentials in user data)
RULE_ATTRIBUTES = frozenset({
    "metadata_options", "iam_instance_profile", "launch_template", "policy",
    "assume_role_policy", "inline_policy", "statement", "role", "roles", "policy_arn",
    "managed_policy_arns", "user_data", "user_data_base64",
})
JSON_ATTRIBUTES = frozenset({"policy", "assume_role_policy", "json"})
SET_ATTRIBUTES = frozenset({"actions", "not_actions", "resources", "not_resources",
                            "identifiers", "values", "managed_policy_arns", "roles"})


def _load_make_plans() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_plans", REPO / "bench" / "make_plans.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_plans", module)
    spec.loader.exec_module(module)
    return module


make_plans = _load_make_plans()
FIXTURES = make_plans.fixture_dirs(REPO) if (REPO / "fixtures").is_dir() else []


def _rel(directory: pathlib.Path) -> str:
    return directory.resolve().relative_to(REPO.resolve()).as_posix()


def _committed(directory: pathlib.Path) -> dict[str, Any] | None:
    path = PLANS / make_plans.plan_name(_rel(directory))
    if not path.is_file():
        return None
    plan: dict[str, Any] = json.loads(path.read_text())
    recorded = plan.get("iaclint_fixture", {}).get("sha256")
    return plan if recorded == make_plans.fixture_hash(directory) else None


@pytest.fixture(scope="session")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any] | str]:
    """Fixture dir → plan JSON, or the reason there is none (all made once per session)."""
    out: dict[str, dict[str, Any] | str] = {}
    stale: list[pathlib.Path] = []
    unplannable = make_plans.load_unplannable(PLANS)
    for directory in FIXTURES:
        plan = _committed(directory)
        known_failure = unplannable.get(_rel(directory), {})
        if plan is not None:
            out[_rel(directory)] = plan
        elif known_failure.get("sha256") == make_plans.fixture_hash(directory):
            out[_rel(directory)] = f"Terraform cannot plan this fixture: {known_failure['error']}"
        else:
            stale.append(directory)
    if not stale:
        return out
    terraform = make_plans.find_terraform()
    if terraform is None:
        for directory in stale:
            out[_rel(directory)] = "terraform or its provider plugin directory is missing"
        return out
    scratch = tmp_path_factory.mktemp("terraform")
    for outcome in make_plans.run_plans(REPO, stale, terraform, scratch):
        out[outcome.fixture] = outcome.plan if outcome.plan is not None else (
            f"Terraform cannot plan this fixture: {outcome.error}")
    return out


# ---------------------------------------------------------------- comparison


def planned_resources(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    def walk(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield from module.get("resources", [])
        for child in module.get("child_modules", []):
            yield from walk(child)

    yield from walk(plan.get("planned_values", {}).get("root_module", {}))
    for resource in walk(plan.get("prior_state", {}).get("values", {}).get("root_module", {})):
        if resource.get("mode") == "data":
            yield resource


def _scalar(value: Any) -> Any:
    """Terraform's conversions for comparison: numbers and bools as their string form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return value


def disagreements(ours: Any, theirs: Any, path: str, key: str = "") -> Iterator[str]:
    """Where iaclint's known value differs from Terraform's planned value."""
    if isinstance(ours, Unknown):
        return
    if key in JSON_ATTRIBUTES and isinstance(ours, str) and isinstance(theirs, str):
        try:
            if json.loads(ours) != json.loads(theirs):
                yield f"{path}: {ours!r} != {theirs!r}"
        except json.JSONDecodeError:
            if ours != theirs:
                yield f"{path}: {ours!r} != {theirs!r}"
        return
    if key == "user_data" and isinstance(ours, str) and isinstance(theirs, str) \
            and len(theirs) == 40 and ours != theirs:
        # aws_instance stores the SHA-1 of user_data in the plan
        if hashlib.sha1(ours.encode()).hexdigest() != theirs:
            yield f"{path}: sha1({ours!r}) != {theirs}"
        return
    if isinstance(ours, dict):
        if not isinstance(theirs, dict):
            yield f"{path}: {ours!r} != {theirs!r}"
            return
        for name, value in ours.items():
            if name in theirs:
                yield from disagreements(value, theirs[name], f"{path}.{name}", name)
        return
    if isinstance(ours, list):
        if not isinstance(theirs, list):
            yield f"{path}: {ours!r} != {theirs!r}"
            return
        if len(ours) != len(theirs) and not any(isinstance(v, Unknown) for v in ours):
            yield f"{path}: {len(ours)} elements, Terraform has {len(theirs)}"
            return
        if key in SET_ATTRIBUTES and all(not isinstance(v, (dict, list, Unknown)) for v in ours):
            if sorted(map(str, map(_scalar, ours))) != sorted(map(str, map(_scalar, theirs))):
                yield f"{path}: {ours!r} != {theirs!r}"
            return
        for index, (mine, other) in enumerate(zip(ours, theirs, strict=False)):
            yield from disagreements(mine, other, f"{path}[{index}]", key)
        return
    if _scalar(ours) != _scalar(theirs):
        yield f"{path}: {ours!r} != {theirs!r}"


def compare(resources: list[Resource], plan: dict[str, Any]) -> list[str]:
    ours = {r.address: r for r in resources if r.kind in ("resource", "data")}
    problems: list[str] = []
    planned = list(planned_resources(plan))
    for resource in planned:
        address = resource["address"]
        mine = ours.get(address)
        if mine is None:
            if resource.get("mode") == "managed":
                problems.append(f"{address}: planned by Terraform, missing in iaclint")
            continue
        values = resource.get("values", {})
        for name in sorted(RULE_ATTRIBUTES & set(mine.attributes)):
            if name in values:
                problems.extend(disagreements(mine.attributes[name], values[name],
                                              f"{address}.{name}", name))
    planned_managed = {r["address"] for r in planned if r.get("mode") == "managed"}
    for address, evaluated in ours.items():
        if evaluated.kind == "resource" and address not in planned_managed \
                and not evaluated.meta.get("count_unknown"):
            problems.append(f"{address}: produced by iaclint, not planned by Terraform")
    return problems


# ---------------------------------------------------------------- tests


@pytest.mark.skipif(not FIXTURES, reason="no fixture directory with .tf files")
@pytest.mark.parametrize("directory", FIXTURES, ids=_rel)
def test_evaluated_values_match_terraform_plan(
        directory: pathlib.Path, plans: dict[str, dict[str, Any] | str]) -> None:
    evaluate = pytest.importorskip("linter.frontends.terraform.module")
    plan = plans[_rel(directory)]
    if isinstance(plan, str):
        pytest.skip(plan)
    result = evaluate.evaluate_module(REPO, _rel(directory), ScanOptions(use_env_vars=False))
    assert compare(result.resources, plan) == []


def test_comparison_semantics() -> None:
    assert list(disagreements({"http_tokens": "required", "x": Unknown("v")},
                              {"http_tokens": "required", "x": "y"}, "r")) == []
    assert list(disagreements("2", 2, "r.hop")) == []
    assert list(disagreements({"a": "optional"}, {"a": "required"}, "r")) == [
        "r.a: 'optional' != 'required'"]
    assert list(disagreements('{"Version": "2012-10-17"}', '{"Version":"2012-10-17"}', "r",
                              "policy")) == []
    assert list(disagreements("hello", hashlib.sha1(b"hello").hexdigest(), "r",
                              "user_data")) == []
    assert list(disagreements(["b", "a"], ["a", "b"], "r", "actions")) == []
    assert list(disagreements([{"a": 1}], [], "r", "statement")) == [
        "r: 1 elements, Terraform has 0"]
