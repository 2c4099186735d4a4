"""Keras Tuner's own tuners with every fit answered from a table of recorded training.

The tuner classes, their oracles and Keras Tuner's bookkeeping are the real ones; only
``run_trial`` is answered from the table: the trial's point, the training seed common random
numbers give it in this replay seed, the epochs Hyperband asks for (``tuner/initial_epoch`` to
``tuner/epochs``, on the same training run as its parent, which is the same point), cut where
the search's EarlyStopping (val_loss, the profile's patience) would have stopped that curve.
Time is simulated: each trial costs its recorded seconds, and everything else (the oracle's
proposals, Keras Tuner's files) costs the real seconds it takes here.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import keras
import keras_tuner as kt
import numpy as np

from tunerbench.replay.table import Table, TableError, phase_seeds, search_run
from tunerbench.search.trial_log import TrialLog, record_of
from tunerbench.search.tuner_mixins import FailOnBadLoss


@dataclass
class SimulatedClock:
    """Seconds a real run would have taken: recorded training plus the real time of the rest."""

    seconds: float = 0.0
    training_s: float = 0.0
    _mark: float = field(default_factory=time.perf_counter)

    def real(self) -> float:
        """Charge the real seconds since the last charge (the oracle, Keras Tuner's files)."""
        now = time.perf_counter()
        spent, self._mark = now - self._mark, now
        self.seconds += spent
        return spent

    def training(self, seconds: float) -> None:
        self.seconds += seconds
        self.training_s += seconds


def stopped_after(val_loss: np.ndarray, patience: int, first_epoch: int) -> int:
    """How many of these epochs Keras' EarlyStopping(monitor="val_loss", patience) lets a fit
    that starts at ``first_epoch`` (0-based) run: it stops after the epoch that makes
    ``patience`` epochs without a lower val_loss than the best so far of this fit, never after
    the fit's epoch 0 (Keras' own rule, read from keras.callbacks.EarlyStopping)."""
    best, wait = math.inf, 0
    for i, value in enumerate(val_loss):
        wait += 1
        if value < best:
            best, wait = float(value), 0
            continue
        if wait >= patience and first_epoch + i > 0:
            return i + 1
    return len(val_loss)


def estimator_stopped_after(loss: np.ndarray, tol: float, n_iter_no_change: int) -> int:
    """How many of these epochs scikit-learn's MLP ``fit`` runs before its own stopping rule
    (training loss not better by ``tol`` than the best so far for more than
    ``n_iter_no_change`` epochs in a row; read from ``BaseMultilayerPerceptron``)."""
    best, count = math.inf, 0
    for i, value in enumerate(loss):
        count = count + 1 if value > best - tol else 0
        best = min(best, float(value))
        if count > n_iter_no_change:
            return i + 1
    return len(loss)


@dataclass
class TableAnswers:
    """What the fits of one replay seed read: the table, the objective and EarlyStopping's
    patience, the seed that chooses training runs, and the clock they charge."""

    table: Table
    replay_seed: int
    objective: str
    patience: int
    max_epochs: int
    clock: SimulatedClock = field(default_factory=SimulatedClock)
    visits: dict[int, int] = field(default_factory=dict)  # fresh trainings per point so far
    trial_runs: dict[str, int] = field(default_factory=dict)  # the run each trial read
    last_epochs: int = 0  # the epochs the last fit ran

    def runs(self, values: dict[str, Any]) -> tuple[int, tuple[int, int, int]]:
        """The point's row and the training runs (columns) its search, refit and final fit
        read in this replay seed."""
        point = self.table.index(values)
        return point, phase_seeds(self.replay_seed, point, len(self.table.seeds))

    def search_fit(self, values: dict[str, Any], trial_id: str) -> keras.callbacks.History:
        """A search trial's fit as Keras' History: the recorded epochs it would have run, cut
        where EarlyStopping would stop it, or after a non-finite loss (TerminateOnNaN)."""
        point = self.table.index(values)
        first = int(values.get("tuner/initial_epoch", 0))
        last = int(values.get("tuner/epochs", self.max_epochs))
        if last > self.table.epochs:
            raise TableError(
                f"table: a trial asks for {last} epochs, the table holds {self.table.epochs}; "
                "tabulate this profile"
            )
        run = self._run(point, values, trial_id)
        curves = self.table.curves
        ran = stopped_after(curves["val_loss"][point, run, first:last], self.patience, first)
        diverged = np.flatnonzero(~np.isfinite(curves["loss"][point, run, first : first + ran]))
        ran = int(diverged[0]) + 1 if diverged.size else ran
        epochs = slice(first, first + ran)
        names = dict.fromkeys(("loss", "val_loss", "val_accuracy", self.objective))
        history = keras.callbacks.History()
        history.history = {n: curves[n][point, run, epochs].tolist() for n in names}
        history.epoch = list(range(first, first + ran))
        self._charge(point, run, epochs)
        return history

    def estimator_fit(self, values: dict[str, Any], trial_id: str) -> float:
        """A scikit-learn search trial's hold-out accuracy: the estimator's ``fit`` for the
        search's epochs, cut where its own stopping rule stops it (the table's ``stopping``)."""
        point = self.table.index(values)
        if self.max_epochs > self.table.epochs:
            raise TableError(
                f"table: a trial asks for {self.max_epochs} epochs, the table holds "
                f"{self.table.epochs}; tabulate this profile"
            )
        run = self._run(point, values, trial_id)
        rule = self.table.meta["stopping"]
        loss = self.table.curves["loss"][point, run, : self.max_epochs]
        ran = estimator_stopped_after(loss, rule["tol"], rule["n_iter_no_change"])
        self._charge(point, run, slice(0, ran))
        return float(self.table.curves["val_accuracy"][point, run, ran - 1])

    def _charge(self, point: int, run: int, epochs: slice) -> None:
        """The fit's recorded seconds on the clock; its epochs kept for the trial's record."""
        self.last_epochs = int(epochs.stop - epochs.start)
        spent = self.table.curves["epoch_s"][point, run, epochs].sum()
        self.clock.training(float(self.table.build_s[point, run] + spent))

    def _run(self, point: int, values: dict[str, Any], trial_id: str) -> int:
        """The training run a trial reads: a Hyperband continuation its parent's; a fresh
        training the point's next run in this replay seed's order."""
        parent = values.get("tuner/trial_id")
        if parent is not None and str(parent) in self.trial_runs:
            run = self.trial_runs[str(parent)]
        else:
            visit = self.visits.get(point, 0)
            self.visits[point] = visit + 1
            run = search_run(self.replay_seed, point, len(self.table.seeds), visit)
        self.trial_runs[trial_id] = run
        return run


class TableTrials:
    """``run_trial`` answered from the table instead of training (Keras Tuner's Tuner accepts
    an overridden ``run_trial`` returning a History)."""

    answers: TableAnswers

    def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> Any:
        self.answers.clock.real()  # the oracle's proposal and Keras Tuner's files so far
        try:
            return self.answers.search_fit(trial.hyperparameters.values, str(trial.trial_id))
        except TableError as exc:  # the table does not hold this search: no trial can run
            raise kt.errors.FatalError(str(exc)) from None


class TableEstimatorTrials:
    """SklearnTuner's ``run_trial`` answered from the table: the score its scorer gives on the
    hold-out; no model to save, as none was trained."""

    answers: TableAnswers

    def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> dict[str, float]:
        self.answers.clock.real()
        try:
            score = self.answers.estimator_fit(trial.hyperparameters.values, str(trial.trial_id))
        except TableError as exc:
            raise kt.errors.FatalError(str(exc)) from None
        return {"score": score}

    def save_model(self, trial_id: str, model: Any, step: int = 0) -> None:
        """Nothing trained, nothing to keep."""


class ReplayRecording:
    """Each trial recorded as the real tuners' TrialRecording does, with simulated times."""

    answers: TableAnswers
    trial_log: TrialLog

    def on_trial_begin(self, trial: Any) -> None:
        self.answers.clock.real()  # the oracle's proposal: the search's time, not the trial's
        self._started_s = self.answers.clock.seconds
        self._trial_epochs: int | None = None
        super().on_trial_begin(trial)  # type: ignore[misc]

    def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> Any:
        results = super().run_trial(trial, *args, **kwargs)  # type: ignore[misc]
        self._trial_epochs = self.answers.last_epochs
        return results

    def on_trial_end(self, trial: Any) -> None:
        super().on_trial_end(trial)  # type: ignore[misc]
        clock = self.answers.clock
        clock.real()
        done = self.oracle.get_trial(trial.trial_id)  # type: ignore[attr-defined]
        wall = round(clock.seconds - self._started_s, 4)
        self.trial_log.add(record_of(done, self._trial_epochs, wall, round(clock.seconds, 4)))


def replayed(answers: TableAnswers) -> Any:
    """The ``wrap`` of a replayed search (see ``TunerContext.wrap``): the Keras Tuner class
    with the table answering its fits, a NaN loss failing a Keras trial as in a real run
    (``extra``, what a real run records besides, has nothing to read here)."""

    def wrap(tuner_class: type, *extra: type) -> type:
        if issubclass(tuner_class, kt.Tuner):
            bases: tuple[type, ...] = (FailOnBadLoss, ReplayRecording, TableTrials, tuner_class)
        else:
            bases = (ReplayRecording, TableEstimatorTrials, tuner_class)
        return type(f"Replayed{tuner_class.__name__}", bases, {"answers": answers})

    return wrap


class SpaceHyperModel(kt.HyperModel):
    """Declares the table's space, in the order the problem's hypermodel declared it (so a
    seeded oracle draws what it draws in a real run); builds no model: nothing trains."""

    def __init__(self, space: dict[str, Any]) -> None:
        super().__init__(name="replayed")
        self.space = kt.HyperParameters.from_config(space)

    def build(self, hp: kt.HyperParameters) -> None:
        hp.merge(self.space, overwrite=False)


class SpaceEstimator:
    """The estimator builder SklearnTuner is handed in a replay: declares the table's space in
    the order the problem's builder declared it, builds nothing (nothing trains)."""

    def __init__(self, space: dict[str, Any]) -> None:
        self.space = kt.HyperParameters.from_config(space)

    def __call__(self, hp: kt.HyperParameters, max_iter: int, batch_size: int, seed: int) -> None:
        hp.merge(self.space, overwrite=False)


def keras_replayed_search(tuner: Any) -> None:
    """A Keras tuner's search, its fits answered from the table (so no data is passed)."""
    tuner.search(verbose=0)


def sklearn_replayed_search(tuner: Any) -> None:
    """SklearnTuner's search, quiet as a real run's: its ``search`` takes no verbose argument,
    and its data here are none (the table answers its fits)."""
    tuner.oracle.verbose = 0
    tuner.search(None, None)
