"""The fix stage reads and writes only what the front ends may read (issue 15, confinement).

Found in the acceptance of issue 15: the fix stage (planned on every JSON or SARIF run) read the
files of a module with ``path.read_bytes()``. A module file symlinked out of the scan root --
which discovery refuses with a note -- was read when a fix looked for a ``local``, its lines were
printed by ``--fix --diff``, and ``--fix`` replaced the symlink by a copy of the outside file
(while the value the evaluator used stayed as it was).
"""

from __future__ import annotations

import os
import pathlib
import re

import pytest

from linter.fixes.apply import apply_fixes, diff, write_changes
from linter.fixes.sites import NotFixable
from linter.fixes.source import destination, is_readable, read_bytes, read_text
from linter.options import Budgets
from tests.fixes.fix_helpers import fix_files

MARKER = "OUTSIDE_MARKER_Q7ZK3"
INSTANCE = """\
resource "aws_instance" "x" {
  ami = "ami-12345678"
  metadata_options {
    http_tokens = local.tokens
  }
}

locals {
  tokens = "optional"
}
"""


def _outside_local(tmp_path: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "a.tf").write_text(f'locals {{\n  tokens = "optional" # {MARKER}\n}}\n')
    (root / "a.tf").symlink_to(outside / "a.tf")  # sorts before main.tf: looked at first
    return root, outside


def test_a_module_file_linking_outside_the_root_is_not_read_by_a_fix(
        tmp_path: pathlib.Path) -> None:
    root, outside = _outside_local(tmp_path)
    changed, outcome, result = fix_files(root, {"main.tf": INSTANCE})
    assert [n.message for n in result.findings if n.rule_id == "IAC0004"] == [
        "a.tf links outside the scan root; not read"]
    assert changed == {"main.tf": INSTANCE.replace('= "optional"', '= "required"')}
    fixed = [f for f in result.findings if f.fix is not None]
    assert [e.span.file for f in fixed for e in f.fix.edits] == ["main.tf"]  # type: ignore[union-attr]
    assert MARKER not in diff(outcome.changes)
    write_changes(root, outcome.changes)
    assert (root / "a.tf").is_symlink()
    assert MARKER in (outside / "a.tf").read_text()
    assert 'tokens = "required"' in (root / "main.tf").read_text()


def test_a_fix_whose_file_is_refused_is_left_with_the_reason(tmp_path: pathlib.Path) -> None:
    big = 'resource "aws_instance" "x" {\n  ami = "' + "a" * 300 + '"\n}\n'
    changed, outcome, result = fix_files(tmp_path, {"main.tf": big})
    assert changed  # within the default budget the file is fixed
    outcome = apply_fixes(result.root, result.findings, Budgets(file_bytes=100))
    assert outcome.changes == []
    assert "main.tf cannot be read; nothing was changed" in [n for _f, n in outcome.unfixed]


def test_the_reader_refuses_what_the_front_ends_refuse(tmp_path: pathlib.Path) -> None:
    root, _ = _outside_local(tmp_path)
    (root / "ok.tf").write_text("x = 1\n")
    (root / "latin1.tf").write_bytes(b'x = "\xe9"\n')
    os.mkfifo(root / "fifo.tf")
    (root / "loop.tf").symlink_to("loop.tf")
    budgets = Budgets(file_bytes=64)
    assert read_bytes(root, "ok.tf", budgets) == b"x = 1\n"
    for rel, why in [("fifo.tf", "is not a regular file (a FIFO)"),
                     ("a.tf", "links outside the scan root"),
                     ("loop.tf", "is a symlink loop"),
                     ("missing.tf", "does not exist"),
                     ("../outside/a.tf", "is outside the scan root")]:
        with pytest.raises(NotFixable, match=re.escape(f"{rel} {why}")):
            read_bytes(root, rel, budgets)
        assert not is_readable(root, rel)
    with pytest.raises(NotFixable, match="is larger than 4 bytes"):
        read_bytes(root, "ok.tf", Budgets(file_bytes=4))
    with pytest.raises(NotFixable, match="cannot be read"):
        read_text(root, "latin1.tf", budgets)
    assert is_readable(root, "ok.tf")


def test_templates_are_read_under_the_template_budget(tmp_path: pathlib.Path) -> None:
    (tmp_path / "t.yaml").write_text("a: 1\n" * 10)
    (tmp_path / "v.tf.json").write_text("{}" + " " * 48)
    budgets = Budgets(file_bytes=10, template_bytes=100)
    assert read_text(tmp_path, "t.yaml", budgets) == "a: 1\n" * 10
    with pytest.raises(NotFixable, match="larger than 10 bytes"):
        read_text(tmp_path, "v.tf.json", budgets)


def test_a_fix_is_written_through_a_symlink_inside_the_root(tmp_path: pathlib.Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "main.tf").write_text(INSTANCE)
    (tmp_path / "main.tf").symlink_to("real/main.tf")
    assert destination(tmp_path, "main.tf") == (tmp_path / "real" / "main.tf").resolve()
    _, outcome, _ = fix_files(tmp_path, {}, exclude=("real/",))
    write_changes(tmp_path, outcome.changes)
    assert (tmp_path / "main.tf").is_symlink()
    assert '"required"' in (tmp_path / "real" / "main.tf").read_text()


def test_nothing_is_written_outside_the_root_or_to_a_special_file(
        tmp_path: pathlib.Path) -> None:
    from linter.fixes.apply import FileChange

    root, outside = _outside_local(tmp_path)
    os.mkfifo(root / "fifo.tf")
    with pytest.raises(NotFixable, match="links outside"):
        destination(root, "a.tf")
    with pytest.raises(NotFixable, match="not a regular file"):
        destination(root, "fifo.tf")
    with pytest.raises(NotFixable, match="does not exist"):
        destination(root, "missing.tf")
    write_changes(root, [FileChange("a.tf", "", "x = 1\n"), FileChange("fifo.tf", "", "y\n")])
    assert (root / "a.tf").is_symlink()
    assert MARKER in (outside / "a.tf").read_text()
