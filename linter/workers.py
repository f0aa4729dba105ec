"""Work spread over worker processes, results in the order the work was given.

A scan of many units (Terraform root modules, templates) evaluates and judges them in a pool of
processes forked from the scanning one: a forked worker starts with everything the parent had
parsed and imported, so only each unit's name goes to it and only its results come back
(pickled). The order of the results is the order of the items, whatever order the workers finish
in, so a report is the same byte for byte with one process or several.

Only ``fork`` gives that cheap start (the parent's parse caches and imports are shared until
written); where it is not the platform's safe default (macOS, Windows) the work stays in one
process.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TypeVar

# multiprocessing and concurrent.futures are imported only by a scan that uses workers: they
# are a tenth of the start-up of a one-file run

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    """Whether worker processes can be forked safely here (Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def usable_cores() -> int:
    """The CPUs this process may run on (its affinity mask, e.g. a container's cpuset)."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        return max(1, len(affinity(0)))
    return max(1, os.cpu_count() or 1)


def ordered_map(
    work: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    done: Callable[[int, R], None] | None = None,
) -> list[R]:
    """``[work(item) for item in items]`` computed by ``jobs`` forked worker processes;
    ``done(index, result)`` is called for each result in the order of ``items``. An exception
    raised by ``work`` is raised here (the first in item order); the pool is shut down either
    way. ``work`` must be a module-level function and its results picklable."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    results: list[R] = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool, \
            warnings.catch_warnings():
        # Python 3.12+ warns when a process with threads forks (the progress display has one):
        # a worker runs only the scan's own code, which takes none of the locks those threads
        # use (it writes nothing to the terminal)
        warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks",
                                category=DeprecationWarning)
        try:
            for index, result in enumerate(
                    pool.map(work, items, chunksize=chunk_size(len(items), jobs))):
                if done is not None:
                    done(index, result)
                results.append(result)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return results


def chunk_size(items: int, jobs: int) -> int:
    """Items sent to a worker at a time: about eight batches per worker, so that a pipe
    round trip (and the pickled work function) is paid per batch, not per item, while a
    slow batch still leaves others to balance the load."""
    return max(1, items // (jobs * 8))
