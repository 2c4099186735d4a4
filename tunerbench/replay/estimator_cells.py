"""One cell of a scikit-learn table: one point of the space trained from scratch with one
training seed for the refit's epochs, the way ``SklearnPhases`` trains the refit (the problem's
estimator, one ``partial_fit`` per epoch, scored on the hold-out after each), every epoch
recorded.

The epoch's seconds cover what the refit's epoch does (``partial_fit`` and the hold-out score);
the training loss is the estimator's own ``loss_``, and the hold-out's log loss and the test
set's accuracy are computed after the clock stops. No TensorFlow here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from tunerbench.data.dataset import Dataset
from tunerbench.data.holdout import Split, make_split
from tunerbench.problems.problem import Problem
from tunerbench.profiles import Profile
from tunerbench.replay.cell_files import Cell, cell_key, training_seed
from tunerbench.replay.space_points import SpaceError, hyperparameters_at
from tunerbench.replay.table import CURVES
from tunerbench.training.fit_inputs import budget_capped_fits, flat

FRAMEWORK = "sklearn"


@dataclass(frozen=True)
class EstimatorCellSetup:
    """What every cell of one scikit-learn tabulation shares: the split and the estimator."""

    problem: Problem
    profile: Profile  # sized for the problem
    split: Split
    estimator: Any  # the problem's builder: (hp, max_iter, batch_size, seed) -> estimator
    classes: int
    problem_fingerprint: str

    @classmethod
    def create(cls, problem: Problem, dataset: Dataset, profile: Profile) -> EstimatorCellSetup:
        if problem.sklearn is None:
            raise SpaceError(f"problem {problem.name} has no scikit-learn estimator to tabulate")
        sized = problem.sized(profile)
        split = make_split(dataset, sized)
        estimator = problem.resolve(problem.sklearn)
        return cls(problem, sized, split, estimator, dataset.num_classes, problem.fingerprint)

    @property
    def framework(self) -> str:
        return FRAMEWORK

    @property
    def loop(self) -> str:
        return FRAMEWORK  # the estimator's own loop, whatever loop the Keras models use

    @property
    def curve_names(self) -> tuple[str, ...]:
        return CURVES

    @property
    def hypermodel(self) -> Any:
        """The estimator's builder as SklearnTuner wraps it: what declares the space."""
        import keras_tuner as kt

        hypermodel = kt.HyperModel(name="estimator")
        hypermodel.build = partial(
            self.estimator, max_iter=1, batch_size=self.profile.batch_size, seed=0
        )
        return hypermodel

    def stopping(self, space: dict[str, Any], point: dict[str, Any]) -> dict[str, Any]:
        """The estimator's own stopping rule, which a replayed search applies to the training
        loss: refused in one line where it stops on a validation split of its own."""
        built = self.estimator(hyperparameters_at(space, point), max_iter=1, batch_size=1, seed=0)
        if getattr(built, "early_stopping", False):
            raise SpaceError(
                "the problem's estimator stops on a validation split of its own "
                "(early_stopping=True): a table records the pipeline's hold-out; turn it off"
            )
        return {"tol": float(built.tol), "n_iter_no_change": int(built.n_iter_no_change)}

    def key(self, point: dict[str, Any], seed: int) -> str:
        return cell_key(point, seed, self.problem_fingerprint, self.split, self.profile, self.loop)


def train_estimator_cell(
    setup: EstimatorCellSetup, space: dict[str, Any], point: dict[str, Any], seed: int
) -> Cell:
    """``point`` trained for the refit's epochs from its ``training_seed`` for ``seed``, as
    ``SklearnPhases.refit_curve`` trains it."""
    from sklearn.metrics import log_loss

    split, classes = setup.split, np.arange(setup.classes)
    x_fit, x_val, x_test = flat(split.x_fit), flat(split.x_val), flat(split.x_test)
    curves: dict[str, list[float]] = {name: [] for name in CURVES}
    with budget_capped_fits():
        start = time.perf_counter()
        model = setup.estimator(
            hyperparameters_at(space, point),
            max_iter=1,
            batch_size=setup.profile.batch_size,
            seed=training_seed(point, seed),
        )
        build_s = time.perf_counter() - start
        for _ in range(setup.profile.refit_epochs):
            start = time.perf_counter()
            model.partial_fit(x_fit, split.y_fit, classes=classes)
            curves["val_accuracy"].append(float(model.score(x_val, split.y_val)))
            curves["epoch_s"].append(time.perf_counter() - start)
            curves["loss"].append(float(model.loss_))
            probabilities = model.predict_proba(x_val)
            curves["val_loss"].append(float(log_loss(split.y_val, probabilities, labels=classes)))
            curves["test_accuracy"].append(float(model.score(x_test, split.y_test)))
    arrays = {name: np.asarray(values, dtype=np.float64) for name, values in curves.items()}
    return Cell(arrays, build_s, setup.key(point, seed))
