"""A study against its arithmetic bound: the arithmetic of every epoch trained, the time during
which some pipeline ran, and their ratio at the measured matmul rate."""

from __future__ import annotations

import datetime as dt

import pytest
from reporting import recorded, variant_of

from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import EpochSpeed, PhaseTiming
from tunerbench.report.sections.study_bound import busy_seconds, pipeline_flops, study_bounds
from tunerbench.space import flops_per_epoch

START = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _run(run: RunResult, start_s: float, wall_s: float, startup_s: float = 0.0) -> RunResult:
    """``run`` started ``start_s`` after START (after its start-up), its phases ``wall_s``
    long in all."""
    phases = {name: PhaseTiming(wall_s / 3, 0.0) for name in ("search", "refit", "final")}
    copy = variant_of(run, phases=phases, startup_s=startup_s, resumed=0, session="s")
    copy.identity.started_at = (START + dt.timedelta(seconds=start_s)).isoformat(timespec="seconds")
    return copy


def test_a_pipeline_counts_every_epoch_at_its_architecture() -> None:
    run = recorded()[0]
    n_fit, n_val = run.provenance.data["n_fit"], run.provenance.data["n_val"]
    expected = sum(
        (t.epochs or 0) * flops_per_epoch(n_fit, n_val, 64, t.hyperparameters["units"])
        for t in run.search.trials
    )
    refit_and_final = len(run.search.refit_val_accuracy) + run.search.best_epoch
    units = run.search.best_hyperparameters["units"]
    expected += refit_and_final * flops_per_epoch(n_fit, n_val, 64, units)
    assert pipeline_flops(run, 64) == pytest.approx(expected)
    assert expected > 0


def test_busy_time_is_the_union_of_the_pipelines_intervals() -> None:
    """Two pipelines side by side from 0 s (start-up 5 s, then 100 s and 60 s), one more from
    200 s after a pause (50 s): 105 + 50 s busy; the pause between them is not the study's."""
    base = recorded()[0]
    runs = [
        _run(base, 5, 100, startup_s=5),
        _run(base, 5, 60, startup_s=5),
        _run(base, 200, 50),
    ]
    assert busy_seconds(runs) == pytest.approx(155)


def test_the_share_of_the_bound_is_the_arithmetic_at_the_measured_rate_over_busy_time() -> None:
    runs = [_run(run, 0, 30) for run in recorded()]
    speed = EpochSpeed("digits", "quick", 176, 1.0, 0.2, 5.0, 100.0, 1.0, 0.01, 10.0, 6)
    faster = EpochSpeed("digits", "quick", 176, 1.0, 0.2, 5.0, 200.0, 1.0, 0.01, 10.0, 6)
    (row,) = study_bounds("digits", runs, [speed, faster])
    flops = sum(pipeline_flops(run, 64) for run in runs)
    assert row.matmul_gflops == 200.0 and row.pipelines == len(runs) and row.busy_s == 30
    assert row.bound_s == pytest.approx(flops / 200e9)
    assert row.fraction == pytest.approx(flops / 200e9 / 30)
    assert study_bounds("digits", runs, []) == []  # no measured rate, no bound
    resumed = [variant_of(run, resumed=1) for run in runs]
    assert study_bounds("digits", resumed, [speed]) == []  # a resumed pipeline is no interval
