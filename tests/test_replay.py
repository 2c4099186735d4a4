"""Replay: Keras Tuner's own tuners against a table, checked against Keras and a real run.

The tables here are made by hand (what they hold is known by construction); the tuners, their
oracles and Keras' EarlyStopping are the real ones. A replay proposing a real run's points is
checked beside the real runs in test_pipeline.py; tabulating real training in
test_replay_table.py.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path
from types import SimpleNamespace

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from replay_tables import built_table, real_space, space_of

from tunerbench.problems.builtin import PROBLEMS
from tunerbench.profiles import PROFILES
from tunerbench.records.events import Event, ReplayFailed
from tunerbench.replay.pipeline import ReplayStudy, replay_pipeline
from tunerbench.replay.replayed_tuner import TableAnswers, estimator_stopped_after, stopped_after
from tunerbench.replay.table import CURVES, Table, TableError, load_table, phase_seeds
from tunerbench.run.child_process import call_in_fresh_process

KERAS_TUNERS = ("random", "grid", "hyperband", "bayesian")


def _early_stopping_epochs(val_loss: list[float], patience: int, first: int) -> int:
    """Epochs Keras' own EarlyStopping lets a fit starting at epoch ``first`` run."""
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience)
    stop.set_model(SimpleNamespace(stop_training=False))
    stop.on_train_begin()
    for i, value in enumerate(val_loss):
        stop.on_epoch_end(first + i, {"val_loss": value})
        if stop.model.stop_training:
            return i + 1
    return len(val_loss)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([0.3, 0.4, 0.5, 0.6]), min_size=1, max_size=12),
    st.integers(1, 4),
    st.integers(0, 5),
)
def test_the_recorded_curve_stops_where_keras_early_stopping_stops(
    val_loss: list[float], patience: int, first: int
) -> None:
    expected = _early_stopping_epochs(val_loss, patience, first)
    assert stopped_after(np.array(val_loss), patience, first) == expected


def test_every_tuner_finds_the_point_best_by_construction() -> None:
    profile = PROBLEMS["digits"].sized(PROFILES["quick"])
    space = space_of({"min_value": 16, "max_value": 48, "step": 32}, [1e-2, 1e-3])
    best = 2  # units 48, learning rate 1e-2

    def score(p: int, s: int, e: int) -> float:
        return 0.9 if p == best else 0.5 + 0.01 * e

    table = built_table(space, profile, score)
    estimator = built_table(space, profile, score, framework="sklearn")
    study = ReplayStudy.of(replace(table, sections={"sklearn": estimator}), "tests", Path("/tmp"))
    for tuner in (*KERAS_TUNERS, "sklearn"):
        for seed in (1, 2, 3):
            result = replay_pipeline(study, tuner, seed)
            assert result.search.best_hyperparameters == table.points[best], (tuner, seed)
            assert result.test.accuracy == pytest.approx(0.89)
            assert result.identity.mode == "replay" and result.identity.table_seeds == 3
            assert result.search.search_epochs <= result.search.budget.total_epochs
            assert result.identity.table_fingerprint == study.table.fingerprint


def test_a_record_names_the_output_its_table_grows_in(tmp_path: Path) -> None:
    """A table saved by --tb-tabulate as ``<output>/tables/`` grows in ``<output>`` (its cells
    are there); a table moved elsewhere names none."""
    profile = PROBLEMS["digits"].sized(PROFILES["quick"])
    table = built_table(real_space(), profile, lambda p, s, e: 0.5 + 0.01 * e)
    saved = tmp_path / "study" / "tables" / "t.npz"
    study = ReplayStudy.of(table, "tests", tmp_path, saved)
    assert replay_pipeline(study, "random", 1).identity.table_output == str(saved.parents[1])
    moved = ReplayStudy.of(table, "tests", tmp_path, tmp_path / "t.npz")
    assert replay_pipeline(moved, "random", 1).identity.table_output == ""


def test_times_are_the_recorded_seconds() -> None:
    profile = PROBLEMS["digits"].sized(PROFILES["quick"])
    table = built_table(real_space(), profile, lambda p, s, e: 0.5 + 0.01 * e)
    result = replay_pipeline(ReplayStudy.of(table, "tests", Path("/tmp")), "random", 4)
    for trial in result.search.trials:  # build 0.1 s, 0.5 s per epoch, plus the oracle's own
        assert 0.1 + 0.5 * trial.epochs <= trial.wall_s < 0.1 + 0.5 * trial.epochs + 2
    refit = result.cost.phases["refit"].wall_s
    assert refit == pytest.approx(0.1 + 0.5 * profile.refit_epochs)
    final = result.cost.phases["final"].wall_s
    assert final == pytest.approx(0.1 + 0.5 * result.search.best_epoch)


def test_a_replay_seed_gives_every_tuner_the_same_training_runs() -> None:
    """Common random numbers: the training runs depend on the replay seed and point only."""
    runs = {phase_seeds(7, point, 5) for _ in range(3) for point in (4,)}
    assert len(runs) == 1
    assert len(set(phase_seeds(7, 4, 5))) == 3  # search, refit and final: three runs
    assert len({phase_seeds(seed, 4, 5) for seed in range(1, 50)}) > 5


def test_a_damaged_or_foreign_table_is_refused_in_one_line(tmp_path: Path) -> None:
    profile = PROBLEMS["digits"].sized(PROFILES["quick"])
    table = built_table(real_space(), profile, lambda p, s, e: 0.5)
    path = tmp_path / "t.npz"
    table.save(path)
    assert load_table(path).fingerprint == table.fingerprint
    for name, damage in (("cut.npz", path.read_bytes()[:300]), ("text.npz", b"units,lr\n")):
        (tmp_path / name).write_bytes(damage)
        with pytest.raises(TableError, match=r"not a readable tunerbench table") as caught:
            load_table(tmp_path / name)
        assert "\n" not in str(caught.value)
    with pytest.raises(TableError, match="no such table"):
        load_table(tmp_path / "missing.npz")
    curves = {n: table.curves[n] for n in CURVES if n != "test_accuracy"}
    with pytest.raises(TableError, match="no test_accuracy curve"):
        Table(table.points, table.seeds, curves, table.build_s, table.space, table.meta)


def test_a_diverged_trial_stops_at_its_first_non_finite_loss() -> None:
    """A real search fit has TerminateOnNaN: it ends after the epoch whose loss is NaN, and the
    trial fails (FailOnBadLoss); the replay reads no epoch beyond it."""
    profile = PROBLEMS["digits"].sized(PROFILES["quick"])
    table = built_table(real_space(), profile, lambda p, s, e: 0.5 + 0.01 * e)
    table.curves["loss"][:, :, 1:] = np.nan  # every run diverges in its second epoch
    answers = TableAnswers(table, 1, "val_accuracy", profile.patience, profile.max_epochs)
    history = answers.search_fit(table.points[0], "0")
    assert history.epoch == [0, 1] and np.isnan(history.history["loss"][1])


def test_a_point_proposed_again_reads_another_training_run() -> None:
    """A real run trains a repeated proposal anew (new noise); the replay reads the point's next
    run, and a Hyperband continuation reads its parent's."""
    profile = PROBLEMS["digits"].sized(PROFILES["quick"])
    table = built_table(real_space(), profile, lambda p, s, e: 0.5 + 0.01 * s, seeds=5)
    answers = TableAnswers(table, 3, "val_accuracy", profile.patience, profile.max_epochs)
    point = table.points[4]
    first = answers.search_fit(point, "0").history["val_accuracy"]
    again = answers.search_fit(point, "1").history["val_accuracy"]
    assert first != again
    assert answers.trial_runs["0"] == phase_seeds(3, 4, 5)[0]  # the first visit: CRN's run
    resumed = {**point, "tuner/trial_id": "1", "tuner/initial_epoch": 2, "tuner/epochs": 4}
    answers.search_fit(resumed, "2")
    assert answers.trial_runs["2"] == answers.trial_runs["1"]


def test_a_search_the_table_cannot_answer_fails_that_seed_in_one_line(tmp_path: Path) -> None:
    profile = PROBLEMS["digits"].sized(PROFILES["quick"])
    space = space_of({"min_value": 16, "max_value": 48, "step": 32}, [1e-2, 1e-3])
    short = built_table(space, replace(profile, refit_epochs=2), lambda p, s, e: 0.5)
    short.meta["profile"] = asdict(profile)  # a trial asks for 4 epochs; the table holds 2
    path = tmp_path / "short.npz"
    short.save(path)
    events: list[Event] = []
    kwargs = {"table": str(path), "tuner": "random", "seeds": [1, 2], "session": "tests"}
    replay = "tunerbench.replay.study:replay_part"  # in a process of its own, as sessions run it
    done = call_in_fresh_process(replay, kwargs, events.append, tmp_path / "replay.log")
    assert done == {"replayed": 0, "failed": 2}
    assert [type(e) for e in events] == [ReplayFailed, ReplayFailed]
    assert "FatalError: table: a trial asks for 4 epochs, the table holds 2" in events[0].message


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([0.5, 0.45, 0.44995, 0.4]), min_size=1, max_size=12),
    st.integers(0, 3),
)
def test_an_estimators_fit_stops_where_its_own_rule_stops(loss: list[float], patience: int) -> None:
    """scikit-learn's MLP, run on these losses: its ``_update_no_improvement_count`` and the
    stopping check after it, as ``_fit_stochastic`` runs them (the estimator's own code)."""
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(tol=1e-4, n_iter_no_change=patience)
    model.best_loss_, model._no_improvement_count, model.loss_curve_ = np.inf, 0, []
    expected = len(loss)
    for i, value in enumerate(loss):
        model.loss_curve_.append(value)
        model._update_no_improvement_count(False, None, None, None)
        if model._no_improvement_count > model.n_iter_no_change:
            expected = i + 1
            break
    assert estimator_stopped_after(np.array(loss), 1e-4, patience) == expected


def test_a_table_without_the_estimators_training_is_named(tmp_path: Path) -> None:
    profile = PROBLEMS["digits"].sized(PROFILES["quick"])
    table = built_table(real_space(), profile, lambda p, s, e: 0.5)
    with pytest.raises(TableError) as caught:
        replay_pipeline(ReplayStudy.of(table, "tests", tmp_path), "sklearn", 1)
    assert str(caught.value) == (
        "table: it holds keras training, no sklearn; tabulate with a sklearn tuner among "
        "--tb-tuners"
    )
    both = replace(table, sections={"sklearn": built_table(
        real_space(), profile, lambda p, s, e: 0.6, framework="sklearn")})  # fmt: skip
    both.save(tmp_path / "both.npz")
    loaded = load_table(tmp_path / "both.npz")
    assert loaded.frameworks == ["keras", "sklearn"] and loaded.fingerprint == both.fingerprint
    assert loaded.fingerprint != table.fingerprint
    assert np.array_equal(loaded.of_framework("sklearn").curves["val_accuracy"],
                          both.sections["sklearn"].curves["val_accuracy"])  # fmt: skip
