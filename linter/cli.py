"""The ``iaclint`` command: thin typer commands over plain functions, returning exit codes.

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage or configuration error,
3 internal error (one line asking for a report; the traceback only with ``--debug``).
"""

# no ``from __future__ import annotations`` here: typer reads every command's parameters at
# start-up, and string annotations would make it compile about two hundred of them with eval

import dataclasses
import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from linter import __version__
from linter.errors import ConfigError
from linter.model import Severity

if TYPE_CHECKING:
    from linter.options import Budgets, ScanOptions
    from linter.result import ScanResult

EXIT_CLEAN, EXIT_FINDINGS, EXIT_CONFIG, EXIT_INTERNAL = 0, 1, 2, 3
FORMATS = ("text", "concise", "json", "sarif", "github", "junit", "gitlab")
ISSUES_URL = "https://github.com/iaclint/iaclint/issues"

app = typer.Typer(
    name="iaclint",
    help="Policy-as-code linter for Terraform and CloudFormation: EC2 instance identity.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_argv: list[str] = []  # the raw arguments, to pair each --output with the --format before it


def show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"iaclint {__version__}\n")
        raise typer.Exit(EXIT_CLEAN)


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=show_version,
                     help="Print the version and exit."),
    ] = False,
) -> None:
    """Policy-as-code linter for Terraform and CloudFormation: EC2 instance identity."""


def split_values(values: Sequence[str] | None) -> tuple[str, ...]:
    """Repeatable options also take lists separated by commas or spaces
    (``--select IAC0101,x``, ``--select "IAC0101 IAC0102"``): no rule name has either."""
    out: list[str] = []
    for value in values or ():
        out.extend(v for v in value.replace(",", " ").split() if v)
    return tuple(out)


def parse_assignments(values: Sequence[str] | None, flag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values or ():
        name, sep, rhs = value.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"{flag} expects NAME=VALUE, got {value!r}")
        out[name.strip()] = rhs
    return out


def pair_outputs(formats: list[str], outputs: list[str], argv: list[str]) -> list[tuple[str, str]]:
    """Each ``--output`` belongs to the ``--format`` given before it; other formats go to stdout.

    ``--format sarif --output x.sarif --format text`` writes SARIF to x.sarif and text to stdout.
    An ``--output`` given before any ``--format`` belongs to the first format.
    """
    if len(outputs) > len(formats):
        raise ConfigError("more --output than --format options")
    assigned: dict[int, str] = {}
    fmt_index = -1
    tokens = iter(argv)
    seen_format = False
    for token in tokens:
        name, eq, inline = token.partition("=")
        if name in ("--format", "-f"):
            if not eq:
                next(tokens, None)  # the format's value
            fmt_index += 1
            seen_format = True
        elif name in ("--output", "-o"):
            value = inline if eq else next(tokens, "")
            target = (
                fmt_index
                if fmt_index >= 0 and fmt_index not in assigned
                else next(i for i in range(len(formats) + 1) if i not in assigned)
            )
            assigned[target] = value
    if not seen_format:  # only the default format, or called without the raw argv
        assigned = dict(enumerate(outputs))
    return [(fmt, assigned.get(index, "-")) for index, fmt in enumerate(formats)]


def use_color(stream: object) -> bool:
    return (
        hasattr(stream, "isatty")
        and stream.isatty()
        and "NO_COLOR" not in os.environ
        and os.environ.get("TERM") != "dumb"
    )


@app.command()
def check(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files or directories (default: .)")
    ] = None,
    format_: Annotated[
        list[str] | None,
        typer.Option(
            "--format", "-f",
            help=f"{', '.join(FORMATS)} (repeatable; at most one without --output) "
            "[default: text]",
        ),
    ] = None,
    output: Annotated[
        list[str] | None,
        typer.Option("--output", "-o", help="Write the preceding --format here (repeatable)"),
    ] = None,
    rules: Annotated[
        list[str] | None, typer.Option("--rules", help="Extra rule directory (repeatable)")
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", help="Only these rule ids, names or categories"),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", help="Skip these rule ids, names or categories"),
    ] = None,
    enable: Annotated[
        list[str] | None,
        typer.Option("--enable", help="Also run these opt-in rules (ids or names)"),
    ] = None,
    fail_on: Annotated[
        Severity | None,
        typer.Option("--fail-on", help="Lowest severity that fails the run [default: warning]"),
    ] = None,
    exit_zero: Annotated[
        bool,
        typer.Option("--exit-zero",
                     help="Exit 0 even when findings are reported (errors still exit 2 or 3)"),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q",
                     help="Only the findings: no summary line, no notes about the baseline"),
    ] = False,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            help="Do not scan paths matching this gitignore-style pattern (repeatable; added "
            "to the configuration's exclude: and the defaults, such as .terraform and .git)",
        ),
    ] = None,
    show_unknown: Annotated[
        bool, typer.Option("--show-unknown", help="List every verdict an unknown value prevented")
    ] = False,
    max_hop_limit: Annotated[
        int | None,
        typer.Option(
            "--max-hop-limit", min=1, max=64,
            help="Highest allowed IMDS hop limit (the max_hop_limit parameter) [default: 1]"
        ),
    ] = None,
    var: Annotated[
        list[str] | None,
        typer.Option("--var", help="Terraform variable NAME=VALUE (repeatable)"),
    ] = None,
    var_file: Annotated[
        list[str] | None, typer.Option("--var-file", help="Terraform .tfvars file (repeatable)")
    ] = None,
    cfn_param: Annotated[
        list[str] | None,
        typer.Option("--cfn-param", help="CloudFormation parameter NAME=VALUE (repeatable)"),
    ] = None,
    cfn_param_file: Annotated[
        list[str] | None,
        typer.Option(
            "--cfn-param-file",
            help="CloudFormation parameter file (AWS CLI or CodePipeline format)",
        ),
    ] = None,
    account_imds_defaults: Annotated[
        str | None,
        typer.Option(
            "--account-imds-defaults",
            help="Account-level IMDS defaults set elsewhere: tokens=required,hop-limit=N",
        ),
    ] = None,
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            help="Configuration file [default: .iaclint.yaml or "
            "[tool.iaclint] in pyproject.toml, searched upward from the scan root]",
        ),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", help="Report only findings not recorded in this baseline"),
    ] = None,
    no_inline_suppressions: Annotated[
        bool,
        typer.Option("--no-inline-suppressions",
                     help="Ignore every inline suppression (iaclint's and other scanners')"),
    ] = False,
    no_peer_suppressions: Annotated[
        bool,
        typer.Option(
            "--no-peer-suppressions",
            help="Ignore suppressions written for Checkov, tfsec, Trivy and cfn_nag",
        ),
    ] = False,
    diff_base: Annotated[
        str | None,
        typer.Option(
            "--diff-base", help="Report only findings new or changed since this git revision"
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=0,
            help="Processes that evaluate a scan of many root modules or templates: 1 = this "
            "one, 0 = one per core, N = N (reports are the same either way; on two cores "
            "workers cost more than they save up to 500 templates) [default: 1]",
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Print tracebacks of internal errors")
    ] = False,
    fix: Annotated[
        bool, typer.Option("--fix", help="Apply the automatic fixes, then report what is left")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="With --fix: print the fixes as a diff, write nothing")
    ] = False,
) -> None:
    """Scan Terraform and CloudFormation and report findings."""
    if diff and not fix:
        raise ConfigError("--diff shows what --fix would change: use --fix --diff")
    formats = list(format_ or ["text"])
    for fmt in formats:
        if fmt not in FORMATS:
            raise ConfigError(f"unknown --format {fmt!r}; choose from {', '.join(FORMATS)}")
    pairs = pair_outputs(formats, list(output or []), _argv)
    to_stdout = [fmt for fmt, destination in pairs if destination == "-"]
    if len(to_stdout) > 1:
        raise ConfigError(
            f"--format {' and '.join(to_stdout)} would both go to stdout; give all but one "
            "an --output FILE"
        )
    targets = list(paths or ["."])
    check_paths(targets)
    options = build_options(
        targets,
        config=config,
        rules=rules,
        select=select,
        ignore=ignore,
        enable=enable,
        fail_on=fail_on,
        show_unknown=show_unknown,
        max_hop_limit=max_hop_limit,
        var=var,
        var_file=var_file,
        cfn_param=cfn_param,
        cfn_param_file=cfn_param_file,
        account_imds_defaults=account_imds_defaults,
        baseline=baseline,
        no_inline_suppressions=no_inline_suppressions,
        no_peer_suppressions=no_peer_suppressions,
        exclude=exclude,
    )
    options = with_fixes(options, fix, formats)
    options = dataclasses.replace(options, jobs=1 if jobs is None else jobs)
    from linter.progress import ScanProgress

    with ScanProgress(enabled=False if quiet else None) as progress:
        if diff_base:
            from linter.diff import scan_diff

            result = scan_diff(targets, options, diff_base, progress=progress)
        else:
            from linter.pipeline import scan

            result = scan(targets, options, progress=progress)
    if fix:
        result = fix_findings(result, diff, lambda: rescan(targets, options, diff_base),
                              options.budgets)
    gc.freeze()  # the result lives on: no pass of the collector walks it while reporting
    try:
        for fmt, destination in pairs:
            write_report(fmt, destination, result, show_unknown, quiet=quiet)
    finally:
        gc.unfreeze()  # the process may go on (tests, callers of main)
    if result.stale_baseline and not quiet:
        sys.stderr.write(
            f"iaclint: {len(result.stale_baseline)} baseline entr"
            f"{'y no longer occurs' if len(result.stale_baseline) == 1 else 'ies no longer occur'}"
            " (re-create the baseline to drop them):\n"
        )
        from linter.report.locations import repository_relative

        for entry in repository_relative(result).stale_baseline:  # paths as in the reports
            sys.stderr.write(f"  {entry.rule} {entry.resource} ({entry.file})\n")
    raise typer.Exit(EXIT_CLEAN if exit_zero else exit_code(result.findings, options.fail_on))


def check_paths(targets: Sequence[str]) -> None:
    """Every path given exists: a typo must not scan nothing and pass."""
    missing = [t for t in targets if _missing(t)]
    if missing:
        names = ", ".join(missing)
        raise ConfigError(f"no such file or directory: {names}")


def _missing(target: str) -> bool:
    """Whether ``target`` does not exist (one that exists but cannot be read is no typo:
    discovery reports it as a finding on its path)."""
    import os

    try:
        os.stat(target)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


def fix_findings(result: "ScanResult", diff_only: bool, again: Callable[[], "ScanResult"],
                 budgets: "Budgets | None" = None) -> "ScanResult":
    """``--fix``: write the fixes and scan again; ``--fix --diff``: print them as a unified diff
    (nothing is written) and drop the findings they fix. Either way the findings left are
    returned, and stderr says what was fixed and why each other fixable finding was not. Paths
    shown are repository-relative, like the reports' (the diff applies with ``git apply``)."""
    import dataclasses

    from linter.fixes.apply import apply_fixes, diff, write_changes
    from linter.report.locations import repository_relative
    from linter.report.redact import redact, secrets_of_result

    secrets = secrets_of_result(result)  # the diff and the notes pass the one redactor too
    outcome = apply_fixes(result.root, result.findings, budgets)
    files = len(outcome.changes)
    count = f"{len(outcome.fixed)} finding{'s' if len(outcome.fixed) != 1 else ''}"
    where = f"{files} file{'s' if files != 1 else ''}"
    if diff_only:
        shown = repository_relative(dataclasses.replace(
            result, findings=[], files=[c.file for c in outcome.changes])).files
        patch = diff([dataclasses.replace(c, file=path)
                      for c, path in zip(outcome.changes, shown, strict=True)])
        masked = redact(patch, secrets)
        sys.stdout.write(masked)
        sys.stdout.flush()
        if masked != patch:
            sys.stderr.write("iaclint: --fix --diff: secrets in the diff are masked, so it does "
                             "not apply as printed (--fix writes the changes)\n")
        fixed = {id(f) for f in outcome.fixed}
        left = dataclasses.replace(
            result, findings=[f for f in result.findings if id(f) not in fixed])
        sys.stderr.write(f"iaclint: --fix --diff: {count} would be fixed in {where} "
                         "(nothing written)\n")
    else:
        write_changes(result.root, outcome.changes)
        left = again() if outcome.changes else result
        if outcome.fixed or outcome.unfixed:
            sys.stderr.write(f"iaclint: fixed {count} in {where}\n")
        else:
            sys.stderr.write("iaclint: nothing to fix\n")
    if outcome.unfixed:
        sys.stderr.write(f"iaclint: {len(outcome.unfixed)} fixable finding"
                         f"{'s' if len(outcome.unfixed) != 1 else ''} left as they are:\n")
        moved = repository_relative(dataclasses.replace(
            result, findings=[f for f, _note in outcome.unfixed])).findings
        for finding, (_finding, note) in zip(moved, outcome.unfixed, strict=True):
            sys.stderr.write(redact(f"  {finding.span}: {finding.rule_id} {finding.address}: "
                                    f"{note}\n", secrets))
    return left


def with_fixes(options: "ScanOptions", fix: bool, formats: Sequence[str]) -> "ScanOptions":
    """Plan the fixes when they are applied or reported (JSON and SARIF carry them)."""
    import dataclasses

    return dataclasses.replace(options, fixes=fix or not {"json", "sarif"}.isdisjoint(formats))


def rescan(targets: list[str], options: "ScanOptions", diff_base: str | None) -> "ScanResult":
    from linter.progress import ScanProgress

    with ScanProgress() as progress:
        if diff_base:
            from linter.diff import scan_diff

            return scan_diff(targets, options, diff_base, progress=progress)
        from linter.pipeline import scan

        return scan(targets, options, progress=progress)


def build_options(
    targets: list[str],
    *,
    config: str | None = None,
    rules: Sequence[str] | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    enable: Sequence[str] | None = None,
    fail_on: Severity | None = None,
    show_unknown: bool = False,
    max_hop_limit: int | None = None,
    var: Sequence[str] | None = None,
    var_file: Sequence[str] | None = None,
    cfn_param: Sequence[str] | None = None,
    cfn_param_file: Sequence[str] | None = None,
    account_imds_defaults: str | None = None,
    baseline: str | None = None,
    no_inline_suppressions: bool = False,
    no_peer_suppressions: bool = False,
    exclude: Sequence[str] | None = None,
) -> "ScanOptions":
    """Scan options from the configuration file, overridden by the flags that were given."""
    import pathlib

    from linter.config.load import apply_config, load_config
    from linter.discover.walk import scan_root
    from linter.options import ScanOptions

    imds_defaults = parse_assignments(
        split_values([account_imds_defaults] if account_imds_defaults else []),
        "--account-imds-defaults",
    )
    for key, value in imds_defaults.items():
        if key not in ("tokens", "hop-limit", "endpoint"):
            raise ConfigError(
                f"--account-imds-defaults: unknown key {key!r} (tokens, hop-limit, endpoint)"
            )
        if key == "hop-limit" and not value.isdigit():
            raise ConfigError(f"--account-imds-defaults: hop-limit must be a number, got {value!r}")
    given: set[str] = set()
    if select:
        given.add("select")
    if ignore:
        given.add("ignore")
    if fail_on is not None:
        given.add("fail_on")
    if imds_defaults:
        given.add("account_imds_defaults")
    if baseline:
        given.add("baseline")
    if no_inline_suppressions:
        given.add("inline_suppressions")
    if no_peer_suppressions:
        given.add("peer_suppressions")
    base = ScanOptions()
    options = ScanOptions(
        rule_dirs=tuple(rules or ()),
        select=split_values(select),
        ignore=split_values(ignore),
        enable=split_values(enable),
        fail_on=fail_on or base.fail_on,
        parameters={"max_hop_limit": max_hop_limit} if max_hop_limit is not None else {},
        show_unknown=show_unknown,
        var_files=tuple(var_file or ()),
        variables=parse_assignments(var, "--var"),
        cfn_parameters=parse_assignments(cfn_param, "--cfn-param"),
        cfn_parameter_files=tuple(cfn_param_file or ()),
        account_imds_defaults=imds_defaults,
        baseline=baseline or "",
        inline_suppressions=not no_inline_suppressions,
        peer_suppressions=not no_peer_suppressions,
        exclude=(*base.exclude, *(exclude or ())),
    )
    root = scan_root(targets)
    loaded = load_config(pathlib.Path(root), config)
    return apply_config(loaded, options, given)


def write_report(fmt: str, destination: str, result: "ScanResult", show_unknown: bool,
                 *, quiet: bool = False) -> None:
    from linter.report import render

    to_stdout = destination == "-"
    text = render(
        fmt,
        result,
        color=to_stdout and fmt == "text" and use_color(sys.stdout),
        show_unknown=show_unknown,
        quiet=quiet,
    )
    write_text(text, destination)


def write_text(text: str, destination: str) -> None:
    """``text`` to stdout (``-``) or to a file (``ConfigError`` when it cannot be written)."""
    if destination == "-":
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        sys.stdout.flush()
    else:
        try:
            with open(destination, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise ConfigError(f"cannot write {destination}: {exc.strerror or exc}") from exc


def exit_code(findings: Sequence[object], fail_on: Severity) -> int:
    from linter.model import Finding

    for finding in findings:
        assert isinstance(finding, Finding)
        if finding.suppression is None and finding.severity.rank >= fail_on.rank:
            return EXIT_FINDINGS
    return EXIT_CLEAN


@app.command("rules")
def list_rules(
    rules: Annotated[
        list[str] | None, typer.Option("--rules", help="Extra rule directory (repeatable)")
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", "-f", help="text, json or markdown")
    ] = "text",
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o",
            help="Directory for markdown pages (one per rule); file for json (default: stdout)",
        ),
    ] = None,
) -> None:
    """List the rules (or write one markdown page per rule)."""
    from linter.options import ScanOptions
    from linter.pipeline import load_all_rules
    from linter.report.rule_docs import rule_table, rules_json, write_rule_pages

    loaded = load_all_rules(ScanOptions(rule_dirs=tuple(rules or ())))
    if format_ == "markdown":
        if not output:
            raise ConfigError("--format markdown needs --output DIR")
        written = write_rule_pages(loaded, output)
        sys.stdout.write(f"wrote {len(written)} rule pages to {output}\n")
    elif format_ == "json":
        write_text(rules_json(loaded), output or "-")
    elif format_ == "text":
        sys.stdout.write(rule_table(loaded))
    else:
        raise ConfigError(
            f"unknown --format {format_!r} for rules; choose text, json or markdown"
        )


@app.command("rule")
def show_rule(
    rule_id: Annotated[
        str, typer.Argument(help="Rule id or name, e.g. IAC0101 or imds-v1-allowed")
    ],
    rules: Annotated[
        list[str] | None, typer.Option("--rules", help="Extra rule directory (repeatable)")
    ] = None,
) -> None:
    """Print one rule's documentation."""
    from linter.options import ScanOptions
    from linter.pipeline import load_all_rules
    from linter.report.rule_docs import rule_markdown

    for rule in load_all_rules(ScanOptions(rule_dirs=tuple(rules or ()))):
        if rule_id in (rule.id, rule.name, *rule.aliases):
            sys.stdout.write(rule_markdown(rule))
            return
    raise ConfigError(f"no rule {rule_id!r}; `iaclint rules` lists them")


baseline_app = typer.Typer(help="Record today's findings so that only new ones fail.")
app.add_typer(baseline_app, name="baseline")


@baseline_app.command("create")
def baseline_create(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files or directories (default: .)")
    ] = None,
    output: Annotated[
        str, typer.Option("--output", "-o", help="Baseline file to write")
    ] = ".iaclint-baseline.json",
    config: Annotated[str | None, typer.Option("--config", help="Configuration file")] = None,
    rules: Annotated[
        list[str] | None, typer.Option("--rules", help="Extra rule directory (repeatable)")
    ] = None,
    var: Annotated[
        list[str] | None, typer.Option("--var", help="Terraform variable NAME=VALUE")
    ] = None,
    var_file: Annotated[
        list[str] | None, typer.Option("--var-file", help="Terraform .tfvars file")
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="Do not scan paths matching this gitignore-style pattern"),
    ] = None,
) -> None:
    """Write every current finding to a baseline file."""
    import dataclasses

    from linter.engine.baseline import write_baseline
    from linter.pipeline import scan

    targets = list(paths or ["."])
    check_paths(targets)
    options = build_options(targets, config=config, rules=rules, var=var, var_file=var_file,
                            exclude=exclude)
    options = dataclasses.replace(options, baseline="")
    from linter.progress import ScanProgress

    with ScanProgress() as progress:
        result = scan(targets, options, progress=progress)
    count = write_baseline(result.findings, output)
    sys.stdout.write(f"wrote {count} finding{'s' if count != 1 else ''} to {output}\n")


@app.command("validate-rules", short_help="Validate rule files against the rule schema.")
def validate_rules(
    files: Annotated[list[str], typer.Argument(help="Rule files or directories")],
) -> None:
    """Validate rule files (exit 2 on the first invalid one, naming the file and JSON path).

    Directories are searched for rules (fixture directories skipped); files are taken as given,
    except files in a rule's fixture directory (pre-commit passes every changed YAML file). Ids
    and names are also checked against the bundled rules.
    """
    import pathlib

    from linter.engine.loader import bundled_rules_dir, in_fixture_dir, load_rules, rule_files

    cwd = pathlib.Path.cwd().resolve()
    bundled = bundled_rules_dir().resolve()
    given: list[pathlib.Path] = []
    for name in files:
        path = pathlib.Path(name)
        if path.is_dir():
            given.extend(rule_files(path))
        elif path.is_file():
            resolved = path.resolve()
            top = cwd if cwd in resolved.parents else None
            if not in_fixture_dir(resolved, top):
                given.append(path)
        else:
            raise ConfigError("no such file or directory", name)
    inside_bundled = [p for p in given if bundled in p.resolve().parents]
    outside = [p for p in given if p not in inside_bundled]
    load_rules([bundled, *outside] if inside_bundled or outside else [])
    count = len(given)
    sys.stdout.write(f"{count} rule file{'s' if count != 1 else ''} valid\n")


@app.command("test-rules", short_help="Run each rule's annotated fixtures.")
def test_rules(
    directory: Annotated[
        str,
        typer.Argument(
            help="Rule directory (rules beside fixture directories, or rules/ + fixtures/), "
            "or one rule file"
        ),
    ],
) -> None:
    """Run each rule's annotated fixtures (# ruleid: / # ok:) and show expected vs reported."""
    import pathlib

    from linter.testing.rule_tests import find_suite, load_suite_rules, render, run_suite

    target = pathlib.Path(directory)
    suite = find_suite(target)
    if not suite.fixtures:
        raise ConfigError("no rule files found", directory)
    report = run_suite(suite, load_suite_rules(suite))
    sys.stdout.write(render(report, target if target.is_dir() else target.parent))
    raise typer.Exit(EXIT_CLEAN if report.ok else EXIT_FINDINGS)


@app.command("lsp", short_help="Serve editors over stdio (Language Server Protocol).")
def lsp(
    stdio: Annotated[
        bool, typer.Option("--stdio", help="Talk over stdin/stdout (the default and only way)")
    ] = False,
) -> None:
    """Language server for editors: diagnostics as you type, quick fixes, rule docs on hover.

    Speaks LSP over stdin/stdout; needs the lsp extra (pip install 'iaclint[lsp]')."""
    from linter.lsp import INSTALL, missing

    absent = missing()
    if absent:
        raise ConfigError(f"iaclint lsp needs {' and '.join(absent)}: {INSTALL}")
    from linter.lsp.server import serve

    serve()


@app.command("version")
def version() -> None:
    """Print the version."""
    sys.stdout.write(f"iaclint {__version__}\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the typer app and maps every outcome to an exit code."""
    global _argv
    args = list(sys.argv[1:] if argv is None else argv)
    _argv = args
    debug = "--debug" in args
    try:
        code = app(args=args, standalone_mode=False, prog_name="iaclint")
    except typer.Exit as exc:
        return int(exc.exit_code)
    except ConfigError as exc:
        sys.stderr.write(f"iaclint: error: {exc}\n")
        return EXIT_CONFIG
    except KeyboardInterrupt:
        sys.stderr.write("iaclint: interrupted\n")
        return 130
    except typer.Abort:
        return 130
    except typer.TyperException as exc:  # usage errors: unknown option, bad value …
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            sys.stderr.write(f"iaclint: error: {exc}\n")
        return EXIT_CONFIG
    except Exception as exc:  # the one top-level handler: our own bug
        sys.stderr.write(
            f"iaclint: internal error ({type(exc).__name__}: {exc}); please report it at "
            f"{ISSUES_URL} with --debug output\n"
        )
        if debug:
            import traceback

            traceback.print_exc()
        return EXIT_INTERNAL
    return int(code) if isinstance(code, int) else EXIT_CLEAN


def entry() -> None:
    code = main()
    gc.freeze()  # the process ends: no last pass of the collector over the whole heap
    sys.exit(code)


if __name__ == "__main__":
    entry()
