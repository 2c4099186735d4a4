"""The statistics over seeds, the verdict, the versions' comparison and the reference's spread,
on constructed results with known answers."""

from __future__ import annotations

from dataclasses import replace

import pytest
from reporting import study, variant_of

from tunerbench.report.context import build_context
from tunerbench.report.grouping import group_key
from tunerbench.report.loops_compared import loop_comparison
from tunerbench.report.reference import reference_comparison
from tunerbench.report.seed_statistics import seed_statistics
from tunerbench.report.verdict import verdict
from tunerbench.report.versions import versions_table
from tunerbench.search.registry import TUNERS


def test_a_clearly_better_tuner_is_called_better_with_enough_seeds() -> None:
    runs = study({"random": 0.0, "grid": 0.0, "hyperband": 0.01, "bayesian": 0.0}, seeds=10)
    stats = seed_statistics("env", runs)
    result = verdict(group_key(runs[0]), stats, runs)
    assert stats.pairwise.can_be_significant and result.decisive and result.best == "hyperband"
    assert "hyperband is significantly better than random, grid and bayesian" in " ".join(
        result.sentences
    )
    (board,) = build_context(runs, []).groups[0].leaderboards
    starred = {row.variant for row in board.rows if row.cells["test_accuracy"].best}
    assert starred == {"hyperband"}


def test_identical_tuners_are_never_told_apart() -> None:
    runs = study({"random": 0.0, "grid": 0.0, "bayesian": 0.0}, seeds=10, noise=0.0)
    stats = seed_statistics("env", runs)
    assert all(p.p_holm == 1.0 and not p.significant for p in stats.pairwise.pairs)
    text = " ".join(verdict(group_key(runs[0]), stats, runs).sentences)
    assert "No difference in test accuracy is significant" in text
    (board,) = build_context(runs, []).groups[0].leaderboards
    assert not any(row.cells["test_accuracy"].best for row in board.rows)


def test_a_significant_difference_below_the_best_is_named() -> None:
    """The best by mean ties with everyone, yet one pair below it differs on every seed: the
    verdict must not call all tuners equally good."""
    runs = study({"random": 0.0, "grid": -0.012, "hyperband": 0.002}, seeds=10, noise=0.0)
    for run in runs:
        if run.tuner == "random":  # the highest mean, but above and below the others by turns
            run.test_accuracy = 0.903 + (0.02 if run.seed % 2 else -0.02)
        if run.tuner == "grid":  # the cheapest, but beaten: no choice
            run.phases = {name: replace(p, cpu_s=0.1) for name, p in run.phases.items()}
    stats = seed_statistics("env", runs)
    result = verdict(group_key(runs[0]), stats, runs)
    text = " ".join(result.sentences)
    assert result.best == "random" and "equally good" not in text
    assert "random is not significantly better than any other tuner over 10 seeds" in text
    assert "hyperband better than grid (Holm-corrected p = 0.0" in text
    (cheapest,) = [s for s in result.sentences if s.startswith("Lowest CPU cost")]
    assert "no other tuner beats significantly" in cheapest and "grid" not in cheapest


def test_tuners_that_searched_alike_are_said_to_tie_by_construction() -> None:
    alike = study({"random": 0.0, "grid": 0.0, "bayesian": 0.0}, seeds=3, noise=0.0)
    text = " ".join(verdict(group_key(alike[0]), seed_statistics("env", alike), alike).sentences)
    assert "random and bayesian tried the same hyperparameters in the same order" in text
    assert "random and bayesian also trained alike and tie by construction" in text
    apart = study({"random": 0.0, "bayesian": 0.01}, seeds=3)
    text = " ".join(verdict(group_key(apart[0]), seed_statistics("env", apart), apart).sentences)
    assert "tried the same hyperparameters" in text and "tie by construction" not in text


def test_too_few_seeds_give_the_not_enough_seeds_verdict_and_a_command() -> None:
    runs = study({t: 0.01 * i for i, t in enumerate(TUNERS.names)}, seeds=5)
    stats = seed_statistics("env", runs)
    result = verdict(group_key(runs[0]), stats, runs)
    assert not result.decisive and stats.seeds_needed == 9
    assert "needs at least 9 seeds" in " ".join(result.sentences)
    assert result.command is not None and "--tb-seeds 9" in result.command
    assert "--tb-dataset digits --tb-profile quick" in result.command
    (board,) = build_context(runs, []).groups[0].leaderboards
    assert not any(cell.best for row in board.rows for cell in row.cells.values())


def test_intervals_contain_their_estimates_and_the_true_mean() -> None:
    advantage = {"random": 0.0, "hyperband": 0.01}
    stats = seed_statistics("env", study(advantage, seeds=10))
    for tuner in stats.tuners:
        d = tuner.described["test_accuracy"]
        assert d.iqm_low is not None and d.iqm_high is not None
        assert d.iqm_low <= d.iqm <= d.iqm_high
        assert d.iqm_low <= d.mean <= d.iqm_high  # symmetric noise: mean and IQM agree
        assert d.iqm_low <= 0.90 + advantage[tuner.variant] <= d.iqm_high


def test_a_repeated_seed_counts_once_and_is_named() -> None:
    runs = study({"random": 0.0, "hyperband": 0.005}, seeds=5)
    hyperband = next(r for r in runs if r.tuner == "hyperband" and r.seed == 1)
    again = [variant_of(hyperband, test_accuracy=0.5, threads=1), variant_of(hyperband, threads=2)]
    stats = seed_statistics("env", runs + again)
    figures = {t.variant: t for t in stats.tuners}
    assert figures["hyperband"].n_seeds == 5 and stats.n_blocks == 5
    assert "hyperband seed 1 (3 runs)" in stats.notes[0]


def test_rank_over_the_budget_has_the_three_points() -> None:
    stats = seed_statistics("env", study({"random": 0.0, "grid": 0.0, "hyperband": 0.0}, 3))
    assert stats.budget is not None and stats.budget.fractions[0] == 0.0
    assert set(stats.ranks_at) == {0.25, 0.5, 1.0}
    for ranks in stats.ranks_at.values():
        assert sum(ranks.values()) == pytest.approx(6.0)  # 1 + 2 + 3, ties shared


def test_versions_compared_as_independent_samples() -> None:
    older = study({"random": 0.0, "hyperband": 0.0}, seeds=10, tensorflow="2.15.1")
    same = study({"random": 0.0, "hyperband": 0.0}, seeds=10)
    shifted = study({"random": 0.03, "hyperband": 0.0}, seeds=10)
    table = versions_table(older + shifted)
    cells = {row.variant: row.cells[1] for row in table.rows}
    assert (
        cells["random"].accuracy_test.different and not cells["hyperband"].accuracy_test.different
    )
    assert "differs beyond seed noise for random" in table.sentence
    assert "order of tuners changes" in table.sentence  # random moved ahead of hyperband
    unchanged = versions_table(older + same)
    assert "for no tuner" in unchanged.sentence
    few = versions_table(
        study({"random": 0.0}, 3, tensorflow="2.15.1") + study({"random": 0.03}, 3)
    )
    assert not few.rows[0].cells[1].accuracy_test.can_differ and "Too few seeds" in few.sentence


def test_hyperband_over_seeds_beside_the_reference() -> None:
    runs = study({"hyperband": 0.0, "random": 0.0}, seeds=6)
    (fidelity,) = reference_comparison(group_key(runs[0]), runs).fidelity
    assert fidelity.n_seeds == 6 and sum(fidelity.units.values()) == 6
    assert fidelity.test_low <= fidelity.test_accuracy.mean <= fidelity.test_high
    assert fidelity.test_within == (fidelity.test_low <= 0.8894 <= fidelity.test_high)


def test_the_loops_are_paired_by_seed() -> None:
    records = [
        {"kind": "loop_accuracy", "loop": loop, "seed": seed, "units": 176,
         "learning_rate": 0.001, "best_epoch": 10, "best_val_accuracy": 0.89 + shift,
         "test_accuracy": 0.88 + shift + 0.0001 * seed}
        for seed in range(1, 11)
        for loop, shift in (("keras-default", 0.0), ("fast", 0.002))
    ]  # fmt: skip
    comparison = loop_comparison(records)
    assert comparison is not None and len(comparison.seeds) == 10
    assert comparison.test_accuracy.mean_difference == pytest.approx(0.002)
    assert comparison.test_accuracy.significant  # fast ahead on every seed
    assert loop_comparison(records[::2]) is None  # one loop alone pairs nothing
    # A session of these measurements alone still gets a section of its own.
    alone = [{**r, "dataset": "fashion_mnist", "profile": "reference"} for r in records]
    context = build_context([], [], alone)
    (section,) = context.measurements
    assert not context.groups and section.performance.loop_comparison is not None
    assert section.title == "fashion_mnist, reference profile, measurements without tuner runs"


def test_a_lower_is_better_column_stars_the_lowest() -> None:
    """test_loss is better low: the tuner with the clearly lowest loss on every seed gets the
    star, not the highest."""
    runs = study({"random": 0.0, "grid": 0.0, "hyperband": 0.0}, seeds=10)
    for index, run in enumerate(runs):
        run.test_loss = {"random": 0.40, "grid": 0.50, "hyperband": 0.30}[run.tuner] + index * 1e-4
    (board,) = build_context(runs, []).groups[0].leaderboards
    starred = {row.variant for row in board.rows if row.cells["test_loss"].best}
    assert starred == {"hyperband"}


def test_a_diverged_final_fit_leaves_its_loss_out() -> None:
    runs = study({"random": 0.0, "grid": 0.0}, seeds=3)
    runs[0].test_loss = None  # saved as null: the final fit's loss was not finite
    (board,) = build_context(runs, []).groups[0].leaderboards
    losses = {row.variant: row.cells["test_loss"].summary for row in board.rows}
    assert (
        losses[runs[0].tuner].n == 2
        and losses["grid" if runs[0].tuner == "random" else "random"].n == 3
    )


def test_one_tuner_is_compared_with_nothing() -> None:
    runs = study({"hyperband": 0.0}, seeds=3)
    result = verdict(group_key(runs[0]), seed_statistics("env", runs), runs)
    text = " ".join(result.sentences)
    assert result.best == "hyperband" and "nothing to compare it with" in text
    assert "leads" not in text  # no ranking over the budget with nobody to rank against
