"""``bench/scale.py``'s own logic: rounds, the paired ratio, the check of the machine's speed
(the benchmark itself is not a test)."""

from __future__ import annotations

import argparse
import pathlib
import stat
import sys

from tests.paths import bench_scale


def test_a_speed_change_beyond_fifteen_percent_is_reported() -> None:
    scale = bench_scale()
    assert scale.speed_warning([0.90, 1.00]) is None
    assert scale.speed_warning([1.00, 0.95, 0.90]) is None
    assert scale.speed_warning([0.90]) is None
    warning = scale.speed_warning([0.88, 1.00, 1.32])
    assert warning is not None
    assert "reference loop 0.88, 1.00, 1.32 s" in warning
    assert scale.speed_warning([1.32, 0.88]) is not None  # faster after: as unreliable


def test_the_reference_loop_is_timed_in_a_child_process() -> None:
    seconds = bench_scale().reference_seconds()
    assert 0.05 < seconds < 30


def run(cpu: float, ok: bool = True) -> object:
    return bench_scale().Run(exit_code=1 if ok else 3, cpu=cpu, wall=cpu, rss_mib=10.0,
                             timed_out=False, stderr_tail="")


def test_the_ratio_pairs_runs_of_the_same_round() -> None:
    scale = bench_scale()
    small = scale.Case(name="1k", path="", resources=1000,
                       runs=[run(0.5), run(1.0), run(0.6)])
    large = scale.Case(name="10k", path="", resources=10000,
                       runs=[run(5.0), run(9.0), run(6.6)])
    # per round 10, 9, 11: median 10; the ratio of medians would be 6.6 / 0.6 = 11
    assert scale.paired_ratio(small, large) == 10
    small.runs[1] = run(1.0, ok=False)
    assert scale.paired_ratio(small, large) == 10.5  # the failed round is left out


def test_every_case_is_run_once_per_round_and_the_speed_timed_between(
        tmp_path: pathlib.Path) -> None:
    scale = bench_scale()
    log = tmp_path / "log"
    fake = tmp_path / "iaclint"
    fake.write_text(f"#!{sys.executable}\nimport sys\n"
                    f"open({str(log)!r}, 'a').write(sys.argv[2] + '\\n')\n"
                    "sys.exit(3 if sys.argv[2].endswith('broken') else 1)\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    cases = [scale.Case(name=name, path=str(tmp_path / name)) for name in ("a", "broken", "b")]
    args = argparse.Namespace(runs=3, iaclint=str(fake), timeout=None, jobs=None, skip_after=0)
    speed: list[float] = []
    scale.run_rounds(cases, args, speed)
    scanned = [pathlib.Path(line).name for line in log.read_text().splitlines()]
    assert scanned == ["a", "broken", "b", "a", "b", "a", "b"]  # an error is not run again
    assert [len(c.runs) for c in cases] == [3, 1, 3]
    assert len(speed) == 4
