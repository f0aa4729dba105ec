"""``iaclint test-rules DIR``: users' rules tested like the bundled ones.

Two layouts are recognised:

* a rule file beside its fixture directory — ``my-rules/no-public-ip.yaml`` and
  ``my-rules/no-public-ip/main.tf`` (any depth below DIR);
* the layout of this repository — ``DIR/rules/<path>.yaml`` and ``DIR/fixtures/<path>/``.

Every case below a rule's fixture directory is scanned with the bundled rules plus the rules of
DIR and checked both ways against its ``# ruleid:`` / ``# ok:`` annotations (the harness in
``linter.testing.fixture_harness``). A rule without a fixture directory is a failure too: an
untested rule is how a typo silently disables a check.
"""

from __future__ import annotations

import functools
import pathlib
from collections.abc import Sequence

from linter.engine.loader import RULE_SUFFIXES, bundled_rules_dir, load_rules, rule_files
from linter.errors import ConfigError
from linter.records import record
from linter.rule import Rule
from linter.testing.fixture_harness import (
    CaseReport,
    Mismatch,
    check_case,
    find_cases,
    pipeline_scan,
)


@record
class RuleSuite:
    """The rules of a directory and where each one's fixtures are."""

    rules_dir: pathlib.Path
    fixtures: tuple[tuple[pathlib.Path, pathlib.Path], ...]  # (rule file, fixture directory)


@record
class SuiteReport:
    cases: tuple[CaseReport, ...]
    untested: tuple[tuple[pathlib.Path, pathlib.Path], ...]  # (rule file, missing fixture dir)

    @property
    def ok(self) -> bool:
        return not self.untested and all(case.ok for case in self.cases)


def find_suite(target: pathlib.Path) -> RuleSuite:
    """The rule files under ``target`` (a directory or one rule file) and their fixtures."""
    if not target.exists():
        raise ConfigError("no such file or directory", str(target))
    if target.is_file():
        if target.suffix not in RULE_SUFFIXES:
            raise ConfigError("not a rule file (.yaml / .yml)", str(target))
        return RuleSuite(target.parent, ((target, target.with_suffix("")),))
    rules_dir, fixtures_dir = target / "rules", target / "fixtures"
    if rules_dir.is_dir():
        pairs = tuple(
            (rule, fixtures_dir / rule.relative_to(rules_dir).with_suffix(""))
            for rule in rule_files(rules_dir)
        )
        return RuleSuite(rules_dir, pairs)
    return RuleSuite(target, tuple((rule, rule.with_suffix("")) for rule in rule_files(target)))


def load_suite_rules(suite: RuleSuite) -> list[Rule]:
    """The bundled rules plus the suite's (once; ConfigError when a rule is invalid)."""
    bundled = bundled_rules_dir().resolve()
    own = suite.rules_dir.resolve()
    if own == bundled or bundled in own.parents:
        return load_rules([bundled])
    files = [rule for rule, _ in suite.fixtures]
    return load_rules([bundled, *files])


def run_suite(suite: RuleSuite, rules: Sequence[Rule]) -> SuiteReport:
    scan = functools.partial(pipeline_scan, rules=list(rules))
    cases: list[CaseReport] = []
    untested: list[tuple[pathlib.Path, pathlib.Path]] = []
    for rule_file, fixture_dir in suite.fixtures:
        if not fixture_dir.is_dir():
            untested.append((rule_file, fixture_dir))
            continue
        cases.extend(check_case(case, scan) for case in find_cases(fixture_dir))
    return SuiteReport(tuple(cases), tuple(untested))


def diff_lines(mismatches: Sequence[Mismatch]) -> list[str]:
    """Expected vs. reported as a diff: ``-`` expected but not reported, ``+`` reported but
    not expected, ``!`` a todo annotation that no longer holds."""
    out = []
    for m in mismatches:
        where = f"{m.file}:{m.line}" if m.file else "(fixture)"
        if m.problem.startswith("expected"):
            sign = "-"
        elif m.problem.startswith(("unexpected", f"{m.rule_id} reported")):
            sign = "+"
        else:
            sign = "!"
        out.append(f"  {sign} {where} {m.rule_id}  {m.problem}".rstrip())
    return out


def render(report: SuiteReport, root: pathlib.Path) -> str:
    """The text ``iaclint test-rules`` prints."""
    out: list[str] = []
    for case in report.cases:
        name = _relative(case.case, root)
        expected = sum(1 for e in case.expectations if e.kind in ("ruleid", "todook"))
        if case.ok:
            out.append(f"PASS {name} ({expected} expected finding{'s' * (expected != 1)})")
            continue
        out.append(f"FAIL {name}")
        out.append("  expected (-) vs reported (+):")
        out.extend(diff_lines(case.mismatches))
        out.extend("  " + line for line in case.render().splitlines()[1:])
    for rule, fixture_dir in report.untested:
        out.append(f"FAIL {_relative(rule, root)}: untested, no fixture directory "
                   f"{_relative(fixture_dir, root)}/")
    failed = sum(1 for c in report.cases if not c.ok) + len(report.untested)
    passed = sum(1 for c in report.cases if c.ok)
    out.append(f"{passed} passed, {failed} failed")
    return "\n".join(out) + "\n"


def _relative(path: pathlib.Path, root: pathlib.Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        return str(path)
