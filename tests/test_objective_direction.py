"""A problem's objective and its direction are recorded in every result and followed by the
report: a loss is minimised, so the tuner with the lowest loss leads, its best-so-far is a
running minimum and every label names the loss; SklearnTuner, scored by accuracy, is never
ranked against it. Records older than the fields read as val_accuracy, maximised."""

from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import pytest
from reporting import SESSION, recorded, variant_of

from tunerbench.problems.problem import Problem
from tunerbench.records.run_result import RunResult
from tunerbench.records.validation import RecordError
from tunerbench.report.decision.seed_statistics import seed_statistics
from tunerbench.report.decision.verdict import verdict
from tunerbench.report.inputs.best_so_far import best_so_far
from tunerbench.report.inputs.groups import group_key
from tunerbench.report.inputs.objective import Objective, group_objective
from tunerbench.report.plots.anytime import anytime_data
from tunerbench.report.plots.refit_curves import refit_data
from tunerbench.report.plots.search_plane import search_plane_data
from tunerbench.report.rendering.context import build_context
from tunerbench.report.rendering.render import render_html, render_verdict, report_context
from tunerbench.report.rendering.templates import environment
from tunerbench.report.sections.reference import REFERENCE, reference_comparison
from tunerbench.report.sections.trials_table import trial_rows
from tunerbench.search.registry import TUNERS

pytestmark = pytest.mark.report

# Each Keras tuner's validation loss in its trials: hyperband's lowest throughout, random's
# highest (so ranking the loss as if higher were better puts random first).
LOSS_BASE = {"hyperband": 0.2, "grid": 0.5, "bayesian": 0.6, "random": 0.8}
SEEDS = (1, 2, 3)


def _losses(base: float, n: int) -> list[float]:
    """Trial losses that go down and up again, all within 0.1 of ``base``."""
    return [round(base + 0.09 * (i % 2) - 0.01 * i, 6) for i in range(n)]


def _minimising(run: RunResult, seed: int) -> RunResult:
    """A recorded run as a problem minimising val_loss would record it: a Keras tuner's values
    are losses; SklearnTuner's stay accuracies, maximised, as its estimator is scored."""
    tuner = run.identity.tuner
    mine = {"seed": seed, "problem": "my_digits", "problem_fingerprint": "0123456789abcdef",
            "loop": "keras-default"}  # fmt: skip
    if tuner == "sklearn":
        return variant_of(run, **mine, objective="val_accuracy", objective_direction="max")
    losses = _losses(LOSS_BASE[tuner], len(run.search.trials))
    trials = [
        dataclasses.replace(t, val_accuracy=v)
        for t, v in zip(run.search.trials, losses, strict=True)
    ]
    refit = [LOSS_BASE[tuner] + 0.05 * abs(epoch - 2) for epoch in range(6)]
    return variant_of(
        run, **mine, objective="val_loss", objective_direction="min", trials=trials,
        best_val_accuracy=min(losses), refit_val_accuracy=refit, best_epoch=3,
    )  # fmt: skip


@pytest.fixture(scope="module")
def minimised() -> list[RunResult]:
    return [_minimising(run, seed) for seed in SEEDS for run in recorded()]


def test_the_lowest_loss_leads_over_the_budget(minimised: list[RunResult]) -> None:
    stats = seed_statistics("env", minimised)
    assert (stats.objective, stats.objective_direction) == ("val_loss", "min")
    assert stats.budget is not None and stats.budget.n_seeds == len(SEEDS)
    for fraction in (0.25, 0.5, 1.0):
        ranks = stats.budget.at(fraction)
        assert ranks["hyperband"] == 1.0 and ranks["random"] == max(ranks.values())
    v = verdict(group_key(minimised[0]), stats, minimised)
    assert [(leader.fraction, leader.tuner) for leader in v.leaders] == [
        (0.25, "hyperband"),
        (0.5, "hyperband"),
    ]
    assert all(leader.mean_rank == 1.0 for leader in v.leaders)


def test_accuracy_is_never_ranked_against_a_loss(minimised: list[RunResult]) -> None:
    stats = seed_statistics("env", minimised)
    assert stats.budget is not None and "sklearn" not in stats.budget.tuners
    assert all("sklearn" not in ranks for ranks in stats.ranks_at.values())
    (note,) = [n for n in stats.notes if "sklearn" in n]
    assert "val_loss (lower is better)" in note and "val_accuracy (higher is better)" in note
    compared = group_objective(minimised)
    assert compared.objective == Objective("val_loss", "min")
    assert compared.others == {"sklearn": Objective("val_accuracy", "max")}
    assert {line.variant for line in anytime_data(minimised).lines} == set(LOSS_BASE)
    assert {curve.variant for curve in refit_data(minimised)} == set(LOSS_BASE)
    plane = search_plane_data(minimised)
    assert list(plane.off_scale) == ["sklearn"] and "sklearn" in plane.panels
    # The colour scale spans the losses only, not the accuracies beside them.
    losses = [t.val_accuracy for r in compared.kept(minimised) for t in r.search.trials]
    assert (plane.low, plane.high) == (min(losses), max(losses)) and plane.high < 0.9


def test_best_so_far_is_a_running_minimum(minimised: list[RunResult]) -> None:
    hyperband = next(r for r in minimised if r.identity.tuner == "hyperband")
    values = [t.val_accuracy for t in hyperband.search.trials]
    assert values != sorted(values, reverse=True)  # the trials alone go up and down
    _, ys = best_so_far(hyperband.search.trials, "epochs", maximize=False)
    assert ys == [min(values[: i + 1]) for i in range(len(values))]
    anytime = anytime_data(minimised)
    line = next(x for x in anytime.lines if x.variant == "hyperband" and x.axis == "epochs")
    found = [v for v in line.y if v == v]  # NaN before every seed has its first trial
    assert found == sorted(found, reverse=True) and found[-1] == min(values)


def test_every_label_names_the_objective(minimised: list[RunResult]) -> None:
    assert anytime_data(minimised).objective == Objective("val_loss", "min")
    assert search_plane_data(minimised).objective == Objective("val_loss", "min")
    group = build_context(minimised, []).groups[0]
    assert group.compared_by.objective.name == "val_loss"
    assert group.compared_by.note is not None and "sklearn" in group.compared_by.note
    (env,) = group.environments
    labels = {c.key: c.label for c in env.leaderboard.columns}
    assert labels["best_val_accuracy"] == "best val_loss"
    assert any("sklearn" in note for note in env.leaderboard.notes)
    assert {r.objective for r in trial_rows(minimised) if r.variant == "sklearn"} == {
        "val_accuracy"
    }
    # The verdict's sentence over the budget (the verdict names the statistics' objective).
    leaders = environment("text").get_template("verdict_text.j2").module.leaders
    said = leaders(SimpleNamespace(leaders=env.verdict.leaders, objective=env.statistics.objective))
    assert "best val_loss found so far" in said and "hyperband leads" in said
    assert "val_accuracy" not in said
    measured = reference_comparison(group.key, minimised).measured
    assert {m.objective for m in measured} == {"val_loss"} and len(measured) == len(SEEDS)
    assert REFERENCE.objective == "val_accuracy"


def test_the_report_and_the_verdict_say_the_objective(minimised: list[RunResult]) -> None:
    page = render_html(minimised, [])
    budget_table = page.split('<table class="budget-ranks">')[1].split("</table>")[0]
    assert "hyperband" in budget_table and "sklearn" not in budget_table
    assert "best val_loss: mean ± sd" in page and "<th>best val_loss</th>" in page
    said = render_verdict(report_context(minimised, []), markdown=False)
    assert "best val_loss found so far" in said


def test_old_records_follow_val_accuracy_maximised() -> None:
    raw = json.loads(SESSION.read_text())["results"]
    assert all("objective" not in r and "objective_direction" not in r for r in raw)
    runs = recorded()
    assert all(Objective.of(r) == Objective("val_accuracy", "max") for r in runs)
    assert all(
        (r.search.objective_name, r.search.maximizes) == ("val_accuracy", True) for r in runs
    )
    stats = seed_statistics("env", runs)
    assert (stats.objective, stats.objective_direction) == ("val_accuracy", "max")
    assert group_objective(runs).note is None and not search_plane_data(runs).off_scale


def test_the_fields_round_trip_and_a_bad_direction_is_refused() -> None:
    raw = json.loads(SESSION.read_text())["results"][0]
    mine = {**raw, "objective": "val_loss", "objective_direction": "min"}
    result = RunResult.from_dict(mine)
    assert (result.search.objective, result.search.objective_direction) == ("val_loss", "min")
    assert (result.search.objective_name, result.search.maximizes) == ("val_loss", False)
    written = result.to_dict()
    assert {key: written[key] for key in mine} == mine
    keys = list(written)  # written after the fields older records have, in their order
    at = keys.index("objective")
    assert keys[at - 1 : at + 2] == ["space_points", "objective", "objective_direction"]
    assert RunResult.from_dict(json.loads(json.dumps(written))) == result
    with pytest.raises(RecordError) as refused:
        RunResult.from_dict({**raw, "objective_direction": "down"})
    assert str(refused.value) == (
        'result.objective_direction: expected one of "max", "min", "", got "down"'
    )


def test_each_framework_records_what_it_followed() -> None:
    down = Problem(name="d", hypermodel="m:f", dataset="digits", objective="val_loss",
                   direction="min", sklearn="m:g")  # fmt: skip
    keras, sklearn = TUNERS["hyperband"].framework, TUNERS["sklearn"].framework
    assert (keras.objective(down), keras.direction(down)) == ("val_loss", "min")
    assert (sklearn.objective(down), sklearn.direction(down)) == ("val_accuracy", "max")
