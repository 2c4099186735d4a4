"""The report's section data, computed from real recorded results and from changed copies."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from reporting import BENCHMARK, SESSION, recorded, variant_of
from scipy import stats

from tunerbench.records.results_file import load_results, session_document
from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import EpochSpeed
from tunerbench.report.decision.upgrade_verdict import versions_table
from tunerbench.report.inputs.groups import group_key
from tunerbench.report.inputs.header import run_header
from tunerbench.report.inputs.results_files import read_results
from tunerbench.report.plots.anytime import anytime_data
from tunerbench.report.plots.memory import memory_data
from tunerbench.report.plots.refit_curves import refit_data, refit_summaries
from tunerbench.report.plots.search_plane import search_plane_data
from tunerbench.report.plots.time_breakdown import time_data
from tunerbench.report.rendering.context import build_context
from tunerbench.report.rendering.render import report_context
from tunerbench.report.sections.leaderboard import Leaderboard
from tunerbench.report.sections.loops_compared import loop_accuracy
from tunerbench.report.sections.performance import epoch_breakdowns, loop_speedups
from tunerbench.report.sections.reference import REFERENCE, reference_comparison
from tunerbench.report.sections.trials_table import trial_rows


@pytest.fixture(scope="module")
def results() -> list[RunResult]:
    return recorded()


def test_header_names_versions_budget_and_data(results: list[RunResult]) -> None:
    header = run_header(results)
    ((label, versions),) = header.environments
    assert label == "TF 2.21.0 / Keras 3.15.1" and versions == results[0].provenance.versions
    assert header.budget == results[0].search.budget and header.data["n_fit"] == 1150
    assert header.seeds == [1] and header.n_runs == 5
    assert header.machines == [f"{results[0].provenance.machine['cpu']} (2 cores)"]


def board_of(runs: list[RunResult]) -> Leaderboard:
    (environment,) = build_context(runs, []).groups[0].environments
    return environment.leaderboard


def test_leaderboard_figures_and_honesty(results: list[RunResult]) -> None:
    board = board_of(results)
    rows = {row.variant: row for row in board.rows}
    assert sorted(rows) == sorted(["random", "grid", "hyperband", "bayesian", "sklearn"])
    # Best first by test accuracy IQM (higher is better), each row's difference to the top.
    iqms = [row.accuracy.iqm for row in board.rows]
    assert iqms == sorted(iqms, reverse=True)
    assert board.rows[0].difference_to_best is None
    assert [row.difference_to_best for row in board.rows[1:]] == [v - iqms[0] for v in iqms[1:]]
    for run in results:
        row = rows[run.identity.tuner]
        assert row.accuracy.iqm == run.test.accuracy and row.seeds == 1
        assert row.detail["search_epochs"].mean == run.search.search_epochs
        assert row.detail["failed_trials"].mean == 0
        assert row.choice.hyperparameters == run.search.best_hyperparameters
        assert (row.choice.seeds, row.choice.of) == (1, 1)
    # One seed is one draw: nothing is significant, so nothing is starred or recommended.
    assert not any(row.best or row.recommended or row.cheapest for row in board.rows)
    assert board.marks == set()  # so the caption explains none
    grid = next(r for r in results if r.identity.tuner == "grid")
    assert board.notes == [
        f"grid: its trial budget covered {grid.search.n_trials} of the 24 grid points on seed 1, "
        "in GridSearch's order."
    ]


def test_seeds_give_spread_and_ranks(results: list[RunResult]) -> None:
    second = [
        variant_of(r, seed=2, test_accuracy=round(r.test.accuracy - 0.01, 6)) for r in results
    ]
    board = board_of(results + second)
    for row in board.rows:
        assert row.seeds == 2 and row.accuracy.n == 2
        assert row.accuracy.sd == pytest.approx(0.01 / 2**0.5)
        assert [s.seed for s in row.per_seed] == [1, 2]
    # Test accuracies of the recorded run: sklearn 0.9722, then random, hyperband and bayesian
    # tied at 0.9472 (sharing ranks 2-4), then grid 0.9417; the same order in both seeds.
    ranks = {row.variant: row.mean_rank for row in board.rows}
    expected = {"sklearn": 1.0, "random": 3.0, "hyperband": 3.0, "bayesian": 3.0, "grid": 5.0}
    assert ranks == expected
    # Grid covered the same share of the grid on both seeds: one line, not one per seed.
    assert len(board.notes) == 1 and "on seeds 1-2" in board.notes[0]


def test_versions_table_gives_differences_to_the_oldest(results: list[RunResult]) -> None:
    older = [
        variant_of(
            r,
            versions={**r.provenance.versions, "tensorflow": "2.15.1", "keras": "2.15.0"},
            test_accuracy=round(r.test.accuracy - 0.02, 6),
        )
        for r in results
    ]
    table = versions_table(results + older)
    assert table.environments == ["TF 2.15.1 / Keras 2.15.0", "TF 2.21.0 / Keras 3.15.1"]
    for row in table.rows:
        old, new = row.cells
        assert old is not None and new is not None and old.accuracy_delta_pp is None
        assert new.accuracy_delta_pp == pytest.approx(2.0)
        assert new.wall_ratio == pytest.approx(1.0)


def test_reference_rows_and_comparability(results: list[RunResult]) -> None:
    comparison = reference_comparison(group_key(results[0]), results)
    hyperband = next(r for r in results if r.identity.tuner == "hyperband")
    assert comparison.reference is REFERENCE and REFERENCE.test_accuracy == 0.8894
    (measured,) = comparison.measured
    assert measured.best_val_accuracy == hyperband.search.best_val_accuracy
    assert not comparison.comparable  # digits, quick profile


def test_every_trial_gets_a_row(results: list[RunResult]) -> None:
    rows = trial_rows(results)
    assert len(rows) == sum(len(r.search.trials) for r in results)
    assert [r.variant for r in rows[:1]] == ["bayesian"]  # run order: by variant name


def test_figure_data(results: list[RunResult]) -> None:
    anytime = anytime_data(results)
    assert len(anytime.lines) == 2 * 5 and all(line.n_runs == 1 for line in anytime.lines)
    plane = search_plane_data(results)
    assert list(plane.panels) == ["random", "grid", "hyperband", "bayesian", "sklearn"]
    assert sum(map(len, plane.panels.values())) == sum(len(r.search.trials) for r in results)
    curves = refit_data(results)
    assert all(c.val_accuracy[c.best_epoch - 1] == max(c.val_accuracy) for c in curves)
    repeated = refit_data(results + [variant_of(r, threads=1) for r in results])
    assert len(repeated) == len(curves)  # a repeated seed is drawn once
    bars = time_data(results)
    assert [b.label for b in bars] == ["random", "grid", "hyperband", "bayesian", "sklearn"]
    assert len(memory_data(results).lines) == 5


def test_several_seeds_draw_a_band(results: list[RunResult]) -> None:
    more = [variant_of(r, seed=s) for s in (2, 3) for r in results]
    lines = anytime_data(results + more).lines
    assert all(line.n_runs == 3 and line.low is not None for line in lines)
    assert all(line.seeds is not None and len(line.seeds) == 3 for line in lines)
    assert anytime_data(results + more[:5]).lines[0].low is None  # two seeds: no band
    for line in lines:  # the band is NaN until every seed has its first trial
        pairs = [(lo, hi) for lo, hi in zip(line.low, line.high, strict=True) if lo == lo]
        assert pairs and all(lo <= hi for lo, hi in pairs)


def test_mixed_setups_are_reported_apart(results: list[RunResult]) -> None:
    other = [variant_of(r, dataset="fashion_mnist") for r in results]
    context = build_context(results + other, ["a", "b"])
    assert [g.title.split(",")[0] for g in context.groups] == ["digits", "fashion_mnist"]
    assert any("2 different setups" in w for w in context.warnings)


def test_a_run_in_two_files_counts_once() -> None:
    results, _ = read_results([SESSION, BENCHMARK])
    context = build_context(results, ["a", "b"])
    assert len(load_results(BENCHMARK)) == len(load_results(SESSION)) == 5
    assert context.groups[0].header.n_runs == 5
    assert any("appeared in more than one file" in w for w in context.warnings)


def test_speed_measurements_are_shown_once(tmp_path: Path) -> None:
    """A file with only an epoch-speed record is accepted; the same record in two files counts
    once, and reaches the Performance section of its dataset and profile."""
    speed = {"kind": "epoch_speed", "dataset": "digits", "profile": "quick", "units": 176,
             "default_epoch_s": 4.2094, "fast_epoch_s": 0.942, "speedup": 4.469,
             "matmul_gflops": 190.6, "gflop_per_epoch": 43.6, "bound_epoch_s": 0.2288,
             "fast_over_bound": 4.12, "epochs_timed": 6}  # fmt: skip
    only = tmp_path / "speed.json"
    only.write_text(json.dumps({"format": "tunerbench-results", "results": [], "perf": [speed]}))
    results, perf = read_results([SESSION, only, only])
    (row,) = report_context(results, [], perf).groups[0].performance.epochs
    assert row.speedup == 4.469 and row.fast_over_bound == 4.12


def test_an_epoch_built_up_stage_by_stage_says_what_each_stage_adds() -> None:
    stages = {"matmuls": 0.2, "gradients": 0.25, "fast_epoch": 0.4}
    epoch = EpochSpeed("digits", "quick", 32, 1.9, 0.4, 4.75, 400.0, 40.0, 0.1, 4.0, 6, stages)
    plain = replace(epoch, breakdown={})
    (found,) = epoch_breakdowns([plain, epoch])
    assert found.epoch is epoch and [s.name for s in found.stages] == list(stages)
    assert [s.added_s for s in found.stages] == pytest.approx([0.2, 0.05, 0.15])
    assert [s.over_bound for s in found.stages] == pytest.approx([2.0, 2.5, 4.0])


def test_loop_accuracy_is_compared_over_seeds(results: list[RunResult]) -> None:
    """Three default-loop seeds give a range; the fast loop's mean is judged against it."""
    hyperband = next(r for r in results if r.identity.tuner == "hyperband")
    runs = []
    for seed, default_acc, fast_acc in ((1, 0.80, 0.81), (2, 0.82, 0.90), (3, 0.84, 0.92)):
        runs.append(
            variant_of(hyperband, loop="keras-default", seed=seed, test_accuracy=default_acc)
        )
        runs.append(variant_of(hyperband, seed=seed, test_accuracy=fast_acc))
    (row,) = loop_accuracy(runs)
    assert (row.default_seeds, row.fast_seeds) == (3, 3)
    test = row.test_accuracy
    assert (test.low, test.high) == (0.80, 0.84) and test.default.mean == pytest.approx(0.82)
    assert test.fast.mean == pytest.approx(0.8767, abs=1e-4) and not test.within
    assert row.best_val_accuracy.within  # equal val_accuracy lies within the range


def test_speeds_are_compared_only_within_one_session(results: list[RunResult]) -> None:
    """A fast run and a default-loop run from different sessions were not measured side by side:
    no speed-up is computed from them; the pair from one session is."""
    hyperband = next(r for r in results if r.identity.tuner == "hyperband")
    runs = [
        variant_of(hyperband, session=session, loop=loop, test_accuracy=accuracy)
        for session, loop, accuracy in (
            ("c", "fast", 0.91), ("c", "keras-default", 0.92), ("a", "fast", 0.81),
            ("b", "keras-default", 0.82),
        )
    ]  # fmt: skip
    (row,) = loop_speedups(runs)
    assert (row.default_accuracy, row.fast_accuracy) == (0.92, 0.91)


def test_runs_saved_without_a_session_pair_only_within_their_file(
    results: list[RunResult], tmp_path: Path
) -> None:
    """Older files have no session field: a fast run in one file and a default-loop run in
    another are not paired; the same two runs in one file are."""
    fast = next(r for r in results if r.identity.tuner == "hyperband")
    default = variant_of(fast, loop="keras-default")
    files = []
    for name, runs in (("fast", [fast]), ("default", [default]), ("both", [fast, default])):
        document = session_document(runs, "2026-11-28T10:00:00+00:00")
        for record in document["results"]:
            del record["session"]
        files.append(tmp_path / f"{name}.json")
        files[-1].write_text(json.dumps(document))
    assert loop_speedups(read_results(files[:2])[0]) == []
    assert len(loop_speedups(read_results(files[2:])[0])) == 1


def test_refit_summary_is_the_iqm_over_seeds(results: list[RunResult]) -> None:
    runs = [
        variant_of(
            r, seed=s, refit_val_accuracy=[v + 0.01 * s for v in r.search.refit_val_accuracy]
        )
        for s in (1, 2, 3, 4)
        for r in results
    ]
    summaries = {s.variant: s for s in refit_summaries(refit_data(runs))}
    for run in results:
        summary = summaries[run.identity.tuner]
        assert len(summary.curves) == 4
        for epoch, value in enumerate(run.search.refit_val_accuracy):
            expected = stats.trim_mean([value + 0.01 * s for s in (1, 2, 3, 4)], 0.25)
            assert summary.iqm[epoch] == pytest.approx(expected)
            assert summary.low[epoch] <= summary.iqm[epoch] <= summary.high[epoch]
