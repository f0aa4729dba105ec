"""``LineIndex``: the ranges that include a line, the same as a pass over all of them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from linter.fixes.hcl import LineIndex

RANGES = st.lists(st.tuples(st.integers(1, 40), st.integers(0, 12)).map(
    lambda pair: (pair[0], pair[0] + pair[1])), max_size=30)


def straightforward(ranges: list[tuple[int, int]], line: int) -> list[int]:
    return [i for i, (first, last) in enumerate(ranges) if first <= line <= last]


@given(RANGES)
def test_line_index_finds_what_a_pass_over_every_range_finds(
        ranges: list[tuple[int, int]]) -> None:
    index = LineIndex(ranges)
    for line in range(0, 55):
        assert index.at(line) == straightforward(ranges, line)


def test_line_index_of_a_file_of_blocks() -> None:
    ranges = [(1, 8), (10, 21), (21, 30), (5, 40), (41, 41)]  # nested, touching, one line
    index = LineIndex(ranges)
    assert index.at(21) == [1, 2, 3]
    assert index.at(9) == [3]
    assert index.at(41) == [4]
    assert index.at(42) == []
