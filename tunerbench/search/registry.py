"""The tuners under test, one entry each: what builds it, how many trials it plans, which
framework trains its models, whether time inside Keras' fit can be measured.

Importable without TensorFlow (options, the report and the pytest process need the names); the
Keras Tuner classes are imported only where a tuner is built.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from tunerbench.choices import Choices
from tunerbench.records.schema import Budget


def _max_trials(budget: Budget) -> int:
    return budget.max_trials


def _hyperband_trials(budget: Budget) -> int:
    return budget.hyperband_trials


@dataclass(frozen=True)
class TunerEntry:
    name: str
    keras_tuner_class: str
    # "module:function" building the tuner from a TunerContext and a TrialLog.
    factory: str
    planned_trials: Callable[[Budget], int]
    # Which phases train its models: Keras models through the training loop, or scikit-learn.
    framework: Literal["keras", "sklearn"]
    # Whether it walks a grid of the space (the report says how much of the grid it covered).
    walks_grid: bool = False

    @property
    def measures_fit_time(self) -> bool:
        """Only Keras models train inside the loop's fit clock; scikit-learn's loop is its own."""
        return self.framework == "keras"

    def create(self, ctx: Any, trial_log: Any) -> Any:
        module, _, function = self.factory.partition(":")
        return getattr(importlib.import_module(module), function)(ctx, trial_log)


_FACTORIES = "tunerbench.search.tuner_factories"

TUNERS: Choices[TunerEntry] = Choices(
    "tuner",
    (
        (e.name, e)
        for e in (
            TunerEntry(
                "random", "RandomSearch", f"{_FACTORIES}:random_search", _max_trials, "keras"
            ),
            TunerEntry(
                "grid", "GridSearch", f"{_FACTORIES}:grid_search", _max_trials, "keras", True
            ),
            TunerEntry(
                "hyperband", "Hyperband", f"{_FACTORIES}:hyperband", _hyperband_trials, "keras"
            ),
            TunerEntry(
                "bayesian", "BayesianOptimization", f"{_FACTORIES}:bayesian", _max_trials, "keras"
            ),
            TunerEntry(
                "sklearn",
                "SklearnTuner (MLPClassifier)",
                f"{_FACTORIES}:sklearn_mlp",
                _max_trials,
                "sklearn",
            ),
        )
    ),
)
