"""One search, set up the same way in every process that takes part (the chief and each worker):
the split, the problem's hypermodel and its trainer, the tuner's context, and the search call.

The search runs through each framework's own entry point: Keras tuners through ``tuner.search``
with the reference run's callbacks, scikit-learn's through ``SklearnTuner.search`` on the
training rows plus the hold-out (its PredefinedSplit scores on the hold-out).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tunerbench.data.dataset import Dataset
from tunerbench.data.holdout import Split, make_split
from tunerbench.problems.problem import Problem
from tunerbench.profiles import Profile
from tunerbench.search.budget import compute_budget, pipeline_workload
from tunerbench.search.durable_state import make_keras_tuner_state_durable
from tunerbench.search.registry import TUNERS, TunerEntry
from tunerbench.search.trial_log import TrialLog
from tunerbench.search.tuner_factories import TunerContext
from tunerbench.training import backend
from tunerbench.training.fit_inputs import budget_capped_fits, flat, keras_fit_args
from tunerbench.training.hypermodel import mlp_settings
from tunerbench.training.problem_hypermodel import Trainer, problem_hypermodel


@dataclass(frozen=True)
class TunerSetup:
    """Everything a process needs to build the same tuner: the chief and every worker alike."""

    entry: TunerEntry
    problem: Problem
    split: Split
    ctx: TunerContext
    profile: Profile
    seed: int
    loop: Trainer
    classes: int

    @classmethod
    def create(
        cls,
        tuner: str,
        problem: Problem,
        dataset: Dataset,
        profile: Profile,
        seed: int,
        workdir: Path,
        loop_name: str,
    ) -> TunerSetup:
        backend.set_seed(seed)
        split = make_split(dataset, profile)
        budget = compute_budget(profile)  # reads Keras Tuner's Hyperband schedule: once
        workload = pipeline_workload(len(split.y_fit), profile, budget)
        hypermodel, trainer = problem_hypermodel(problem, dataset, loop_name, workload)
        ctx = TunerContext(
            hypermodel=hypermodel,
            budget=budget,
            directory=workdir,
            seed=seed,
            batch_size=profile.batch_size,
            n_fit=len(split.y_fit),
            n_val=len(split.y_val),
            objective=(problem.objective, problem.direction),
            estimator=problem.resolve(problem.sklearn) if problem.sklearn else None,
        )
        entry = TUNERS.get_entry(tuner)
        return cls(entry, problem, split, ctx, profile, seed, trainer, dataset.num_classes)

    def build_tuner(self, trial_log: TrialLog) -> Any:
        make_keras_tuner_state_durable()  # before Keras Tuner reloads or writes its folder
        return self.entry.create(self.ctx, trial_log)

    def search(self, tuner: Any) -> None:
        self.entry.framework.run_search(self, tuner)


def keras_search(setup: TunerSetup, tuner: Any) -> None:
    import keras

    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=setup.profile.patience)
    # A NaN loss ends the trial at once; the tuner then records it as failed.
    nan = keras.callbacks.TerminateOnNaN()
    fit_args = keras_fit_args(setup.split, setup.profile, setup.profile.max_epochs)
    tuner.search(**fit_args, callbacks=[stop, nan])


def sklearn_search(setup: TunerSetup, tuner: Any) -> None:
    tuner.oracle.verbose = 0  # SklearnTuner.search takes no verbose argument
    split = setup.split
    with budget_capped_fits():
        tuner.search(
            flat(np.concatenate([split.x_fit, split.x_val])),
            np.concatenate([split.y_fit, split.y_val]),
        )


def trainer_settings(setup: TunerSetup) -> dict[str, Any]:
    return setup.loop.settings()


def estimator_settings(setup: TunerSetup) -> dict[str, Any]:
    return mlp_settings(setup.split.x_fit)
