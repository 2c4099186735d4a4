"""Speed measurement helpers on tiny real data (the figures themselves belong to benchmarks)."""

from __future__ import annotations

from tunerbench.data.dataset import Dataset
from tunerbench.data.holdout import make_split
from tunerbench.profiles import Profile
from tunerbench.run.speed import epoch_seconds, flops_per_epoch, matmul_gflops


def test_reference_epoch_is_about_44_gflop() -> None:
    gflop = flops_per_epoch(48_000, 12_000, 784, 176) / 1e9
    assert 40 < gflop < 48


def test_both_loops_time_every_epoch(digits: Dataset, tiny: Profile) -> None:
    split = make_split(digits, tiny)
    for loop in ("keras-default", "fast"):
        times = epoch_seconds(loop, split, epochs=2)
        assert len(times) == 2 and all(t > 0 for t in times)


def test_matmul_rate_is_measured() -> None:
    assert matmul_gflops(n=256, repeats=2) > 0
