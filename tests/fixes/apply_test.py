from __future__ import annotations

import pathlib
import stat

import pytest

from linter.fixes.apply import FileChange, apply_fixes, diff, write_changes
from linter.model import Edit, Finding, Fix, Severity, Span, Suppression


def finding(address: str, *edits: Edit, note: str = "", suppressed: bool = False) -> Finding:
    return Finding("IAC0101", "imds-v1-allowed", "imds-tokens", Severity.ERROR, "m",
                   Span("main.tf", 1), address, "aws_instance",
                   fix=Fix("Set it", tuple(edits), note),
                   suppression=Suppression("inSource") if suppressed else None)


def test_overlapping_fixes_take_the_first_and_explain_the_other(tmp_path: pathlib.Path) -> None:
    (tmp_path / "main.tf").write_text('a = "optional"\n')
    first = finding("x.a", Edit(Span("main.tf", 1, 5, 1, 15), '"required"'))
    same = finding("x.b", Edit(Span("main.tf", 1, 5, 1, 15), '"required"'))
    other = finding("x.c", Edit(Span("main.tf", 1, 6, 1, 14), "other"))
    outcome = apply_fixes(tmp_path, [first, same, other])
    assert outcome.changes == [FileChange("main.tf", 'a = "optional"\n', 'a = "required"\n')]
    assert outcome.fixed == [first, same]  # identical edits are one edit
    assert [(f.address, n) for f, n in outcome.unfixed] == [
        ("x.c", "its edit overlaps the fix of IAC0101 on x.a; run --fix again")]


def test_a_fix_that_would_break_the_file_is_not_applied(tmp_path: pathlib.Path) -> None:
    (tmp_path / "main.tf").write_text('a = "optional"\n')
    broken = finding("x.a", Edit(Span("main.tf", 1, 5, 1, 15), '"required'))
    outcome = apply_fixes(tmp_path, [broken])
    assert outcome.changes == []
    assert outcome.unfixed[0][1].startswith("the fixed main.tf would not parse")


def test_notes_and_suppressions(tmp_path: pathlib.Path) -> None:
    noted = finding("x.a", note="computed by an expression")
    quiet = finding("x.b", Edit(Span("main.tf", 1, 1, 1, 2), "b"), suppressed=True)
    outcome = apply_fixes(tmp_path, [noted, quiet])
    assert outcome.unfixed == [(noted, "computed by an expression")]
    assert outcome.fixed == []


def test_writing_keeps_the_mode_and_the_diff_names_both_sides(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "run.tf"
    path.write_text("a = 1\n")
    path.chmod(0o640)
    change = FileChange("run.tf", "a = 1\n", "a = 2\n")
    write_changes(tmp_path, [change])
    assert path.read_text() == "a = 2\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.tf"]  # no temporary file left
    assert diff([change]) == "--- a/run.tf\n+++ b/run.tf\n@@ -1 +1 @@\n-a = 1\n+a = 2\n"


def test_a_large_fixed_file_is_checked_by_tree_sitter(monkeypatch: pytest.MonkeyPatch) -> None:
    """python-hcl2 on a 10 MB file: 7 s and 2 GB; past ORACLE_BYTES tree-sitter decides."""
    from linter.fixes.apply import oracle_problem
    from linter.frontends.terraform import hcl, hcl_errors

    calls: list[int] = []
    real = hcl_errors.hcl2_error

    def spy(text: str) -> hcl_errors.Hcl2Error | None:
        calls.append(len(text))
        return real(text)

    monkeypatch.setattr(hcl_errors, "hcl2_error", spy)
    monkeypatch.setattr(hcl, "ORACLE_BYTES", 100)
    good = 'a = "' + "x" * 200 + '"\n'
    assert oracle_problem("main.tf", good) is None
    assert calls == []
    broken = 'a = "' + "x" * 200 + '"\nb = \n'
    assert oracle_problem("main.tf", broken) is not None
    assert oracle_problem("main.tf", 'a = "x"\n') is None
    assert calls == [8]
