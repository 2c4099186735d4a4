"""The registry of tuners under test: real Keras Tuner classes, built with one equal budget."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import keras_tuner as kt
import numpy as np

from tunerbench.search.budget import Budget
from tunerbench.search.recording import RecordingMixin, SklearnRecordingMixin, TrialLog
from tunerbench.training.hypermodel import ReferenceHyperModel, build_mlp

OBJECTIVE = "val_accuracy"


@dataclass(frozen=True)
class TunerContext:
    """What every tuner factory needs: the model to search, the budget, where to keep state."""

    hypermodel: ReferenceHyperModel
    budget: Budget
    directory: Path
    seed: int
    batch_size: int
    n_fit: int
    n_val: int


def _keras_kwargs(ctx: TunerContext, name: str) -> dict[str, Any]:
    return {
        "hypermodel": ctx.hypermodel,
        "objective": OBJECTIVE,
        "seed": ctx.seed,
        "directory": str(ctx.directory),
        "project_name": name,
        "overwrite": False,
    }


def _recorded(cls: type, mixin: type = RecordingMixin) -> type:
    return type(f"Recorded{cls.__name__}", (mixin, cls), {})


def _random(ctx: TunerContext) -> kt.Tuner:
    return _recorded(kt.RandomSearch)(
        max_trials=ctx.budget.max_trials, **_keras_kwargs(ctx, "random")
    )


def _grid(ctx: TunerContext) -> kt.Tuner:
    return _recorded(kt.GridSearch)(max_trials=ctx.budget.max_trials, **_keras_kwargs(ctx, "grid"))


def _bayesian(ctx: TunerContext) -> kt.Tuner:
    return _recorded(kt.BayesianOptimization)(
        max_trials=ctx.budget.max_trials, **_keras_kwargs(ctx, "bayesian")
    )


def _hyperband(ctx: TunerContext) -> kt.Tuner:
    return _recorded(kt.Hyperband)(
        max_epochs=ctx.budget.max_epochs_per_trial,
        factor=ctx.budget.hyperband_factor,
        **_keras_kwargs(ctx, "hyperband"),
    )


def _sklearn(ctx: TunerContext) -> kt.SklearnTuner:
    """MLPClassifier scored on the same hold-out as the Keras tuners (a one-fold PredefinedSplit).

    Keras Tuner's documented SklearnTuner example drives it with the Bayesian oracle; so do we.
    """
    from sklearn.metrics import accuracy_score, make_scorer
    from sklearn.model_selection import PredefinedSplit

    oracle = kt.oracles.BayesianOptimizationOracle(
        objective=kt.Objective("score", "max"),
        max_trials=ctx.budget.max_trials,
        seed=ctx.seed,
    )
    return _recorded(kt.SklearnTuner, SklearnRecordingMixin)(
        oracle=oracle,
        hypermodel=partial(
            build_mlp,
            max_iter=ctx.budget.max_epochs_per_trial,
            batch_size=ctx.batch_size,
            seed=ctx.seed,
        ),
        scoring=make_scorer(accuracy_score),
        cv=PredefinedSplit(np.r_[np.full(ctx.n_fit, -1), np.zeros(ctx.n_val)]),
        directory=str(ctx.directory),
        project_name="sklearn",
        overwrite=False,
    )


FACTORIES: dict[str, Callable[[TunerContext], Any]] = {  # keys: TUNERS, in the same order
    "random": _random,
    "grid": _grid,
    "hyperband": _hyperband,
    "bayesian": _bayesian,
    "sklearn": _sklearn,
}


def is_sklearn(name: str) -> bool:
    return name == "sklearn"


def planned_trials(name: str, budget: Budget) -> int:
    return budget.hyperband_trials if name == "hyperband" else budget.max_trials


def build_tuner(name: str, ctx: TunerContext, trial_log: TrialLog) -> Any:
    tuner = FACTORIES[name](ctx)
    tuner.trial_log = trial_log
    return tuner
