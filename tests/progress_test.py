"""The progress bar: only on a terminal, only after the delay, rich imported only then."""

from __future__ import annotations

import io
import pathlib
import subprocess
import sys

import pytest

from linter.progress import ScanProgress, wanted
from tests.paths import REPO


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_not_shown_when_not_a_terminal() -> None:
    stream = io.StringIO()
    assert not wanted(stream)
    with ScanProgress(stream) as progress:
        assert not progress.enabled
        progress("main.tf", 0, 1)
    assert stream.getvalue() == ""


def test_not_shown_before_the_delay() -> None:
    stream, clock = Terminal(), Clock()
    with ScanProgress(stream, enabled=True, delay=60.0, clock=clock) as progress:
        clock.now = 0.5
        progress("infra", 0, 3)
        assert progress.bar is None
    assert stream.getvalue() == ""


def test_shown_after_the_delay_and_follows_the_units() -> None:
    stream, clock = Terminal(), Clock()
    with ScanProgress(stream, enabled=True, delay=60.0, clock=clock) as progress:
        progress("infra", 0, 3)
        assert progress.bar is None
        clock.now = 61.0
        progress("stacks/app.yaml", 1, 3)
        assert progress.bar is not None
        task = progress.bar.tasks[0]
        assert (task.description, task.completed, task.total) == ("stacks/app.yaml", 1, 3)
        progress("rules", -1, -1)
        task = progress.bar.tasks[0]
        assert (task.description, task.completed) == ("running rules", 3)
    assert progress.closed


def test_dumb_terminal_and_opt_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    assert not wanted(Terminal())
    monkeypatch.setenv("TERM", "xterm")
    assert wanted(Terminal())
    monkeypatch.setenv("IACLINT_NO_PROGRESS", "1")
    assert not wanted(Terminal())


def test_a_plain_run_does_not_import_rich(tmp_path: pathlib.Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_iam_role" "r" {\n  name = "r"\n}\n')
    code = ("import sys; from linter.cli import main; main(['check', 'main.tf']); "
            "print(sorted(m for m in sys.modules if m == 'rich' or m.startswith('rich.')))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False,
                          env={"PYTHONPATH": str(REPO),
                               "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr
