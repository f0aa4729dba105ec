"""Property: for any mix of instance / template shapes, --fix leaves files that parse, a rescan
has no IMDS finding on a fixed resource, and a second --fix changes nothing."""

from __future__ import annotations

import pathlib
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.fixes.apply import apply_fixes, oracle_problem, write_changes
from linter.options import ScanOptions
from linter.pipeline import scan
from tests import fuzz_targets
from tests.strategies import fixable_files

IMDS = ("IAC0101", "IAC0102")
OPTIONS = ScanOptions(select=IMDS, fixes=True)
TYPES = ("aws_instance", "aws_launch_template", "aws_launch_configuration")
SETTINGS = {
    "http_endpoint": st.sampled_from(['"enabled"', '"disabled"']),
    "http_tokens": st.sampled_from(['"optional"', '"required"', "var.tokens", "local.tokens"]),
    "http_put_response_hop_limit": st.sampled_from(["1", "2", "5", "var.hops"]),
}


@st.composite
def resource(draw: st.DrawFn, index: int) -> str:
    kind = draw(st.sampled_from(TYPES))
    lines = [f'resource "{kind}" "r{index}" {{']
    if draw(st.booleans()):
        lines.append(f"  count = {draw(st.integers(1, 2))}")
    lines.append('  image_id = "ami-1"' if kind != "aws_instance" else '  ami = "ami-1"')
    shape = draw(st.sampled_from(["none", "empty", "block"]))
    if shape == "empty":
        lines.append("  metadata_options {}")
    elif shape == "block":
        lines.append("  metadata_options {")
        for name, values in SETTINGS.items():
            if draw(st.booleans()):
                spaces = " " * draw(st.integers(1, 3))
                lines.append(f"    {name}{spaces}= {draw(values)}")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


@st.composite
def configuration(draw: st.DrawFn) -> str:
    count = draw(st.integers(1, 4))
    parts = ['variable "tokens" {\n  default = ' + draw(st.sampled_from(['"optional"',
                                                                         '"required"'])) + "\n}\n",
             'variable "hops" {\n  default = ' + draw(st.sampled_from(["1", "3"])) + "\n}\n",
             'locals {\n  tokens = "optional"\n}\n']
    parts += [draw(resource(i)) for i in range(count)]
    return "\n".join(parts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configuration())
def test_fixing_is_safe_and_idempotent(source: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = pathlib.Path(directory)
        (root / "main.tf").write_text(source)
        result = scan([str(root)], OPTIONS, root=root)
        outcome = apply_fixes(result.root, result.findings)
        write_changes(result.root, outcome.changes)
        for change in outcome.changes:
            assert oracle_problem(change.file, change.after) is None, change.after
        again = scan([str(root)], OPTIONS, root=root)
        fixed = {(f.rule_id, f.address) for f in outcome.fixed}
        assert not fixed & {(f.rule_id, f.address) for f in again.findings}, (
            source, (root / "main.tf").read_text())
        assert apply_fixes(again.root, again.findings).changes == []
        assert len(outcome.fixed) + len(outcome.unfixed) == len(
            [f for f in result.findings if f.rule_id in IMDS and f.suppression is None])


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(fixable_files())
def test_any_scanned_file_gets_fixes_or_notes_never_an_exception(
        document: tuple[str, bytes]) -> None:
    """Bounded examples of the fuzz job's fix-stage target (the long run is fuzz/run.py)."""
    fuzz_targets.fix_stage(document)
