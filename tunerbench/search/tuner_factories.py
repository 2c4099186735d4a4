"""The real Keras Tuner classes, built with one equal budget (the registry names these builders).

Every Keras tuner gets the same objective, seed, directory and budget; scikit-learn's tuner is
scored on the same hold-out as the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import keras_tuner as kt
import numpy as np

from tunerbench.records.schema import Budget
from tunerbench.search.trial_log import TrialLog
from tunerbench.search.tuner_mixins import SklearnEpochCount, recorded


@dataclass(frozen=True)
class TunerContext:
    """What every tuner factory needs: the model to search, the budget, where to keep state."""

    hypermodel: kt.HyperModel
    budget: Budget
    directory: Path
    seed: int
    batch_size: int
    n_fit: int
    n_val: int
    objective: tuple[str, str]  # the problem's metric and direction ("val_accuracy", "max")
    estimator: Any = None  # the problem's scikit-learn builder (hp, max_iter, batch_size, seed)
    # What goes in front of each Keras Tuner class: tunerbench's per-trial recording, or, in a
    # replay, the table answering every fit (the tuner's own search logic untouched either way).
    wrap: Callable[..., type] = recorded


def _keras_kwargs(ctx: TunerContext, name: str) -> dict[str, Any]:
    return {
        "hypermodel": ctx.hypermodel,
        "objective": kt.Objective(*ctx.objective),
        "seed": ctx.seed,
        "directory": str(ctx.directory),
        "project_name": name,
        "overwrite": False,
    }


def _logged(tuner: Any, trial_log: TrialLog) -> Any:
    tuner.trial_log = trial_log
    return tuner


def random_search(ctx: TunerContext, trial_log: TrialLog) -> kt.Tuner:
    tuner = ctx.wrap(kt.RandomSearch)(
        max_trials=ctx.budget.max_trials, **_keras_kwargs(ctx, "random")
    )
    return _logged(tuner, trial_log)


def grid_search(ctx: TunerContext, trial_log: TrialLog) -> kt.Tuner:
    tuner = ctx.wrap(kt.GridSearch)(max_trials=ctx.budget.max_trials, **_keras_kwargs(ctx, "grid"))
    return _logged(tuner, trial_log)


def bayesian(ctx: TunerContext, trial_log: TrialLog) -> kt.Tuner:
    tuner = ctx.wrap(kt.BayesianOptimization)(
        max_trials=ctx.budget.max_trials, **_keras_kwargs(ctx, "bayesian")
    )
    return _logged(tuner, trial_log)


def hyperband(ctx: TunerContext, trial_log: TrialLog) -> kt.Tuner:
    tuner = ctx.wrap(kt.Hyperband)(
        max_epochs=ctx.budget.max_epochs_per_trial,
        factor=ctx.budget.hyperband_factor,
        **_keras_kwargs(ctx, "hyperband"),
    )
    return _logged(tuner, trial_log)


def sklearn_mlp(ctx: TunerContext, trial_log: TrialLog) -> kt.SklearnTuner:
    """The problem's estimator (the reference problems': MLPClassifier) scored on the same
    hold-out as the Keras tuners (a one-fold PredefinedSplit), by accuracy.

    Keras Tuner's documented SklearnTuner example drives it with the Bayesian oracle; so do we.
    """
    from sklearn.metrics import accuracy_score, make_scorer
    from sklearn.model_selection import PredefinedSplit

    oracle = kt.oracles.BayesianOptimizationOracle(
        objective=kt.Objective("score", "max"),
        max_trials=ctx.budget.max_trials,
        seed=ctx.seed,
    )
    tuner = ctx.wrap(kt.SklearnTuner, SklearnEpochCount)(
        oracle=oracle,
        hypermodel=partial(
            ctx.estimator,
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
    return _logged(tuner, trial_log)
