"""``bench/scale.py``'s check of the machine's own speed (the benchmark itself is not a test)."""

from __future__ import annotations

from tests.paths import bench_scale


def test_a_speed_change_beyond_fifteen_percent_is_reported() -> None:
    scale = bench_scale()
    assert scale.speed_warning(0.90, 1.00) is None
    assert scale.speed_warning(1.00, 0.90) is None
    warning = scale.speed_warning(0.88, 1.32)
    assert warning is not None
    assert "0.88 s before, 1.32 s after" in warning
    assert scale.speed_warning(1.32, 0.88) is not None  # faster after: as unreliable


def test_the_reference_loop_is_timed_in_a_child_process() -> None:
    seconds = bench_scale().reference_seconds()
    assert 0.05 < seconds < 30
