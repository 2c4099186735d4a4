"""One cell of a Keras table: one point of the space trained from scratch with one training
seed for the refit's epochs, the way a pipeline's refit phase trains it, every epoch recorded.

The same split (``make_split`` of the sized profile), the same hypermodel and loop (built as
``TunerSetup.create`` builds them, for the pipeline's workload, so the fast loop makes the same
XLA choice), the same fit arguments, and the cell's own training seed set by ``timed_phase``
itself: a cell's curve is the refit's curve for that seed. One callback times each epoch
(training and validation) and then evaluates the test set through the hypermodel, as the final
phase does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from tunerbench.data.dataset import Dataset
from tunerbench.data.holdout import Split, make_split
from tunerbench.pipeline.phases import PhaseError, timed_phase
from tunerbench.problems.problem import Problem
from tunerbench.profiles import Profile
from tunerbench.replay.cell_files import Cell, cell_key, training_seed
from tunerbench.replay.space_points import hyperparameters_at
from tunerbench.replay.table import CURVES
from tunerbench.search.budget import compute_budget, pipeline_workload
from tunerbench.training.fit_inputs import keras_fit_args
from tunerbench.training.problem_hypermodel import problem_hypermodel


@dataclass(frozen=True)
class CellSetup:
    """What every cell of one tabulation process shares: the split, and one hypermodel whose
    loop keeps its compiled models across cells, as a pipeline's keeps them across trials."""

    problem: Problem
    profile: Profile  # sized for the problem
    split: Split
    hypermodel: Any
    loop: str  # the loop that trains: the one asked for, or Keras' own fit
    problem_fingerprint: str

    @classmethod
    def create(cls, problem: Problem, dataset: Dataset, profile: Profile, loop: str) -> CellSetup:
        sized = problem.sized(profile)
        split = make_split(dataset, sized)
        workload = pipeline_workload(len(split.y_fit), sized, compute_budget(sized))
        hypermodel, trainer = problem_hypermodel(problem, dataset, loop, workload)
        return cls(problem, sized, split, hypermodel, trainer.name, problem.fingerprint)

    @property
    def framework(self) -> str:
        return "keras"

    @property
    def curve_names(self) -> tuple[str, ...]:
        """The table's curves, and the objective's where it is another metric."""
        objective = self.problem.objective
        return CURVES if objective in CURVES else (*CURVES, objective)

    def key(self, point: dict[str, Any], seed: int) -> str:
        return cell_key(point, seed, self.problem_fingerprint, self.split, self.profile, self.loop)


class EpochRecorder(keras.callbacks.Callback):
    """Each epoch's wall seconds of training and validation, then the test set's accuracy
    (evaluated after the clock stops, so the epoch's seconds are a pipeline's)."""

    def __init__(self, hypermodel: Any, split: Split) -> None:
        super().__init__()
        self.hypermodel = hypermodel
        self.split = split
        self.epoch_s: list[float] = []
        self.test_accuracy: list[float] = []
        self._start = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epoch_s.append(time.perf_counter() - self._start)
        scores = self.hypermodel.evaluate(self.model, self.split.x_test, self.split.y_test)
        if "accuracy" not in scores:
            raise PhaseError(
                f"the model reports {sorted(scores)} on the test set, no accuracy; compile it "
                'with metrics=["accuracy"]: test accuracy is what a table records'
            )
        self.test_accuracy.append(float(scores["accuracy"]))


def train_cell(setup: CellSetup, space: dict[str, Any], point: dict[str, Any], seed: int) -> Cell:
    """``point`` trained for the refit's epochs from its ``training_seed`` for ``seed``, as
    ``KerasPhases.refit_curve`` trains it inside ``timed_phase``."""
    hp = hyperparameters_at(space, point)
    recorder = EpochRecorder(setup.hypermodel, setup.split)

    def work() -> tuple[dict[str, list[float]], float]:
        start = time.perf_counter()
        model = setup.hypermodel.build(hp)
        build_s = time.perf_counter() - start
        fit_args = keras_fit_args(setup.split, setup.profile, setup.profile.refit_epochs)
        history = setup.hypermodel.fit(hp, model, **fit_args, callbacks=[recorder])
        return history.history, build_s

    history, build_s = timed_phase(training_seed(point, seed), work)[0]
    recorded = {"test_accuracy": recorder.test_accuracy, "epoch_s": recorder.epoch_s}
    curves = {}
    for name in setup.curve_names:
        values = recorded.get(name, history.get(name))
        if values is None:
            raise PhaseError(f"the model's fit reports no {name}; a table records it per epoch")
        curves[name] = np.asarray(values, dtype=np.float64)
    return Cell(curves, build_s, setup.key(point, seed))
