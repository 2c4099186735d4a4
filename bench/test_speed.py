"""Speed benchmarks (collected only with ``--tb-speed``): loop, pipeline, workers and memory.

Each test runs its comparison in this one session on the same data, each pipeline and
measurement in a fresh process of its own; the figures land in ``extra_info`` and in the report's
Performance section ("this machine against the reference figures"), beside the reference run's
figure where it has one. They are reported as measured, never asserted: a slow shared machine
must not fail a build.
"""

from __future__ import annotations

import pytest

from tunerbench.measurements.throughput import matrix_throughput
from tunerbench.run.session import BenchSession, PipelineFailed


def test_epoch_speed(benchmark, bench_session: BenchSession) -> None:
    options = bench_session.options
    record = benchmark.pedantic(
        bench_session.measure,
        args=("tunerbench.measurements.speed:epoch_speed_task", "epoch-speed"),
        kwargs={
            "dataset": options.dataset,
            "data_dir": options.data_dir,
            "profile": options.profile,
        },
        rounds=1,
        iterations=1,
    )
    benchmark.extra_info.update(record)
    assert record["fast_epoch_s"] > 0 and record["default_epoch_s"] > 0
    assert record["matmul_gflops"] > 0


@pytest.mark.parametrize(
    ("tuner", "loop", "workers"),
    [
        ("hyperband", "fast", 1),
        ("hyperband", "keras-default", 1),
        ("hyperband", "fast", 2),
        ("random", "fast", 1),
        ("random", "keras-default", 1),
        ("random", "fast", 2),
    ],
)
def test_pipeline_variant(
    benchmark, bench_session: BenchSession, tuner: str, loop: str, workers: int
) -> None:
    """The pipelines the report compares: loop speed-up on Hyperband, workers on both."""
    key = bench_session.key(tuner, bench_session.options.seed_values[0], loop, workers)
    if bench_session.finished(key) is not None:
        pytest.skip(f"{tuner} ({loop}, {workers} workers) already ran this session")
    try:
        result = benchmark.pedantic(bench_session.collect, args=(key,), rounds=1, iterations=1)
    except PipelineFailed as exc:
        pytest.fail(str(exc), pytrace=False)
    benchmark.extra_info.update(result.to_dict())
    assert result.search.n_trials >= 1
    assert (result.identity.loop, result.identity.workers) == (loop, workers)


def test_cluster_throughput(benchmark, bench_session: BenchSession) -> None:
    """Every tuner, seeds 1 and 2: one after another, then on a LocalCluster of two workers."""
    options = bench_session.options
    keys = [bench_session.key(t, s) for t in options.tuners for s in (1, 2)]
    try:
        record = benchmark.pedantic(
            matrix_throughput, args=(bench_session, keys), rounds=1, iterations=1
        )
    except PipelineFailed as exc:
        pytest.fail(str(exc), pytrace=False)
    bench_session.add_perf(record.to_dict())
    benchmark.extra_info.update(record.to_dict())
    assert record.pipelines == len(keys) == len(record.on_cluster)
