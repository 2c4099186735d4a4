"""What trains a tuner's models, one object per kind: Keras models (through the problem's
hypermodel) or a scikit-learn estimator (through the problem's estimator builder).

Each tuner entry holds one; its search, its phases after the search, whether time inside fit
can be measured and which problems it applies to are attributes of it, never a comparison with
a name. The search and phases are ``"module:attribute"`` references, imported only where a
pipeline runs, so the registry loads without TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from tunerbench.problems.problem import Problem
from tunerbench.references import resolve


@dataclass(frozen=True)
class Framework:
    name: str
    search: str  # "module:function" of (TunerSetup, tuner): the search call
    replay_search: str  # "module:function" of (tuner): the search call with fits from a table
    phases: str  # "module:Class" of (profile, problem, classes): refit and final fit
    settings: str  # "module:function" of (TunerSetup): how it computed, for the result
    # Whether its models train inside the trainer's fit clock (scikit-learn's loop is its own).
    measures_fit_time: bool
    # Whether it needs the problem's scikit-learn estimator builder.
    needs_sklearn: bool
    # Whether its search follows the problem's objective (scikit-learn's is scored by accuracy).
    follows_objective: bool

    def applies_to(self, problem: Problem) -> bool:
        return problem.sklearn is not None or not self.needs_sklearn

    def objective(self, problem: Problem) -> str:
        """What its search and refit curve follow, as the result records it: the problem's
        objective, or validation accuracy for an estimator scored by accuracy on the hold-out."""
        return problem.objective if self.follows_objective else "val_accuracy"

    def direction(self, problem: Problem) -> Literal["max", "min"]:
        """Which way its search and refit curve count as better: the problem's objective's,
        or higher accuracy for an estimator scored by accuracy."""
        return problem.direction if self.follows_objective else "max"

    def run_search(self, setup: Any, tuner: Any) -> None:
        resolve(self.search)(setup, tuner)

    def run_replayed_search(self, tuner: Any) -> None:
        resolve(self.replay_search)(tuner)

    def settings_of(self, setup: Any) -> dict[str, Any]:
        return resolve(self.settings)(setup)

    def create_phases(self, setup: Any) -> Any:
        return resolve(self.phases)(setup.profile, setup.problem, setup.classes)


_SEARCH = "tunerbench.search.tuner_setup"
_PHASES = "tunerbench.pipeline.phases"
_REPLAY = "tunerbench.replay.replayed_tuner"
KERAS = Framework(
    "keras",
    search=f"{_SEARCH}:keras_search",
    replay_search=f"{_REPLAY}:keras_replayed_search",
    phases=f"{_PHASES}:KerasPhases",
    settings=f"{_SEARCH}:trainer_settings",
    measures_fit_time=True,
    needs_sklearn=False,
    follows_objective=True,
)
SKLEARN = Framework(
    "sklearn",
    search=f"{_SEARCH}:sklearn_search",
    replay_search=f"{_REPLAY}:sklearn_replayed_search",
    phases=f"{_PHASES}:SklearnPhases",
    settings=f"{_SEARCH}:estimator_settings",
    measures_fit_time=False,
    needs_sklearn=True,
    follows_objective=False,
)
