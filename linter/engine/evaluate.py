"""Running rules on the graph: ``run_rules(prepare(rules, options), graph, options) ->
(findings, unknown verdicts)``.

For each selected rule, each format block and each resource of its types: evaluate ``where``.
TRUE → a ``Finding`` located at the block's ``at`` path when it exists, else at the deepest path
the outcome reported, else at an explicit span of the outcome, else at the deepest existing part
of ``at`` (the enclosing block), else at the resource header. UNKNOWN → an ``UnknownVerdict``.
A rule that raises on a resource becomes an IAC0002 finding there and the run goes on.

Types in a match block are native types; ``data.TYPE`` names a Terraform data source. A plain
type never matches a data source of the same type (``data "aws_instance"`` is not an instance).
"""

from __future__ import annotations

import posixpath
import traceback
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from linter.checks.context import RuleContext
from linter.engine import messages
from linter.engine.conditions import compiled_path, evaluate_condition
from linter.engine.params import bind, parameter_values
from linter.fingerprint import fingerprint, normalized_path, variant_fingerprint
from linter.graph.graph import Graph
from linter.model import (
    Finding,
    Format,
    Outcome,
    Path,
    Related,
    Resource,
    Severity,
    Span,
    Tri,
    UnknownVerdict,
    condition_note,
    resolve,
    scope_note,
    scope_related,
)
from linter.options import ScanOptions
from linter.records import replace
from linter.rule import RULE_RAISED, MatchBlock, Rule, tool_finding


def run_rules(
    rules: Sequence[PreparedRule], graph: Graph, options: ScanOptions
) -> tuple[list[Finding], list[UnknownVerdict]]:
    findings: list[Finding] = []
    unknown: list[UnknownVerdict] = []
    variants = variant_counts(graph)
    for rule, values, blocks in rules:
        for fmt, block, where in blocks:
            fired: list[tuple[Resource, Finding]] = []
            for resource in resources_for(graph, fmt, block.types):
                try:
                    ctx = RuleContext(resource, graph, options)
                    outcome = evaluate_condition(where, ctx)
                    if outcome.verdict is Tri.TRUE:
                        finding = make_finding(rule, block, resource, outcome, options, values,
                                               graph)
                        fired.append((resource, finding))
                    elif outcome.verdict is Tri.UNKNOWN:
                        span, _ = locate(block, resource, outcome)
                        unknown.append(
                            UnknownVerdict(rule.id, resource.address, span, outcome.unknowns,
                                           resource.unit)
                        )
                except Exception as exc:
                    findings.append(raised_finding(rule, resource, exc))
            findings.extend(merge_variants(fired, variants))
    findings.sort(key=lambda f: f.sort_key)
    return findings, unknown


# a selected rule, its parameter values, and its match blocks with their conditions bound
PreparedRule = tuple[Rule, dict[str, Any], tuple[tuple[Format, MatchBlock, Any], ...]]


def prepare(rules: Sequence[Rule], options: ScanOptions) -> list[PreparedRule]:
    """The selected rules, each with its parameter values and its match blocks' conditions
    bound to them: the same for every graph of a scan (a scan of templates judges one graph
    per template), so a scan makes them once."""
    out: list[PreparedRule] = []
    for rule in rules:
        if rule_selected(rule, options):
            values = parameter_values(rule, options)
            out.append((rule, values, tuple((fmt, block, bind(block.where, values))
                                            for fmt, block in rule.match.items())))
    return out


def variant_counts(graph: Graph) -> dict[str, int]:
    """How many condition variants each CloudFormation resource has (absent: one resource)."""
    variants: dict[str, int] = {}
    for resource in graph.all_resources():
        if resource.meta.get("condition_values"):
            variants[resource.address] = variants.get(resource.address, 0) + 1
    return variants


def merge_variants(
    fired: list[tuple[Resource, Finding]], variants: Mapping[str, int]
) -> list[Finding]:
    """One finding per place; a finding that only some condition variants of a resource have
    says which condition values lead to it (CloudFormation ``Fn::If`` on an unknown condition)."""
    groups: dict[tuple[str, str, int, int], list[tuple[Resource, Finding]]] = {}
    for resource, finding in fired:
        key = (finding.address, finding.span.file, finding.span.start_line, finding.span.start_col)
        groups.setdefault(key, []).append((resource, finding))
    out: list[Finding] = []
    for group in groups.values():
        resource, finding = group[0]
        total = variants.get(resource.address, 0)
        if total and len(group) < total:
            notes = sorted({condition_note(r) for r, _ in group if condition_note(r)})
            note = "; or ".join(notes)
            finding = replace(
                finding,
                message=f"{finding.message} ({note})" if note else finding.message,
                fingerprint=variant_fingerprint(finding.fingerprint, note),
                properties={**finding.properties, "conditions": note},
            )
        out.append(finding)
    return out


def resources_for(graph: Graph, fmt: Format, types: Iterable[str]) -> list[Resource]:
    """The graph's resources of ``types`` in format ``fmt`` (``data.X``: Terraform data
    sources of type X), the types the graph has none of skipped first."""
    present = _types(graph)
    return resources_of_types(graph, fmt, [
        t for t in types if t in present or (t.startswith("data.") and t[5:] in present)])


def resources_of_types(graph: Graph, fmt: Format, types: Iterable[str]) -> list[Resource]:
    """``resources_for`` asking the graph for every type."""
    out: dict[int, Resource] = {}
    for native in types:
        if fmt is Format.TERRAFORM and native.startswith("data."):
            candidates = [r for r in graph.of_type(native[5:]) if r.kind == "data"]
            candidates += graph.of_type(native)
        else:
            candidates = [r for r in graph.of_type(native) if r.kind != "data"]
        for resource in candidates:
            if resource.format is fmt:
                out.setdefault(id(resource), resource)
    return list(out.values())


def _types(graph: Graph) -> set[str]:
    """The types of the graph's resources (most rules match none of a template's)."""
    present: set[str] | None = graph.memo.get(("evaluate", "types"))
    if present is None:
        present = graph.memo[("evaluate", "types")] = {r.type for r in graph.all_resources()}
    return present


# ---------------------------------------------------------------- selection and severity


def _keys(rule: Rule) -> set[str]:
    return {k.casefold() for k in rule.selectors}


def rule_selected(rule: Rule, options: ScanOptions) -> bool:
    """``--select`` / ``--ignore`` by rule id, name, alias, category, the id of an equivalent
    check of another scanner, or a compliance framework or control (``Rule.selectors``).

    A rule tagged ``opt-in`` runs only when selected by its id, name or alias.
    """
    keys = _keys(rule)
    if "opt-in" in rule.tags:
        named = {k.casefold() for k in (rule.id, rule.name, *rule.aliases)}
        if not named & {s.casefold() for s in (*options.select, *options.enable)}:
            return False
    if options.select and not keys & {s.casefold() for s in options.select}:
        return False
    return not keys & {s.casefold() for s in options.ignore}


def _overridden(rule: Rule, options: ScanOptions) -> bool:
    overrides = {k.casefold() for k in options.severity_overrides}
    return bool(
        overrides & {k.casefold() for k in (rule.id, rule.name, *rule.aliases, rule.category)}
    )


def severity_for(rule: Rule, options: ScanOptions) -> Severity:
    """The most specific override wins: id, then name/alias, then category."""
    overrides = {k.casefold(): v for k, v in options.severity_overrides.items()}
    for key in (rule.id, rule.name, *rule.aliases, rule.category):
        if key.casefold() in overrides:
            return Severity(overrides[key.casefold()])
    return rule.severity


# ---------------------------------------------------------------- findings


def locate(block: MatchBlock, resource: Resource, outcome: Outcome) -> tuple[Span, Path]:
    """Where a finding points, and the attribute path it is about.

    1. the block's ``at`` path when it exists (the first of several that does);
    2. else the deepest path the outcome reported on the way to ``at`` (a list element …);
    3. else the deepest existing part of ``at`` (the enclosing block);
    4. else the deepest path the outcome reported (rules without ``at``), an explicit span
       of the outcome, and finally the resource header.
    """
    at_paths = [compiled_path(t) for t in (block.at_paths or ((block.at,) if block.at else ()))]
    for path in at_paths:
        for match in resolve(resource.attributes, path):
            if match.value is not None and _names(match.path) == _names(path):
                return resource.span_at(match.path), match.path
    on_the_way = [p for p in outcome.paths if any(_compatible(p, at) for at in at_paths)]
    if on_the_way:
        deepest = max(on_the_way, key=len)
        return resource.span_at(deepest), deepest
    best: Path = ()
    for path in at_paths:
        # a key removed during evaluation (CloudFormation AWS::NoValue) keeps its source span
        for cut in range(len(path), 0, -1):
            if path[:cut] in resource.spans and resource.get(path[:cut]) is None:
                if any(
                    path[:c] in resource.spans and resource.get(path[:c]) is not None
                    for c in range(cut + 1, len(path) + 1)
                ):
                    break
                best = max(best, path[:cut], key=len)
                break
    if best:
        return resource.span_at(best), best
    for path in at_paths:
        for cut in range(len(path) - 1, 0, -1):
            found = [
                m.path
                for m in resolve(resource.attributes, path[:cut])
                if m.value is not None and _names(m.path) == _names(path[:cut])
            ]
            if found:
                best = max(best, found[0], key=len)
                break
    if best:
        return resource.span_at(best), best
    if outcome.paths:
        deepest = max(outcome.paths, key=len)
        return resource.span_at(deepest), deepest
    if outcome.spans:
        return outcome.spans[0], ()
    return resource.header, ()


def _names(path: Path) -> list[str]:
    return [k for k in path if isinstance(k, str)]


def _compatible(found: Path, at: Path) -> bool:
    """``found`` lies on ``at``'s way (one is a prefix of the other, list indexes aside)."""
    a, b = _names(found), _names(at)
    return a[: len(b)] == b[: len(a)]


def make_finding(
    rule: Rule, block: MatchBlock, resource: Resource, outcome: Outcome, options: ScanOptions,
    parameters: Mapping[str, Any] | None = None, graph: Graph | None = None,
) -> Finding:
    span, path = locate(block, resource, outcome)
    values = {**(parameters or {}), **message_values(rule, block, resource, outcome)}
    related = list(outcome.related)
    origins = resource.origins.get(path, ())
    entry = module_entry(graph, resource, path, origins) if graph is not None else None
    if entry is not None:  # the value is passed into a child module: fix it where it is passed
        related.insert(0, Related(span, f"{resource.address} uses it here", resource.address))
        span = entry
    for origin in origins:
        if not (origin.file == span.file and origin.start_line <= span.start_line
                and span.end_line <= origin.end_line):  # not the place the finding is
            related.append(Related(origin, "the value comes from here", resource.address))
    related.extend(scope_related(resource))
    if graph is not None and entry is None:  # a call already named (judged by its inputs) once
        named = {r.address for r in related}
        related.extend(r for r in module_calls(graph, resource) if r.address not in named)
    properties: dict[str, Any] = {}
    if path:
        properties["path"] = normalized_path(path)
    redact = outcome.details.get("redact")
    if redact:
        properties["redact"] = [str(s) for s in redact]
    severity = severity_for(rule, options)
    lowered = outcome.details.get("severity")
    if lowered and not _overridden(rule, options):
        severity = Severity(lowered)
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        category=rule.category,
        severity=severity,
        message=messages.render(rule.message, values) + scope_note(resource),
        span=span,
        address=resource.address,
        resource_type=resource.type,
        related=tuple(dict.fromkeys(related)),
        fingerprint=fingerprint(rule.id, resource, path),
        root=resource.unit,
        properties=properties,
        details=values,
    )


def module_calls(graph: Graph, resource: Resource) -> list[Related]:
    """The module calls that instantiate a child module's resource, outermost first: where an
    input would change what the module creates."""
    out: list[Related] = []
    parts = resource.module.split(".") if resource.module else []
    for cut in range(2, len(parts) + 1, 2):  # module.a, module.a.module.b, …
        call = graph.resources.get(".".join(parts[:cut]))
        if call is not None and call.kind == "module":
            out.append(Related(call.header, f"{call.address} instantiates the module here",
                               call.address))
    return out


def module_entry(graph: Graph, resource: Resource, path: Path, origins: Sequence[Span]
                 ) -> Span | None:
    """For a resource of a child module whose value comes from outside the module: where the
    value enters it (the first origin outside the module's directory, e.g. the argument of the
    module call; inside an object argument, the key of the attribute itself), which is where
    the fix goes; else None."""
    if not resource.module or not origins:
        return None
    directory = posixpath.dirname(resource.file)
    origin = next((o for o in origins if posixpath.dirname(o.file) != directory), None)
    if origin is None:
        return None
    names = [k for k in path if isinstance(k, str)]
    for call in graph.of_type("module"):
        for call_path, span in call.spans.items():
            if span == origin and names:
                key = call.spans.get((*call_path, names[-1]))
                return key if key is not None else origin
    return origin


def message_values(
    rule: Rule, block: MatchBlock, resource: Resource, outcome: Outcome
) -> dict[str, Any]:
    details: Mapping[str, Any] = outcome.details
    values: dict[str, Any] = {
        k: v for k, v in details.items() if k not in ("values", "redact", "severity")
    }
    found: Mapping[str, Any] = details.get("values", {})
    for text in block.at_paths or ((block.at,) if block.at else ()):
        if text in found:
            values["value"] = found[text]
            values["path"] = text
            if found[text] is not None:
                break
    values.update(address=resource.address, type=resource.type, file=resource.file)
    values.setdefault("path", block.at)
    values.setdefault("value", None)
    return values


def raised_finding(rule: Rule, resource: Resource, exc: BaseException) -> Finding:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
    message = (
        f"rule {rule.id} ({rule.name}) raised {type(exc).__name__}: {exc}{where} "
        f"while checking {resource.address}; please report this iaclint bug"
    )
    finding = tool_finding(RULE_RAISED, message, resource.header, resource.address)
    return replace(
        finding,
        resource_type=resource.type,
        root=resource.unit,
        fingerprint=fingerprint(RULE_RAISED.id, resource, (rule.id,)),
        properties={"rule": rule.id},
    )
