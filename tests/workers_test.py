"""``linter.workers``: results in the order of the items, whatever order workers finish in."""

from __future__ import annotations

import os
import time

import pytest

from linter import workers

pytestmark = pytest.mark.skipif(not workers.can_fork(), reason="workers are forked (Linux)")


def _slow_first(item: int) -> tuple[int, int]:
    time.sleep(0.05 if item == 0 else 0)  # the first item finishes last
    return item * item, os.getpid()


def _fails_on_three(item: int) -> int:
    if item == 3:
        raise ValueError(f"item {item}")
    return item


def test_results_come_in_item_order_from_several_processes() -> None:
    seen: list[int] = []
    results = workers.ordered_map(_slow_first, list(range(8)), 2,
                                  lambda index, result: seen.append(index))
    assert [square for square, _pid in results] == [i * i for i in range(8)]
    assert seen == list(range(8))
    assert os.getpid() not in {pid for _square, pid in results}


def test_batched_results_keep_the_item_order() -> None:
    assert workers.chunk_size(500, 2) > 1
    results = workers.ordered_map(_slow_first, list(range(500)), 2)
    assert [square for square, _pid in results] == [i * i for i in range(500)]


def test_batches_are_small_enough_to_balance_and_never_empty() -> None:
    assert workers.chunk_size(0, 2) == 1
    assert workers.chunk_size(15, 2) == 1
    assert workers.chunk_size(1600, 2) == 100


def test_an_exception_in_a_worker_is_raised_to_the_caller() -> None:
    with pytest.raises(ValueError, match="item 3"):
        workers.ordered_map(_fails_on_three, list(range(6)), 2)


def test_usable_cores_is_at_least_one() -> None:
    assert workers.usable_cores() >= 1
