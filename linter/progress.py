"""A progress bar on stderr for scans that take a while.

Shown only when stderr is a terminal (never in CI logs, pipes or pre-commit output), and only
once the scan has run for more than a second — a fast scan prints nothing and never imports
rich. The pipeline calls the object before each unit (a Terraform root module, a template) and
once when the rules start; a timer shows the bar even while one long unit is being parsed.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any

DELAY = 1.0  # seconds before the bar appears


def wanted(stream: IO[str]) -> bool:
    """A terminal that can draw a bar (not TERM=dumb, not turned off by IACLINT_NO_PROGRESS)."""
    isatty = getattr(stream, "isatty", None)
    return (
        callable(isatty) and bool(isatty())
        and os.environ.get("TERM") != "dumb"
        and not os.environ.get("IACLINT_NO_PROGRESS")
    )


class ScanProgress:
    """``progress(label, done, total)`` for ``linter.pipeline.scan``; use as a context manager."""

    def __init__(
        self,
        stream: IO[str] | None = None,
        *,
        delay: float = DELAY,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = wanted(self.stream) if enabled is None else enabled
        self.delay = delay
        self.clock = clock
        self.started = clock()
        self.label, self.done, self.total = "discovering files", 0, 0
        self.bar: Any = None  # rich.progress.Progress once shown
        self.task: Any = None
        self.lock = threading.Lock()
        self.closed = False
        self.timer: threading.Timer | None = None
        if self.enabled:
            self.timer = threading.Timer(delay, self.show)
            self.timer.daemon = True
            self.timer.start()

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        with self.lock:
            if done < 0:  # the rules start: every unit is parsed
                self.label, self.done = "running rules", self.total
            else:
                self.label, self.done, self.total = label, done, total
        if self.bar is None and self.clock() - self.started >= self.delay:
            self.show()
        self.refresh()

    def show(self) -> None:
        with self.lock:
            if self.closed or self.bar is not None:
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bar = Progress(
                SpinnerColumn(),
                TextColumn("iaclint: {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=self.stream, stderr=self.stream is sys.stderr),
                transient=True,
            )
            self.task = self.bar.add_task(self.label, total=self.total or None,
                                          completed=self.done)
            self.bar.start()

    def refresh(self) -> None:
        with self.lock:
            if self.bar is not None and not self.closed:
                self.bar.update(self.task, description=self.label, total=self.total or None,
                                completed=self.done)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            if self.timer is not None:
                self.timer.cancel()
            if self.bar is not None:
                self.bar.stop()

    def __enter__(self) -> ScanProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
