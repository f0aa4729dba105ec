"""Findings → fixes: ``plan_fixes(result, options)`` attaches a ``Fix`` to every finding of a
rule that declares an ``autofix``.

1. Each unsuppressed finding asks for the rule's settings on its resource (``Request``s; a
   ``{param: NAME}`` value is the rule's parameter as configured).
2. Each request gets a ``Site`` (``linter.fixes.hcl`` / ``linter.fixes.cfn``): the literal to
   replace — in the resource, or at the value's source — or the block / mapping that gets the
   key. Requests of one rule that meet at one site form a group.
3. The users check: a group is fixed only when everything its change reaches is a resource the
   group fixes. Every resource whose spans or ``origins`` include the site (count / for_each
   instances of one block, module instances, every resource reading a variable's default) must
   be one of the group's, at the same setting; every reference to a followed name (``var.x``,
   ``local.y``, ``Ref: P``, a Mappings lookup) must be one of the group's own expressions.
   Otherwise nothing changes and each finding gets a note naming what else uses the value.
4. Groups of different rules at one site merge (one new ``metadata_options`` block with both
   settings); the edits of each file are applied together and checked: the file must parse
   and differ from the original only in the keys being set. A file that fails keeps no edit.

The fixer never names a rule: what to set comes from ``Rule.autofix``.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from typing import TYPE_CHECKING, Any, TypeGuard

from linter.engine.params import bind, parameter_values
from linter.fixes import hcl, values
from linter.fixes.sites import NotFixable, Request, Site, names_of, where
from linter.fixes.text import EditConflict, Text, apply_edits
from linter.model import Edit, Finding, Fix, Format, Path, Resource, Span
from linter.options import Budgets, ScanOptions
from linter.records import mutable, replace
from linter.result import ScanResult
from linter.rule import Autofix, Rule

if TYPE_CHECKING:
    from linter.fixes import cfn

UserKey = tuple[str, int, int]  # file, line, column of a span's start


def _key(span: Span) -> UserKey:
    return (span.file, span.start_line, span.start_col)


@mutable
class _Context:
    root: pathlib.Path
    resources: Sequence[Resource]
    hcl: hcl.HclSources
    budgets: Budgets = field(default_factory=Budgets)
    templates: dict[str, cfn.Template | str] = field(default_factory=dict)
    users: dict[UserKey, list[tuple[Resource, Path]]] = field(default_factory=dict)
    calls: dict[str, dict[str, Resource]] = field(default_factory=dict)  # unit → address →
    suppressed: set[tuple[str, str]] = field(default_factory=set)  # (rule id, address)
    by_address: dict[tuple[str, str], list[Resource]] = field(default_factory=dict)
    created: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # unit → blocks

    def template(self, rel: str) -> cfn.Template:
        if rel not in self.templates:
            from linter.fixes import cfn

            try:
                self.templates[rel] = cfn.read_template(self.root, rel, self.budgets)
            except NotFixable as exc:
                self.templates[rel] = str(exc)
        found = self.templates[rel]
        if isinstance(found, str):
            raise NotFixable(found)
        return found


def plan_fixes(result: ScanResult, options: ScanOptions, only_files: Sequence[str] = ()
               ) -> list[Finding]:
    """``result.findings`` with a ``Fix`` on every finding whose rule declares an autofix."""
    rules = {rule.id: rule for rule in result.rules if rule.autofix}
    candidates = [f for f in result.findings if f.rule_id in rules and f.suppression is None]
    if not candidates:
        return result.findings
    resources = ([r for unit in result.units.values() for r in unit.resources]
                 if result.units else result.resources)
    context = _Context(result.root, resources, hcl.HclSources(result.root, options.budgets),
                       options.budgets)
    context.suppressed = {(f.rule_id, f.address) for f in result.findings
                          if f.suppression is not None}
    _index(context)
    fixes = _plan(context, candidates, rules, options, set(only_files))
    return [replace(f, fix=fixes[id(f)]) if id(f) in fixes else f
            for f in result.findings]


def _index(context: _Context) -> None:
    for resource in context.resources:
        context.by_address.setdefault((resource.unit, resource.address), []).append(resource)
        if resource.kind == "module":
            context.calls.setdefault(resource.unit, {})[resource.address] = resource
        elif resource.kind in ("resource", "data") and resource.format is Format.TERRAFORM:
            context.created.setdefault(resource.unit, set()).add(hcl.created_key(resource))


def _index_users(context: _Context, wanted: set[UserKey]) -> None:
    """Every (resource, path) whose span or origins include one of ``wanted``. The starts
    wanted are grouped by file: most spans are in a file no fix touches (one lookup each)."""
    starts: dict[str, set[tuple[int, int]]] = {}
    for file, line, column in wanted:
        starts.setdefault(file, set()).add((line, column))
    for resource in context.resources:
        if resource.kind == "tfvars":
            continue
        found = [(path, span) for path, span in resource.spans.items()
                 if (lines := starts.get(span.file)) is not None
                 and (span.start_line, span.start_col) in lines]
        found.extend((path, span) for path, spans in resource.origins.items() for span in spans
                     if (lines := starts.get(span.file)) is not None
                     and (span.start_line, span.start_col) in lines)
        for path, span in found:
            context.users.setdefault(_key(span), []).append((resource, path))


# ---------------------------------------------------------------- requests and sites


@mutable
class _Planned:
    finding: Finding
    description: str
    requests: list[tuple[Request, Site]] = field(default_factory=list)
    note: str = ""


def _plan(context: _Context, findings: Sequence[Finding], rules: Mapping[str, Rule],
          options: ScanOptions, only_files: set[str]) -> dict[int, Fix]:
    planned: list[_Planned] = []
    for finding in findings:
        rule = rules[finding.rule_id]
        resources = _resources_of(context, finding)
        spec = rule.autofix_for(resources[0].format, resources[0].type) if resources else None
        if spec is None:
            if resources:  # a type the rule judges but cannot fix (node groups, fleets …)
                planned.append(_Planned(finding, "", note=(
                    f"no automatic fix for {resources[0].type}; see the rule's remediation")))
            continue
        settings = bind(dict(spec.settings), parameter_values(rule, options))
        missing = [k for k, v in settings.items() if _detail(v, finding) is None]
        settings = {k: _detail(v, finding) for k, v in settings.items()}
        item = _Planned(finding, _describe(resources[0].format, spec, settings))
        planned.append(item)
        if missing:
            item.note = f"the check did not report the value to write for {', '.join(missing)}"
            continue
        try:
            for key, value in settings.items():
                request = Request(finding, tuple(resources), spec.container, key, value)
                site = _locate(context, request)
                if only_files and site.file not in only_files:
                    raise NotFixable(f"the value is set in {site.file}, which is not among the "
                                     "files given")
                item.requests.append((request, site))
        except NotFixable as exc:
            item.note, item.requests = str(exc), []
    _check_groups(context, planned)
    edits = _edits(context, planned)
    return {id(p.finding): _fix(p, edits) for p in planned}


def _detail(value: Any, finding: Finding) -> Any:
    """A ``{detail: NAME}`` value: what the check reported for this finding (None if absent)."""
    if isinstance(value, dict) and set(value) == {"detail"}:
        found = finding.details.get(str(value["detail"]))
        return found if isinstance(found, (str, int, float, bool)) else None
    return value


def _resources_of(context: _Context, finding: Finding) -> list[Resource]:
    """The resource of a finding (its condition variants), in the finding's unit."""
    return list(context.by_address.get((finding.root, finding.address), []))


def _describe(fmt: Format, spec: Autofix, settings: Mapping[str, Any]) -> str:
    if fmt is Format.TERRAFORM:
        pairs = ", ".join(f"{k} = {values.hcl(v)}" for k, v in settings.items())
        return f"Set {pairs} in {'.'.join(spec.container)}"
    pairs = ", ".join(f"{k}: {values.yaml_value(v)}" for k, v in settings.items())
    return f"Set {pairs} in {'.'.join(spec.container)}"


def _locate(context: _Context, request: Request) -> Site:
    resource = request.resources[0]
    if resource.format is Format.TERRAFORM:
        return hcl.locate(context.hcl, request, context.calls.get(resource.unit, {}),
                          context.created.get(resource.unit, set()))
    from linter.fixes import cfn

    return cfn.locate(context.template(resource.file), request)


# ---------------------------------------------------------------- the users check


def _check_groups(context: _Context, planned: list[_Planned]) -> None:
    _index_users(context, {_key(span) for item in planned for _request, site in item.requests
                           for span in (site.anchor, *site.links, *site.objects)})
    groups: dict[tuple[object, ...], list[_Planned]] = {}
    for item in planned:
        for _request, site in item.requests:
            groups.setdefault((item.finding.rule_id, site.identity), []).append(item)
    for (rule_id, identity), members in groups.items():
        pairs = [(r, s) for m in members for r, s in m.requests
                 if (m.finding.rule_id, s.identity) == (rule_id, identity)]
        problem = _users_problem(context, pairs)
        if problem is not None:
            for member in members:
                member.note, member.requests = problem, []


def _users_problem(context: _Context, pairs: Sequence[tuple[Request, Site]]) -> str | None:
    site = pairs[0][1]
    fixed: dict[int, tuple[str, ...]] = {}
    for request, _site in pairs:
        for resource in request.resources:
            fixed[id(resource)] = request.names
    objects = {_key(span) for _r, each in pairs for span in each.objects}
    chain = ({_key(site.anchor)} | {_key(link) for _r, each in pairs for link in each.links}
             | objects)
    what = site.source or (f"the block at {where(site.anchor)}" if site.kind == "insert"
                           else f"the value at {where(site.anchor)}")
    for span_key in sorted(chain):
        for resource, path in context.users.get(span_key, ()):
            names = fixed.get(id(resource))
            own = resource.spans.get(path)
            if names is not None and (span_key in objects
                                      or names[:len(names_of(path))] == names_of(path)):
                continue  # a fixed resource reading the value (or another key of the object)
            if own is not None and _key(own) in chain:
                continue
            at = ".".join(str(k) for k in path) or "its block"
            if names is not None:
                return (f"{what} is also used by {resource.address} at {at}, which the fix "
                        "must not change")
            why = ("its finding is suppressed" if (pairs[0][0].finding.rule_id, resource.address)
                   in context.suppressed else "it is not flagged by this rule")
            return (f"{what} also reaches {resource.address} ({at}), and {why}"
                    + _sibling_note(resource, pairs))
    expressions = {_key(e) for _r, each in pairs for e in each.expressions}
    for _request, each in pairs:
        for label, spans in each.references:
            for span in spans:
                if _key(span) not in expressions:
                    return (f"{label} is also used at {where(span)}; changing it there would "
                            "change more than the flagged resources")
    return None


def _sibling_note(resource: Resource, pairs: Sequence[tuple[Request, Site]]) -> str:
    base = resource.address.split("[")[0]
    if any(r.address.split("[")[0] == base and r.address != resource.address
           for request, _s in pairs for r in request.resources):
        return " (the count / for_each instances share one block)"
    return ""


# ---------------------------------------------------------------- edits


@mutable
class _Merged:
    site: Site
    settings: dict[str, Any] = field(default_factory=dict)
    members: list[_Planned] = field(default_factory=list)
    problem: str = ""


def _edits(context: _Context, planned: list[_Planned]) -> dict[int, tuple[Edit, ...]]:
    """The verified edits of each site (keyed by id of the site identity's merge record)."""
    merged: dict[tuple[object, ...], _Merged] = {}
    for item in planned:
        for request, site in item.requests:
            entry = merged.setdefault(site.identity, _Merged(site))
            previous = entry.settings.get(request.key)
            if previous is not None and previous != request.value:
                entry.problem = (f"two rules set {request.key} to different values "
                                 f"({previous} and {request.value})")
            entry.settings[request.key] = request.value
            if item not in entry.members:
                entry.members.append(item)
    for entry in merged.values():
        if entry.problem:
            _drop(entry.members, entry.problem)
    out: dict[int, tuple[Edit, ...]] = {}
    by_file: dict[str, list[tuple[_Merged, tuple[Edit, ...]]]] = {}
    for entry in merged.values():
        if entry.problem or not any(m.requests for m in entry.members):
            continue
        try:
            made = tuple(_site_edits(entry.site, entry.settings))
        except NotFixable as exc:
            _drop(entry.members, str(exc))
            continue
        by_file.setdefault(entry.site.file, []).append((entry, made))
    for rel, entries in sorted(by_file.items()):
        live = [(e, made) for e, made in entries if any(m.requests for m in e.members)]
        problem = _verify(context, rel, live)
        if problem is not None:
            for entry, _made in live:
                _drop(entry.members, f"the fix would leave {rel} broken ({problem}); nothing "
                                     "was changed")
            continue
        for entry, made in live:
            out[id(entry.site)] = made
            for member in entry.members:
                member.requests = [(r, merged[s.identity].site) for r, s in member.requests]
    return out


def _drop(members: Iterable[_Planned], note: str) -> None:
    for member in members:
        if member.requests:
            member.note, member.requests = note, []


def _site_edits(site: Site, settings: Mapping[str, Any]) -> list[Edit]:
    module: Any = hcl
    if not _in_hcl(site.payload):
        from linter.fixes import cfn as module
    if site.kind == "replace":
        (value,) = settings.values()
        return [module.replace_edit(site, value)]
    return list(module.insert_edits(site, settings))


def _verify(context: _Context, rel: str, entries: Sequence[tuple[_Merged, tuple[Edit, ...]]]
            ) -> str | None:
    if not entries:
        return None
    allowed: set[str] = set()
    for entry, _made in entries:
        allowed.update(entry.settings)
        allowed.update(entry.site.create)
        name = getattr(entry.site.payload, "name", None)
        if isinstance(name, str):
            allowed.add(name)
    payload = entries[0][0].site.payload
    edits = [e for _entry, made in entries for e in made]
    try:
        after = apply_edits(_text_of(entries[0][0].site), edits)
    except EditConflict as exc:
        return str(exc)
    if _in_hcl(payload):
        return hcl.verify(payload.source, edits, allowed)
    from linter.fixes import cfn

    assert isinstance(payload, (cfn.ReplaceAt, cfn.InsertAt))
    return cfn.verify(payload.template, after, allowed, edits)


def _text_of(site: Site) -> Text:
    payload = site.payload
    if _in_hcl(payload):
        return payload.text
    from linter.fixes import cfn

    assert isinstance(payload, (cfn.ReplaceAt, cfn.InsertAt))
    return payload.template.text


def _in_hcl(payload: object) -> TypeGuard[hcl.ReplaceAt | hcl.InsertAt | hcl.InsertInObject]:
    """Whether a site's payload is in a Terraform file (else in a template)."""
    return isinstance(payload, (hcl.ReplaceAt, hcl.InsertAt, hcl.InsertInObject))


def _fix(item: _Planned, edits: Mapping[int, tuple[Edit, ...]]) -> Fix:
    if not item.requests:
        return Fix(item.description, note=item.note or "no automatic fix")
    made: list[Edit] = []
    sources: list[str] = []
    for _request, site in item.requests:
        for edit in edits.get(id(site), ()):
            if edit not in made:
                made.append(edit)
        if site.source and site.source not in sources:
            sources.append(site.source)
    if not made:
        return Fix(item.description, note=item.note or "no automatic fix")
    description = item.description
    if sources:
        description += " (at its source: " + "; ".join(sources) + ")"
    return Fix(description, tuple(made))
