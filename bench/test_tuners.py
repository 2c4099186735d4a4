"""One benchmark per tuner and seed: the whole pipeline, recorded by pytest-benchmark."""

from __future__ import annotations

import pytest

from tunerbench.records.schema import PHASES
from tunerbench.run.session import BenchSession, PipelineFailed
from tunerbench.search.registry import TUNERS


def test_pipeline(benchmark, bench_session: BenchSession, tuner: str, seed: int) -> None:
    options = bench_session.options
    key = bench_session.key(tuner, seed)
    if bench_session.finished(key) is not None:
        pytest.skip(f"{tuner} seed {seed} already ran (this session or the one resumed); kept")
    benchmark.group = f"{options.dataset}/{options.profile}"
    try:
        result = benchmark.pedantic(bench_session.collect, args=(key,), rounds=1, iterations=1)
    except PipelineFailed as exc:
        pytest.fail(str(exc), pytrace=False)
    benchmark.extra_info.update(result.to_dict())

    # A clean run: every phase timed, every trial completed, the search within its budget
    # (GridSearch may stop early when the grid is exhausted), a model better than guessing.
    assert set(result.phases) == set(PHASES)
    assert all(t.wall_s > 0 for t in result.phases.values())
    assert [t.trial_id for t in result.trials if t.status != "COMPLETED"] == []
    assert 1 <= result.n_trials <= TUNERS[tuner].planned_trials(result.budget)
    assert 0 < result.search_epochs <= result.budget.total_epochs
    assert result.test_accuracy > 0.2
