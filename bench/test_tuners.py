"""One benchmark per tuner and seed: the whole pipeline, recorded by pytest-benchmark."""

from __future__ import annotations

import pytest

from tunerbench.records.schema import PHASES
from tunerbench.search.registry import TUNERS


def test_pipeline(benchmark, bench_session, progress, tuner: str, seed: int) -> None:
    options = bench_session.options
    if bench_session.finished(tuner, seed) is not None:
        pytest.skip(f"{tuner} seed {seed} already ran (this session or the one resumed); kept")
    benchmark.group = f"{options.dataset}/{options.profile}"
    result = benchmark.pedantic(
        bench_session.run, args=(tuner, seed, progress), rounds=1, iterations=1
    )
    benchmark.extra_info.update(result.to_dict())

    # The run must have done real work: every phase timed, the planned trials (GridSearch may
    # stop early when the grid is exhausted), and a model better than guessing one of ten classes.
    assert set(result.phases) == set(PHASES)
    assert all(t.wall_s > 0 for t in result.phases.values())
    assert 1 <= result.n_trials <= TUNERS[tuner].planned_trials(result.budget)
    assert 1 <= result.best_epoch <= len(result.refit_val_accuracy)
    assert result.test_accuracy > 0.2
