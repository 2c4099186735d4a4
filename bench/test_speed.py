"""Speed benchmarks (collected only with ``--tb-speed``): loop, pipeline, workers and memory.

Each test runs its comparison in this one session on the same data; the figures land in
``extra_info`` and in the report's Performance section. The speed targets are
reported there as measured ratios, not asserted: a slow shared machine must not fail a build.
"""

from __future__ import annotations

import pytest

from tunerbench.data.holdout import make_split
from tunerbench.profiles import PROFILES


def test_epoch_speed(benchmark, bench_session) -> None:
    from tunerbench.run.speed import measure_epochs

    options = bench_session.options
    split = make_split(bench_session.dataset(), PROFILES[options.profile])
    speed = benchmark.pedantic(
        measure_epochs, args=(split, options.dataset, options.profile), rounds=1, iterations=1
    )
    record = speed.to_dict()
    benchmark.extra_info.update(record)
    bench_session.add_perf(record)
    assert speed.fast_epoch_s > 0 and speed.default_epoch_s > 0 and speed.matmul_gflops > 0


@pytest.mark.parametrize(
    ("tuner", "loop", "workers"),
    [
        ("hyperband", "fast", 1),
        ("hyperband", "keras-default", 1),
        ("hyperband", "fast", 2),
        ("random", "fast", 1),
        ("random", "fast", 2),
    ],
)
def test_pipeline_variant(benchmark, bench_session, progress, tuner, loop, workers) -> None:
    """The pipelines the report compares: loop speed-up on Hyperband, workers on both."""
    seed = bench_session.options.seed_values[0]
    done = bench_session.finished(tuner, seed, loop, workers)
    if done is not None:
        pytest.skip(f"{tuner} seed {seed} ({loop}, {workers} workers) already ran this session")
    result = benchmark.pedantic(
        bench_session.run,
        args=(tuner, seed, progress),
        kwargs={"loop": loop, "workers": workers},
        rounds=1,
        iterations=1,
    )
    benchmark.extra_info.update(result.to_dict())
    assert result.n_trials >= 1 and result.loop == loop and result.workers == workers
