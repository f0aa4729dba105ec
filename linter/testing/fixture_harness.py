"""The fixture harness: every annotated fixture directory is scanned and checked both ways.

A *case* is a directory under the fixtures root that directly contains scannable files
(``.tf``, ``.tf.json``, ``.tfvars``, ``.yaml``, ``.yml``, ``.json``, ``.template``). It is
scanned as a whole with ``linter.pipeline.scan`` (the case directory is the scan root). A
directory named ``modules`` (and everything below it) is never a case of its own: it holds
child modules that the case above calls, and its files belong to that case. Every other
subdirectory is a case of its own and is excluded from its parent's scan.

Expectations are comments in the files (semgrep-style), on the line itself (trailing) or on
their own line (they then apply to the next line that is neither blank nor a comment):

    # ruleid: IAC0101          this line must get an IAC0101 finding
    # ok: IAC0101              this line must not (a deliberate negative)
    # todoruleid: IAC0101      known false negative: must NOT fire yet (strict, like xfail)
    # todook: IAC0101          known false positive: MUST still fire (strict)

``//`` works as well as ``#``; several ids may be separated by commas. Rule ids are ``IAC0101``
or a user's own prefix (``ACME0001``). JSON cannot hold
comments: ``<file>.expected.yaml`` beside it lists ``- {line: 12, ruleid: IAC0101}`` (or
``ok`` / ``todoruleid`` / ``todook``). ``options.yaml`` in a case holds scan options in the
configuration-file format (``max-hop-limit: 2``, ``hop-limit-exceptions: [...]``). A ``base``
directory in a case holds the tree at the base revision, for rules about a change (``--diff-base``;
``Graph.base``): it is scanned first and its graph is handed to the case's scan. Like ``modules``
it is never a case of its own. A ``roots`` directory holds several root modules or templates
scanned together as one case (``roots/envs/dev``, ``roots/envs/prod``): the case above it is a
case even without files of its own, and nothing below ``roots`` is a case of its own.

A suppressed finding (``iaclint:ignore``, CloudFormation ``Metadata``) is not reported: mark its
line ``ok``.

The comparison covers every rule id the case's annotations mention plus the reserved tool ids
(a file that does not parse, a rule that raised, … must always be annotated): each expected
finding must be reported on its line, and nothing else may be. A failure prints the files with
``>>`` on the wrong lines and what is wrong with each.

No pytest import here: ``iaclint test-rules DIR`` runs this module (``tests/fixture_harness.py``
re-exports it for the test suite).
"""

from __future__ import annotations

import dataclasses
import pathlib
import re
from collections.abc import Callable, Iterable, Sequence

import yaml

from linter.model import Finding
from linter.options import ScanOptions
from linter.records import record
from linter.regex import lazy
from linter.rule import RESERVED, Rule

SCANNABLE_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".yaml", ".yml", ".json", ".template")
OPTIONS_FILE = "options.yaml"
SIDECAR_SUFFIX = ".expected.yaml"
MODULES_DIR = "modules"
BASE_DIR = "base"
ROOTS_DIR = "roots"
NOT_CASES = (MODULES_DIR, BASE_DIR, ROOTS_DIR)
KINDS = ("ruleid", "ok", "todoruleid", "todook")
_ANNOTATION = lazy(
    r"(?P<marker>#|//)\s*(?P<kind>todoruleid|todook|ruleid|ok)\s*:\s*"
    r"(?P<ids>[A-Z]{2,12}\d{3,6}(?:\s*,\s*[A-Z]{2,12}\d{3,6})*)\b"
)
_COMMENT_LINE = lazy(r"\s*(#|//)")
_FULL_FILE_LINES = 150  # longer files are shown as windows around the wrong lines
_WINDOW = 4


@record
class Expectation:
    file: str  # relative to the case directory (POSIX)
    line: int
    rule_id: str
    kind: str  # ruleid | ok | todoruleid | todook
    source_line: int = 0  # where the annotation itself is (0 = sidecar)


@record
class Actual:
    file: str
    line: int
    rule_id: str
    message: str


@record
class Mismatch:
    file: str
    line: int
    rule_id: str
    problem: str


@record
class CaseReport:
    case: pathlib.Path
    expectations: tuple[Expectation, ...]
    actual: tuple[Actual, ...]
    mismatches: tuple[Mismatch, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def render(self) -> str:
        return render_mismatches(self.case, self.mismatches)


class FixtureError(Exception):
    """A broken fixture (bad sidecar, contradictory annotations): the case fails with this."""


ScanFn = Callable[[pathlib.Path, ScanOptions], Sequence[Finding]]


# ---------------------------------------------------------------- finding cases


def _scannable(path: pathlib.Path) -> bool:
    name = path.name
    return (path.is_file() and name.endswith(SCANNABLE_SUFFIXES) and name != OPTIONS_FILE
            and not name.endswith(SIDECAR_SUFFIX))


def _in_modules(directory: pathlib.Path, root: pathlib.Path) -> bool:
    """Below a ``modules`` or ``base`` directory: files that belong to the case above."""
    return any(part in NOT_CASES for part in directory.relative_to(root).parts)


def find_cases(root: pathlib.Path) -> list[pathlib.Path]:
    """Every case directory below ``root`` (``root`` itself included), sorted."""
    candidates = [root, *sorted(p for p in root.rglob("*") if p.is_dir())]
    return [
        d for d in candidates
        if not _in_modules(d, root) and not any(part.startswith(".")
                                               for part in d.relative_to(root).parts)
        and ((d / ROOTS_DIR).is_dir() or any(_scannable(f) for f in d.iterdir()))
    ]


def sub_cases(case: pathlib.Path) -> list[pathlib.Path]:
    """Subdirectories of ``case`` that are cases of their own (excluded from its scan)."""
    return [d for d in find_cases(case) if d != case]


def case_files(case: pathlib.Path) -> list[pathlib.Path]:
    """The files that belong to ``case``: all below it except those of its sub-cases and of its
    base revision."""
    excluded = [*sub_cases(case), case / BASE_DIR]
    return [
        path for path in sorted(case.rglob("*"))
        if path.is_file() and not any(d in path.parents for d in excluded)
        and not any(part.startswith(".") for part in path.relative_to(case).parts)
    ]


# ---------------------------------------------------------------- expectations


def read_expectations(case: pathlib.Path) -> list[Expectation]:
    out: list[Expectation] = []
    for path in case_files(case):
        rel = path.relative_to(case).as_posix()
        if path.name == OPTIONS_FILE or path.name.endswith(SIDECAR_SUFFIX):
            continue
        if path.name.endswith(".json"):
            sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
            if sidecar.is_file():
                out.extend(read_sidecar(sidecar, rel))
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # binary / broken fixtures are annotated through a sidecar
        out.extend(comment_expectations(rel, text))
    _check_contradictions(out)
    return out


def comment_expectations(file: str, text: str) -> list[Expectation]:
    """Annotations in ``#`` / ``//`` comments of one file."""
    lines = text.splitlines()
    out: list[Expectation] = []
    for index, line in enumerate(lines):
        match = _ANNOTATION.search(line)
        if match is None:
            continue
        own_line = not line[: match.start()].strip()
        target = index + 1  # 1-based line of the annotation itself
        if own_line:
            target = _next_code_line(lines, index)
            if target == 0:
                raise FixtureError(f"{file}:{index + 1}: annotation with no line after it")
        for rule_id in re.split(r"\s*,\s*", match.group("ids")):
            out.append(Expectation(file, target, rule_id, match.group("kind"), index + 1))
    return out


def _next_code_line(lines: list[str], index: int) -> int:
    for later in range(index + 1, len(lines)):
        if lines[later].strip() and not _COMMENT_LINE.match(lines[later]):
            return later + 1
    return 0


def read_sidecar(sidecar: pathlib.Path, file: str) -> list[Expectation]:
    try:
        data = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FixtureError(f"{sidecar.name}: cannot read: {exc}") from exc
    if not isinstance(data, list):
        raise FixtureError(f"{sidecar.name}: expected a list of {{line: N, ruleid: ID}}")
    out = []
    for number, item in enumerate(data, 1):
        kinds = [k for k in KINDS if isinstance(item, dict) and k in item]
        if (not isinstance(item, dict) or len(kinds) != 1 or not isinstance(item.get("line"), int)
                or set(item) - {"line", *KINDS}):
            raise FixtureError(f"{sidecar.name}: entry {number} must be {{line: N, <kind>: ID}} "
                               f"with one kind of {', '.join(KINDS)}")
        ids = item[kinds[0]]
        for rule_id in ids if isinstance(ids, list) else [ids]:
            out.append(Expectation(file, item["line"], str(rule_id), kinds[0]))
    return out


def _check_contradictions(expectations: Iterable[Expectation]) -> None:
    seen: dict[tuple[str, int, str], str] = {}
    for e in expectations:
        key = (e.file, e.line, e.rule_id)
        firing = e.kind in ("ruleid", "todook")
        if key in seen and (seen[key] in ("ruleid", "todook")) != firing:
            raise FixtureError(
                f"{e.file}:{e.line}: {e.rule_id} is annotated both {seen[key]} and {e.kind}")
        seen[key] = e.kind


# ---------------------------------------------------------------- scanning


def case_options(case: pathlib.Path) -> ScanOptions:
    """``options.yaml`` (configuration-file format) applied to the defaults; sub-cases excluded."""
    from linter.config.load import LoadedConfig, apply_config, read_config

    options = ScanOptions()
    path = case / OPTIONS_FILE
    if path.is_file():
        options = apply_config(LoadedConfig(path, read_config(path)), options, set())
    excluded = tuple(d.relative_to(case).as_posix() for d in sub_cases(case))
    if (case / BASE_DIR).is_dir():
        excluded += (BASE_DIR,)
    return dataclasses.replace(options, exclude=(*options.exclude, *excluded))


def pipeline_scan(
    case: pathlib.Path, options: ScanOptions, rules: list[Rule] | None = None
) -> Sequence[Finding]:
    """Scan with the real pipeline, the case directory as the scan root (after its ``base``
    revision, when it has one). ``rules``: already loaded rules (default: bundled + options)."""
    from linter.pipeline import scan

    root = case.resolve()
    base = None
    base_dir = root / BASE_DIR
    if base_dir.is_dir():
        base = scan([str(base_dir)], options, rules=rules, root=base_dir).units
    return scan([str(root)], options, rules=rules, root=root, base=base).findings


# ---------------------------------------------------------------- comparing


def check_case(case: pathlib.Path, scan: ScanFn = pipeline_scan) -> CaseReport:
    """Scan ``case`` and compare its findings with its annotations, both ways."""
    try:
        expectations = read_expectations(case)
    except FixtureError as exc:
        mismatch = Mismatch("", 0, "", f"broken fixture: {exc}")
        return CaseReport(case, (), (), (mismatch,))
    options = case_options(case)
    # opt-in rules run when the case annotates them
    options = dataclasses.replace(
        options, enable=(*options.enable, *sorted({e.rule_id for e in expectations})))
    findings = scan(case, options)
    belongs = {p.relative_to(case).as_posix() for p in case_files(case)}
    actual = tuple(
        Actual(f.span.file, f.span.start_line, f.rule_id, f.message)
        for f in findings if f.span.file in belongs and f.suppression is None
    )
    return CaseReport(case, tuple(expectations), actual, compare(expectations, actual))


def compare(expectations: Sequence[Expectation], actual: Sequence[Actual]) -> tuple[Mismatch, ...]:
    relevant = {e.rule_id for e in expectations} | set(RESERVED)
    reported: dict[tuple[str, int, str], Actual] = {}
    for a in actual:
        if a.rule_id in relevant:
            reported.setdefault((a.file, a.line, a.rule_id), a)
    by_key: dict[tuple[str, int, str], str] = {
        (e.file, e.line, e.rule_id): e.kind for e in expectations
    }
    problems: list[Mismatch] = []
    for (file, line, rule_id), kind in by_key.items():
        fired = (file, line, rule_id) in reported
        if kind == "ruleid" and not fired:
            problems.append(Mismatch(file, line, rule_id, f"expected {rule_id} here, not reported"))
        elif kind == "todook" and not fired:
            problems.append(Mismatch(file, line, rule_id,
                                     f"todook: {rule_id} no longer fires here; make it `ok`"))
    for key, finding in reported.items():
        kind = by_key.get(key, "")
        file, line, rule_id = key
        if kind == "todoruleid":
            problems.append(Mismatch(file, line, rule_id,
                                     f"todoruleid: {rule_id} now fires here; make it `ruleid`"))
        elif kind == "ok":
            problems.append(Mismatch(file, line, rule_id,
                                     f"{rule_id} reported on a line marked ok: {finding.message}"))
        elif kind not in ("ruleid", "todook"):
            problems.append(Mismatch(file, line, rule_id,
                                     f"unexpected {rule_id}: {finding.message}"))
    return tuple(sorted(problems, key=lambda m: (m.file, m.line, m.rule_id)))


# ---------------------------------------------------------------- reporting


def render_mismatches(case: pathlib.Path, mismatches: Sequence[Mismatch]) -> str:
    """The files of ``case`` with ``>>`` on every wrong line and the problem below it."""
    out = [f"fixture {case}: {len(mismatches)} mismatch(es)"]
    by_file: dict[str, list[Mismatch]] = {}
    for m in mismatches:
        by_file.setdefault(m.file, []).append(m)
    for file, items in by_file.items():
        if not file:
            out.extend(f"  {m.problem}" for m in items)
            continue
        try:
            lines = (case / file).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines = []
        out.append(f"--- {file}")
        wrong = {m.line for m in items}
        width = len(str(max(len(lines), 1)))
        shown = _shown_lines(len(lines), wrong)
        previous = 0
        for number in shown:
            if previous and number != previous + 1:
                out.append(f"   {'':>{width}} ...")
            marker = ">>" if number in wrong else "  "
            out.append(f"{marker} {number:>{width}} | {lines[number - 1]}")
            for m in items:
                if m.line == number:
                    out.append(f"   {'':>{width}} | ^ {m.problem}")
            previous = number
        for m in items:
            if not 1 <= m.line <= len(lines):
                out.append(f">> line {m.line} (past the end of the file): {m.problem}")
    return "\n".join(out)


def _shown_lines(count: int, wrong: set[int]) -> list[int]:
    if count <= _FULL_FILE_LINES:
        return list(range(1, count + 1))
    shown = {n for w in wrong for n in range(w - _WINDOW, w + _WINDOW + 1) if 1 <= n <= count}
    return sorted(shown)
