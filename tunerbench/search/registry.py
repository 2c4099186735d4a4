"""The tuners under test, one entry each: what builds it, how many trials it plans, and the
framework that trains its models.

Importable without TensorFlow (options, the report and the pytest process need the names); the
Keras Tuner classes are imported only where a tuner is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tunerbench.choices import Choices
from tunerbench.records.schema import Budget
from tunerbench.references import resolve
from tunerbench.search.frameworks import KERAS, SKLEARN, Framework


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
    # What trains its models: Keras models through the problem's hypermodel, or scikit-learn.
    framework: Framework
    # Whether it walks a grid of the space (the report says how much of the grid it covered).
    walks_grid: bool = False

    def create(self, ctx: Any, trial_log: Any) -> Any:
        return resolve(self.factory)(ctx, trial_log)


_FACTORIES = "tunerbench.search.tuner_factories"

TUNERS: Choices[TunerEntry] = Choices(
    "tuner",
    (
        (e.name, e)
        for e in (
            TunerEntry("random", "RandomSearch", f"{_FACTORIES}:random_search", _max_trials, KERAS),
            TunerEntry("grid", "GridSearch", f"{_FACTORIES}:grid_search", _max_trials, KERAS, True),
            TunerEntry(
                "hyperband", "Hyperband", f"{_FACTORIES}:hyperband", _hyperband_trials, KERAS
            ),
            TunerEntry(
                "bayesian", "BayesianOptimization", f"{_FACTORIES}:bayesian", _max_trials, KERAS
            ),
            TunerEntry(
                "sklearn",
                "SklearnTuner (MLPClassifier)",
                f"{_FACTORIES}:sklearn_mlp",
                _max_trials,
                SKLEARN,
            ),
        )
    ),
)
