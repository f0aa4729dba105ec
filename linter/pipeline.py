"""Runs the stages in order: discover → front ends → graph → rules → suppress, per unit.

No stage reaches back. User content never raises out of here: every front end turns a broken
file into an IAC0001 finding, and the rule engine turns a failing rule into IAC0002. Only tool
configuration errors (``ConfigError``) propagate, for the CLI to exit with code 2.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import pathlib
import posixpath
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from linter.discover.read import read_file, unread_encoding
from linter.discover.walk import Discovery, discover, scan_root
from linter.engine.evidence import touches, verdict_touches
from linter.engine.params import check_settings
from linter.engine.selection import check_selection
from linter.errors import ConfigError
from linter.graph.graph import Graph
from linter.model import Finding, ParseResult, Resource, Span, UnknownVerdict
from linter.options import ScanOptions
from linter.records import replace
from linter.result import BaselineEntry, ScanResult
from linter.rule import FILE_DOES_NOT_PARSE, Rule, tool_finding
from linter.workers import can_fork, ordered_map, usable_cores

if TYPE_CHECKING:  # the rule engine is imported when a scan judges its units
    from linter.engine.evaluate import PreparedRule

# progress(label, done, total): called before each unit (a Terraform root module or a template)
# is parsed, and once with done = total = -1 when the rules start
ProgressFn = Callable[[str, int, int], None]


def load_all_rules(options: ScanOptions) -> list[Rule]:
    """The bundled rules plus the user's rule directories, validated (ConfigError on failure)."""
    from linter.engine.loader import bundled_rules_dir, load_rules

    dirs = [bundled_rules_dir(), *(pathlib.Path(d) for d in options.rule_dirs)]
    return load_rules(dirs)


def scan(
    paths: Sequence[str],
    options: ScanOptions | None = None,
    *,
    rules: list[Rule] | None = None,
    root: pathlib.Path | None = None,
    base: Mapping[str, ParseResult] | None = None,
    progress: ProgressFn | None = None,
) -> ScanResult:
    """Scan ``paths``. ``base``: the units of the base revision (``ScanResult.units`` of a scan
    of it), for rules about a change."""
    options = options or ScanOptions()
    started = time.perf_counter()
    try:
        return _scan(paths, options, rules, root, base, progress, started)
    finally:
        gc.unfreeze()  # what the stages froze is collectable again (see ``long_lived``)


def _scan(paths: Sequence[str], options: ScanOptions, rules: list[Rule] | None,
          root: pathlib.Path | None, base: Mapping[str, ParseResult] | None,
          progress: ProgressFn | None, started: float) -> ScanResult:
    if rules is None:
        rules = load_all_rules(options)
    check_settings(rules, options)
    check_selection(rules, options)
    root = (root or scan_root(list(paths))).resolve()
    found = discover(list(paths), root, options.exclude)
    units = parse_units(found, options, progress)
    if progress is not None:
        progress("rules", -1, -1)
    result = judge(root, units, rules, options, base or {})
    if found.only_files:
        wanted = set(found.only_files)
        result.findings = [f for f in result.findings if touches(f, wanted)]
        result.unknown_verdicts = [u for u in result.unknown_verdicts if verdict_touches(u, wanted)]
    if options.fixes:
        from linter.fixes.plan import plan_fixes

        with long_lived():  # the re-read templates are acyclic: counting references frees them
            result.findings = plan_fixes(result, options, found.only_files)
    result.duration = time.perf_counter() - started
    return result


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """A stage whose objects live on: syntax trees, evaluated resources, a unit's graph and
    findings. No pass of the cyclic garbage collector runs during it, and what it leaves
    alive is frozen (``gc.freeze``) so later passes do not walk it again: without this, the
    passes over a heap of millions of small objects that only grows cost a third of the CPU
    time of a scan of 10,000 resources. The front ends and the graph break their own
    reference cycles, so nothing is lost to the freeze; ``scan`` unfreezes at the end. Each
    stage is bounded by the scan's budgets, so the garbage it can make without a pass is
    too."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


def parse_units(
    found: Discovery, options: ScanOptions, progress: ProgressFn | None = None
) -> dict[str, ParseResult]:
    """Every front end over what discovery found, one ``ParseResult`` per unit.

    A unit is what Terraform or CloudFormation deploys as one: a Terraform root module (with the
    child modules it calls, its variable files and a plan beside it), or one template. Units
    never share a graph: the same address in two roots is two resources, and nothing links them
    unless the code does.
    """
    units: dict[str, ParseResult] = {}
    with long_lived():
        modules = terraform_roots(found)
    parts = front_ends(found, options, modules, progress)
    for module_dir, part in zip(modules, parts[:len(modules)], strict=True):
        add_unit(units, unit_of_dir(module_dir), part)
    roots = set(units)
    for rel, parsed in zip(found.candidate_files, parts[len(modules):], strict=True):
        beside = unit_of_dir(posixpath.dirname(rel))
        plan = any("plan_span" in r.meta for r in parsed.resources)
        add_unit(units, beside if plan and beside in roots else rel, parsed)
    if found.tfvars_files:
        from linter.frontends.terraform.tfvars import read_tfvars

        for rel in found.tfvars_files:
            beside = unit_of_dir(posixpath.dirname(rel))
            unit = beside if beside in roots else rel
            holder = units.setdefault(unit, ParseResult())
            data = read_file(found.root, rel, holder, options.budgets.file_bytes)
            if data is not None:
                add_unit(units, unit, read_tfvars(rel, data))
    for finding in found.findings:  # paths discovery would not read: each its own unit
        units.setdefault(finding.span.file, ParseResult()).findings.append(finding)
    for parsed in units.values():
        prefer_plans(parsed)
    return units


# a scan of fewer units than this runs in one process whatever --jobs says: forking workers and
# sending results back costs more than it saves on a few modules or templates
PARALLEL_MIN_UNITS = 16


def worker_count(jobs: int, units: int) -> int:
    """How many processes evaluate and judge ``units`` units: ``jobs`` (``ScanOptions.jobs``:
    0 = one per usable core), capped by the units and the cores; 1 (this process) below
    ``PARALLEL_MIN_UNITS`` or where workers cannot be forked."""
    wanted = usable_cores() if jobs <= 0 else jobs
    if wanted <= 1 or units < PARALLEL_MIN_UNITS or not can_fork():
        return 1
    return min(wanted, units, usable_cores())


def front_ends(found: Discovery, options: ScanOptions, modules: Sequence[str],
               progress: ProgressFn | None) -> list[ParseResult]:
    """One ``ParseResult`` per root module in ``modules``, then one per candidate file of
    ``found``, in that order, evaluated in worker processes when the scan is large enough."""
    items = [(True, d) for d in modules] + [(False, rel) for rel in found.candidate_files]
    total = len(items)
    work = functools.partial(front_end, found.root, options)
    jobs = worker_count(options.jobs, total)
    if jobs == 1:
        parts = []
        for done, item in enumerate(items):
            if progress is not None:
                progress(item[1] or ".", done, total)
            parts.append(work(item))
        return parts

    if found.candidate_files:
        prepare_candidate_workers(found, options)

    def arrived(done: int, _part: ParseResult) -> None:
        if progress is not None:
            progress(items[done][1] or ".", done, total)

    with long_lived():  # the results unpickled here live on, as the front ends' own would
        return ordered_map(work, items, jobs, arrived)


def prepare_candidate_workers(found: Discovery, options: ScanOptions) -> None:
    """What the workers for candidate files would each import, imported once before they are
    forked: the template and plan front ends, and the SAM translator when a file mentions it and
    SAM expansions are not cached. With the cache on, a worker imports the translator only when
    it misses the cache: in a run whose expansions are all cached (every run but the first), the
    translator's import (about 0.4 s, a fifth of a 482-template scan) would otherwise be paid
    here, before the workers start, for nothing."""
    import linter.frontends.cloudformation.template
    import linter.frontends.plan  # noqa: F401
    from linter.discover.read import read_confined
    from linter.frontends.cloudformation import sam, sam_cache

    if sam_cache.enabled():
        return
    for rel in found.candidate_files:
        data = read_confined(found.root, rel, options.budgets.template_bytes)
        if isinstance(data, bytes) and sam.mentions_sam(data):
            sam.prepare()
            return


def front_end(root: pathlib.Path, options: ScanOptions, item: tuple[bool, str]) -> ParseResult:
    """A root module (``(True, directory)``) or a candidate file (``(False, path)``), guarded."""
    is_module, name = item
    if is_module:
        return guarded(root, name, functools.partial(evaluate_terraform, root, name, options))
    return guarded(root, name, functools.partial(parse_candidate, root, name, options))


def unit_of_dir(directory: str) -> str:
    return directory or "."


def add_unit(units: dict[str, ParseResult], unit: str, part: ParseResult) -> None:
    """Merge ``part`` into ``unit``, every resource labelled with the unit (a file that is
    neither a template nor a plan makes no unit)."""
    if not (part.resources or part.findings or part.unknowns or part.files):
        return
    part.resources = [replace(r, unit=unit) for r in part.resources]
    merge(units.setdefault(unit, ParseResult()), part)


def guarded(root: pathlib.Path, unit: str, work: Callable[[], ParseResult]) -> ParseResult:
    """One module directory or file: an unexpected failure (an iaclint bug, or input deeper than
    the interpreter's recursion limit) becomes a finding there, and the other units still run.
    ``ConfigError`` (a bad --var-file, a parameter file) still stops the run."""
    try:
        with long_lived():
            return work()
    except ConfigError:
        raise
    except (Exception, RecursionError) as exc:
        place = unit
        directory = root / unit
        if directory.is_dir():
            try:
                files = sorted(
                    p.name for p in directory.iterdir() if p.name.endswith((".tf", ".tf.json"))
                )
            except OSError:
                files = []
            place = f"{unit}/{files[0]}" if files and unit != "." else (files[0] if files else unit)
        message = (
            f"iaclint could not evaluate this {'module' if directory.is_dir() else 'file'}"
            f" ({type(exc).__name__}: {exc}); the rest of the scan went on — please "
            "report this with --debug output"
        )
        return ParseResult(findings=[tool_finding(FILE_DOES_NOT_PARSE, message, Span(place, 1))])


def prefer_plans(parsed: ParseResult) -> None:
    """A plan beside its configuration describes the same resources with resolved values: its
    resources (already pointed at the configuration's lines) replace the evaluated ones."""
    planned = {
        (r.address, r.file)
        for r in parsed.resources
        if "plan_span" in r.meta and r.file.endswith((".tf", ".tf.json"))
    }
    if planned:
        parsed.resources = [
            r
            for r in parsed.resources
            if "plan_span" in r.meta or (r.address, r.file) not in planned
        ]


def terraform_roots(found: Discovery) -> list[str]:
    """Module directories to evaluate as roots: those no other scanned directory calls locally."""
    if not found.module_dirs:
        return []
    from linter.frontends.terraform.module import local_module_dirs

    called: set[str] = set()
    for module_dir in found.module_dirs:
        called.update(d for d in local_module_dirs(found.root, module_dir) if d != module_dir)
    roots = [d for d in found.module_dirs if d not in called]
    return roots or list(found.module_dirs)


def evaluate_terraform(root: pathlib.Path, module_dir: str, options: ScanOptions) -> ParseResult:
    from linter.frontends.terraform.module import evaluate_module

    return evaluate_module(root, module_dir, options)


def parse_candidate(root: pathlib.Path, rel: str, options: ScanOptions) -> ParseResult:
    """A YAML/JSON file: a Terraform plan or a CloudFormation template by content; else nothing."""
    result = ParseResult()
    data = read_file(root, rel, result, options.budgets.template_bytes)
    if data is None:
        return result
    if rel.endswith(".json"):
        from linter.frontends.plan import looks_like_plan, parse_plan

        if looks_like_plan(data):
            return parse_plan(root, rel, data)
    from linter.frontends.cloudformation.decode import looks_like_cfn

    if looks_like_cfn(data):
        from linter.frontends.cloudformation.template import evaluate_template

        return evaluate_template(root, rel, data, options)
    unread_encoding(rel, data, result)
    return result


def merge(into: ParseResult, part: ParseResult) -> None:
    into.resources.extend(part.resources)
    into.edges.extend(part.edges)
    into.findings.extend(part.findings)
    into.unknowns.extend(part.unknowns)
    into.files.extend(part.files)


def build_graph(parsed: ParseResult, options: ScanOptions, base: ParseResult | None = None
                ) -> Graph:
    """The graph of one unit's resources, derived once (and the base revision's, for rules
    about a change)."""
    from linter.graph.graph import build
    from linter.graph.identity import derive

    graph = build(parsed.resources, parsed.edges)
    derive(graph)
    if base is not None:
        graph.base = build(base.resources, base.edges)
        derive(graph.base)
    return graph


def judge(
    root: pathlib.Path,
    units: Mapping[str, ParseResult],
    rules: list[Rule],
    options: ScanOptions,
    base: Mapping[str, ParseResult],
) -> ScanResult:
    """Rules on each unit's own graph, then suppressions and the baseline over all findings."""
    from linter.engine.baseline import apply_baseline, read_baseline
    from linter.engine.suppress import apply_inline

    findings: list[Finding] = []
    verdicts: list[UnknownVerdict] = []
    resources: list[Resource] = []
    names = sorted(units)
    judgements = judge_units(names, units, rules, options, base)
    for name, (found, undecided, judged) in zip(names, judgements, strict=True):
        findings.extend(units[name].findings)
        findings.extend(found)
        verdicts.extend(undecided)
        resources.extend(judged)
    findings = apply_inline(root, findings, resources, rules, options)
    stale: list[BaselineEntry] = []
    if options.baseline:
        findings, stale = apply_baseline(findings, read_baseline(options.baseline))
    findings.sort(key=lambda f: f.sort_key)
    return ScanResult(
        root=root,
        findings=findings,
        unknown_verdicts=sorted(
            verdicts, key=lambda v: (v.span.file, v.span.start_line, v.rule_id, v.address)
        ),
        unknowns=[u for parsed in units.values() for u in parsed.unknowns],
        files=sorted({f for parsed in units.values() for f in parsed.files}),
        rules=rules,
        stale_baseline=stale,
        resources=resources,
        units=dict(units),
    )


Judged = tuple[list[Finding], list[UnknownVerdict], list[Resource]]
# what forked judging workers read (set in the parent just before the fork, cleared after)
_judging: tuple[Mapping[str, ParseResult], list[PreparedRule], ScanOptions,
                Mapping[str, ParseResult]] | None = None


def judge_units(names: Sequence[str], units: Mapping[str, ParseResult], rules: list[Rule],
                options: ScanOptions, base: Mapping[str, ParseResult]) -> list[Judged]:
    """Each unit of ``names`` judged on its own graph: its findings, the verdicts unknowns
    prevented, the resources the rules judged. In worker processes when there are enough units:
    they inherit the units and return the findings and verdicts, and the judged resources as
    positions in the unit's list (the parent has them already)."""
    from linter.engine.evaluate import prepare

    global _judging
    prepared = prepare(rules, options)  # the same for every unit
    jobs = worker_count(options.jobs, len(names))
    if jobs == 1:
        return [judge_unit(units[name], prepared, options, base.get(name)) for name in names]
    _judging = (units, prepared, options, base)
    try:
        with long_lived():
            judged = ordered_map(_judge_in_worker, names, jobs)
    finally:
        _judging = None
    return [(found, undecided, [units[name].resources[i] for i in positions])
            for name, (found, undecided, positions) in zip(names, judged, strict=True)]


def _judge_in_worker(name: str) -> tuple[list[Finding], list[UnknownVerdict], list[int]]:
    assert _judging is not None, "a judging worker starts with the units it judges"
    units, prepared, options, base = _judging
    parsed = units[name]
    found, undecided, judged = judge_unit(parsed, prepared, options, base.get(name))
    position = {id(resource): i for i, resource in enumerate(parsed.resources)}
    return found, undecided, [position[id(resource)] for resource in judged]


def judge_unit(parsed: ParseResult, rules: list[PreparedRule], options: ScanOptions,
               base: ParseResult | None) -> Judged:
    """The rules on one unit's graph (and its base revision's, for rules about a change)."""
    from linter.engine.evaluate import run_rules

    with long_lived():
        graph = build_graph(parsed, options, base)
        found, undecided = run_rules(rules, graph, options)
    return found, undecided, list(graph.resources.values())
