"""CloudFormation templates → evaluated ``Resource``s, edges, unknowns and tool findings.

``evaluate_template(root, rel_path, data, options)`` decodes one template
(``linter.frontends.cloudformation.decode``), expands SAM, and evaluates every resource the way
CloudFormation would deploy it (``linter.frontends.cloudformation.intrinsics``): parameters
(defaults, parameter files, ``--cfn-param``), pseudo parameters, mappings, conditions and
intrinsic functions.

Undecidable conditions. When a resource depends on a condition that cannot be decided (a
parameter without value), each way the condition can go is judged: the resource is emitted once
per distinct assignment of its undecidable conditions, with the same address and
``meta["condition_values"] = {"IsProd": True}``; ``linter.model.condition_note(resource)``
renders that as ``"when condition IsProd is true"`` for the finding message, and a finding that
every variant raises holds whatever the conditions are. A resource whose own ``Condition`` is
false is not emitted. Assignments that contradict each other (``Env`` equal to both ``prod``
and ``dev``) are skipped; past ``MAX_CONDITION_ATOMS`` undecidable comparisons the resource is
emitted once, its ``Fn::If`` values Unknown, with an IAC0004 note. A condition that can never be
decided (malformed, undefined, or refers to itself) never removes a resource: the resource is
judged as if it were deployed, what depends on the condition is Unknown, and an IAC0004 note
names the condition and the resource.

``Fn::ForEach`` (``AWS::LanguageExtensions``) is expanded first (``foreach``), as CloudFormation
does before any other transform. The whole template is evaluated under its budgets
(``linter.frontends.budget``); a value past one is Unknown with a note naming the budget.
"""

from __future__ import annotations

import itertools
import pathlib
from collections.abc import Iterator, Mapping
from typing import Any

from linter.discover.read import config_span
from linter.frontends.budget import BudgetExceeded, meter, metering
from linter.frontends.cloudformation.decode import decode_template
from linter.frontends.cloudformation.foreach import (
    PREFIX,
    TRANSFORM,
    Expander,
    has_foreach,
    uses_language_extensions,
)
from linter.frontends.cloudformation.intrinsics import (
    NO_VALUE,
    AtomKey,
    Evaluator,
    TemplateScope,
    intrinsic_name,
)
from linter.frontends.cloudformation.parameters import (
    ParamValue,
    load_overrides,
    parameter_resources,
    parameter_values,
)
from linter.frontends.cloudformation.policies import decode_policy_strings
from linter.frontends.cloudformation.sam import SamError, is_sam
from linter.frontends.cloudformation.sam_cache import expand_sam_cached
from linter.frontends.cloudformation.spans import SourceText
from linter.model import Edge, Format, ParseResult, Resource, Span, Unknown
from linter.options import ScanOptions
from linter.records import record
from linter.rule import EVALUATION_NOTE, tool_finding

MAX_CONDITION_ATOMS = 6


def evaluate_template(
    root: pathlib.Path, rel_path: str, data: bytes, options: ScanOptions,
) -> ParseResult:
    """Evaluate one CloudFormation template; broken input becomes findings, never raises.

    A broken ``--cfn-param-file`` is tool configuration and raises ``ConfigError``.
    """
    with metering(options.budgets, f"template {rel_path}") as meter:
        result = _evaluate_template(root, rel_path, data, options)
        result.findings.extend(meter.notes(Span(rel_path, 1)))
    return result


def _evaluate_template(
    root: pathlib.Path, rel_path: str, data: bytes, options: ScanOptions,
) -> ParseResult:
    result = ParseResult(files=[rel_path])
    decoded, findings = decode_template(rel_path, data)
    result.findings.extend(findings)
    if decoded is None:
        return result
    template = decoded.template
    source = SourceText.of(rel_path, decoded.text)
    refused: list[str] = []
    overrides = load_overrides(root, options, refused)
    result.findings.extend(tool_finding(
        EVALUATION_NOTE, f"parameter file {file} (named by the configuration file) is outside "
        "the repository; not read", config_span(root, options.config_file) or Span(rel_path, 1))
        for file in refused)
    params = parameter_values(template.get("Parameters"), source, overrides)
    result.resources.extend(parameter_resources(template.get("Parameters"), source))
    if uses_language_extensions(template) and has_foreach(template):
        template = _expand_foreach(template, source, params, result)
    source_of: Mapping[str, str] = {}
    original = template
    if is_sam(template):
        known = {name: override.value for name, override in overrides.items()}
        try:
            expansion = expand_sam_cached(template, known)
        except SamError as err:
            result.findings.append(tool_finding(
                EVALUATION_NOTE,
                f"SAM transform failed, scanning the template untransformed: {err}",
                _key_span(source, template, "Transform")))
        else:
            template, source_of = expansion.template, expansion.source_of
            for logical_id, message in expansion.rejected.items():
                result.findings.append(tool_finding(
                    EVALUATION_NOTE,
                    f"SAM transform rejected {logical_id}, scanned untransformed: {message}",
                    _key_span(source, _mapping(original.get("Resources")), logical_id),
                    logical_id))
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        if "Resources" in template:
            result.findings.append(tool_finding(
                EVALUATION_NOTE, "Resources is not a mapping; nothing to evaluate",
                _key_span(source, template, "Resources")))
        return result
    scope = TemplateScope(
        source=source,
        params=params,
        mappings=_mapping(template.get("Mappings")),
        conditions=_mapping(template.get("Conditions")),
        resources=resources,
    )
    headers = _sam_headers(source, original, source_of)
    seen: set[Unknown] = set()  # result.unknowns, for a constant-time "already there?"
    for logical_id, body in resources.items():
        _evaluate_resource(scope, str(logical_id), body, logical_id, result,
                           source_of.get(str(logical_id)), headers, seen)
    result.edges = list(dict.fromkeys(result.edges))
    return result


def _mapping(node: Any) -> Mapping[str, Any]:
    return node if isinstance(node, dict) else {}


def _expand_foreach(template: dict[str, Any], source: SourceText,
                    params: Mapping[str, ParamValue], result: ParseResult) -> dict[str, Any]:
    """The template with every ``Fn::ForEach`` of Resources and Conditions expanded."""
    scope = TemplateScope(source=source, params=params,
                          mappings=_mapping(template.get("Mappings")), conditions={},
                          resources={})

    def resolve(collection: Any) -> Any:
        evaluator = Evaluator(scope, "")
        return evaluator.value(collection, (), None, False)

    expander = Expander(source, resolve)
    expanded = dict(template)
    for section in ("Conditions", "Resources"):
        if section in template:
            try:
                expanded[section] = expander.expand(template[section])
            except BudgetExceeded as exc:
                message = meter().record(exc, _key_span(source, template, section))
                result.findings.append(tool_finding(
                    EVALUATION_NOTE, f"Fn::ForEach in {section} is {message}",
                    _key_span(source, template, section)))
    result.findings.extend(expander.notes)
    return expanded


def _key_span(source: SourceText, mapping: Mapping[str, Any], wanted: str) -> Span:
    for key, value in mapping.items():
        if key == wanted:
            span = source.span(value, key)
            if span is not None:
                return span
    return Span(source.rel_path, 1)


def _sam_headers(source: SourceText, original: Mapping[str, Any],
                 source_of: Mapping[str, str]) -> dict[str, Span]:
    resources = original.get("Resources")
    if not source_of or not isinstance(resources, dict):
        return {}
    headers = {str(k): source.span(v, k) for k, v in resources.items()}
    fallback = _key_span(source, original, "Transform")
    return {sam_id: headers.get(sam_id) or fallback for sam_id in set(source_of.values())}


def _evaluate_resource(
    scope: TemplateScope, logical_id: str, body: Any, key: Any, result: ParseResult,
    sam_source: str | None, sam_headers: Mapping[str, Span], seen: set[Unknown],
) -> None:
    source = scope.source
    header = source.span(body, key)
    if sam_source is not None:
        header = sam_headers.get(sam_source) or header
    header = header or Span(source.rel_path, 1)
    if logical_id.startswith(PREFIX):
        result.findings.append(tool_finding(
            EVALUATION_NOTE, f"{logical_id} needs Transform: {TRANSFORM}; it is not expanded "
            "and its resources are not judged", header, logical_id))
        return
    kind = body.get("Type") if isinstance(body, dict) else None
    if not isinstance(kind, str):
        result.findings.append(tool_finding(
            EVALUATION_NOTE, f"resource {logical_id} has no Type string; it is not judged", header,
            logical_id))
        return
    for variant in _variants(scope, logical_id, body, header, result):
        evaluator = Evaluator(variant.scope, logical_id)
        evaluator.spans[()] = header
        attributes: dict[str, Any] = {}
        for attr_key, node in body.items():
            name = str(attr_key)
            value = evaluator.value(node, (name,), attr_key)
            if value is NO_VALUE:  # Properties: !Ref AWS::NoValue removes the key
                continue
            if name == "DependsOn":
                _depends_on(evaluator, value, node)
            attributes[name] = value
        attributes = decode_policy_strings(attributes, evaluator.spans, source.lines)
        meta: dict[str, Any] = {}
        if variant.condition_values:
            meta["condition_values"] = dict(variant.condition_values)
        if variant.undecided:
            meta["conditions_undecided"] = list(variant.undecided)
        if sam_source is not None:
            meta["source_resource"] = sam_source
        result.resources.append(Resource(
            address=logical_id, type=kind, format=Format.CLOUDFORMATION, kind="resource",
            attributes=attributes, spans=evaluator.spans, file=source.rel_path,
            origins=evaluator.origins, meta=meta,
        ))
        result.edges.extend(evaluator.edges)
        for unknown in evaluator.unknowns:  # each distinct Unknown once, in order
            if unknown not in seen:
                seen.add(unknown)
                result.unknowns.append(unknown)


def _depends_on(evaluator: Evaluator, value: Any, node: Any) -> None:
    targets = value if isinstance(value, list) else [value]
    nodes = node if isinstance(node, list) else [node]
    for index, target in enumerate(targets):
        if isinstance(target, str) and target in evaluator.scope.resources:
            located = nodes[index] if index < len(nodes) else node
            path = ("DependsOn", index) if isinstance(value, list) else ("DependsOn",)
            evaluator.edges.append(Edge(evaluator.address, target, "depends_on", path,
                                        evaluator.scope.source.span(located) or
                                        evaluator.spans.get(("DependsOn",))))


# ---- condition variants ------------------------------------------------------------------------


@record
class _Variant:
    scope: TemplateScope
    condition_values: Mapping[str, bool]
    undecided: tuple[str, ...] = ()


def _variants(
    scope: TemplateScope, logical_id: str, body: Mapping[str, Any], header: Span,
    result: ParseResult,
) -> list[_Variant]:
    """The ways ``body`` can deploy: one per distinct value of its undecidable conditions."""
    own = body.get("Condition")
    names = list(dict.fromkeys(
        ([own] if isinstance(own, str) else []) + list(_if_conditions(body))))
    probe = TemplateScope(scope.source, scope.params, scope.mappings, scope.conditions,
                          scope.resources)
    values = {name: probe.condition(name) for name in names}
    undecided = [name for name, value in values.items() if isinstance(value, Unknown)]
    if isinstance(own, str) and values.get(own) is False:
        return []
    if not undecided:
        return [_Variant(scope, {})]
    for name in undecided:
        why = scope.broken(name)
        if why:
            result.findings.append(tool_finding(
                EVALUATION_NOTE,
                f"{logical_id} uses condition {name}, which can never be decided ({why}); it "
                "is judged as if deployed and the values that depend on the condition are "
                "Unknown", header, logical_id))
    atoms = probe.atoms
    if len(atoms) > MAX_CONDITION_ATOMS:
        result.findings.append(tool_finding(
            EVALUATION_NOTE,
            f"{logical_id} depends on {len(atoms)} undecidable comparisons "
            f"({', '.join(undecided)}); its conditional values are left Unknown", header,
            logical_id))
        return [_Variant(scope, {}, tuple(undecided))]
    variants: dict[tuple[tuple[str, bool], ...], _Variant] = {}
    for assumed in _assignments(list(atoms.values())):
        assumed_scope = scope.with_assumptions(assumed)
        decided = {name: assumed_scope.condition(name) for name in undecided}
        condition_values = {name: v for name, v in decided.items() if isinstance(v, bool)}
        broken = tuple(name for name, v in decided.items() if not isinstance(v, bool))
        if isinstance(own, str) and condition_values.get(own) is False:
            continue
        signature = tuple(sorted(condition_values.items()))
        variants.setdefault(signature, _Variant(assumed_scope, condition_values, broken))
    return list(variants.values())


def _assignments(atoms: list[Any]) -> Iterator[dict[AtomKey, bool]]:
    """Every consistent truth assignment of the atoms (one unknown equals one literal at most)."""
    for values in itertools.product((True, False), repeat=len(atoms)):
        chosen: dict[str, str] = {}
        consistent = True
        for atom, value in zip(atoms, values, strict=True):
            if value and atom.literal is not None and (
                    chosen.setdefault(atom.expression, atom.literal) != atom.literal):
                consistent = False
                break
        if consistent:
            yield {atom.key: value for atom, value in zip(atoms, values, strict=True)}


def _if_conditions(node: Any) -> list[str]:
    """Names of the conditions used by ``Fn::If`` anywhere under ``node``, in document order."""
    out: list[str] = []
    _collect_if_conditions(node, out)
    return out


def _collect_if_conditions(node: Any, out: list[str]) -> None:
    """``_if_conditions`` by appending (no chain of generators as deep as the resource); only
    mappings and lists are visited (the leaves hold no ``Fn::If``)."""
    if isinstance(node, dict):
        if intrinsic_name(node) == "Fn::If":
            arg = node["Fn::If"]
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                out.append(arg[0])
        children: Any = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return
    for child in children:
        if isinstance(child, (dict, list)):
            _collect_if_conditions(child, out)

