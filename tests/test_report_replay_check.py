"""Replay against real runs in the report: proposals, predictive intervals, order."""

from __future__ import annotations

from dataclasses import replace

from reporting import recorded, study, variant_of

from tunerbench.report.rendering.context import build_context
from tunerbench.report.rendering.render import page

TABLE = "0123abcd4567ef89"


def _replayed(runs: list, **changes: object) -> list:
    return [
        variant_of(r, mode="replay", table_fingerprint=TABLE, table_seeds=5, **changes)
        for r in runs
    ]


def test_a_faithful_replay_passes_every_check() -> None:
    real = study({"random": 0.01, "grid": 0.0, "hyperband": 0.02}, seeds=10, noise=0.0005)
    replayed = _replayed(study({"random": 0.01, "grid": 0.0, "hyperband": 0.02}, seeds=40))
    (check,) = build_context(real + replayed, ["real.json", "replay.json"]).replay_checks
    assert check.table == TABLE and check.table_seeds == 5
    assert check.proposals_hold and check.order_agrees
    assert check.real_order == ["hyperband", "random", "grid"]
    for tuner in check.tuners:
        assert (tuner.real_seeds, tuner.replayed_seeds, tuner.proposals_compared) == (10, 40, 10)
        assert tuner.proposals_same == 10
        assert tuner.inside == 10 and tuner.low < tuner.real_mean < tuner.high


def test_a_replay_that_proposes_other_points_or_orders_otherwise_is_shown() -> None:
    real = study({"random": 0.02, "grid": 0.0}, seeds=5)
    moved = []
    for run in _replayed(study({"random": 0.0, "grid": 0.02}, seeds=5)):
        if run.identity.tuner == "grid":
            elsewhere = {"units": 999, "learning_rate": 0.5}
            trials = [replace(t, hyperparameters=elsewhere) for t in run.search.trials]
            run = variant_of(run, trials=trials)
        moved.append(run)
    context = build_context(real + moved, ["real.json", "replay.json"])
    (check,) = context.replay_checks
    assert not check.proposals_hold and not check.order_agrees
    html = page(context)
    assert "they do not: the replay does not stand in for these runs" in html
    assert "real random &gt; grid; replayed grid &gt; random" in html


def test_no_check_without_both_kinds() -> None:
    assert build_context(recorded(), ["real.json"]).replay_checks == []
    assert build_context(_replayed(recorded()), ["replay.json"]).replay_checks == []
