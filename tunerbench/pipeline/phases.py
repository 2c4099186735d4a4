"""The phases after the search: the best-epoch refit and the final fit with test evaluation,
for Keras models (through the tuner's hypermodel) and for a problem's scikit-learn estimator
(epoch by epoch with ``partial_fit``, so its refit has a curve as Keras' has)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from tunerbench.data.holdout import Split
from tunerbench.problems.problem import Problem
from tunerbench.profiles import Profile
from tunerbench.records.clocks import Stopwatch
from tunerbench.records.schema import PhaseTiming
from tunerbench.training.fit_inputs import budget_capped_fits, flat, keras_fit_args


class PhaseError(RuntimeError):
    """A phase cannot give what the report compares; the message says what to change."""


def timed_phase(seed: int, work: Callable[[], Any]) -> tuple[Any, PhaseTiming]:
    """One phase from a fresh Keras session and its own seed, timed: what it returns and how
    long it took."""
    from tunerbench.training import backend

    backend.clear_session()
    backend.set_seed(seed)
    watch = Stopwatch()
    value = work()
    return value, watch.elapsed()


class Phases(Protocol):
    """Each phase gets its own seed; Keras models draw it from the global seed set before the
    phase, scikit-learn's MLP takes it as its random_state. ``hypermodel`` is the tuner's."""

    def refit_curve(self, hypermodel: Any, hp: Any, split: Split, seed: int) -> list[float]: ...

    def final(
        self, hypermodel: Any, hp: Any, split: Split, epochs: int, seed: int
    ) -> tuple[float, float]: ...


class KerasPhases:
    """Refit and final fit through the tuner's hypermodel, so they train as the trials did; the
    refit's curve is the problem's objective, epoch by epoch."""

    def __init__(self, profile: Profile, problem: Problem, classes: int) -> None:
        self.profile = profile
        self.objective = problem.objective

    def refit_curve(self, hypermodel: Any, hp: Any, split: Split, seed: int) -> list[float]:
        model = hypermodel.build(hp)
        fit_args = keras_fit_args(split, self.profile, self.profile.refit_epochs)
        history = hypermodel.fit(hp, model, **fit_args)
        return [float(v) for v in history.history[self.objective]]

    def final(
        self, hypermodel: Any, hp: Any, split: Split, epochs: int, seed: int
    ) -> tuple[float, float]:
        model = hypermodel.build(hp)
        hypermodel.fit(hp, model, **keras_fit_args(split, self.profile, epochs))
        scores = hypermodel.evaluate(model, split.x_test, split.y_test)
        if "accuracy" not in scores:
            raise PhaseError(
                f"the model reports {sorted(scores)} on the test set, no accuracy; compile it "
                'with metrics=["accuracy"]: test accuracy is what the report compares'
            )
        return float(scores["accuracy"]), float(scores["loss"])


class SklearnPhases:
    """The same phases for the problem's estimator (MLPClassifier for the reference problems);
    refit and final fit go epoch by epoch with partial_fit, scored by accuracy."""

    def __init__(self, profile: Profile, problem: Problem, classes: int) -> None:
        self.profile = profile
        self.estimator = problem.resolve(str(problem.sklearn))
        self.classes = np.arange(classes)

    def _epochs(self, hp: Any, split: Split, epochs: int, seed: int) -> tuple[Any, list[float]]:
        model = self.estimator(hp, max_iter=1, batch_size=self.profile.batch_size, seed=seed)
        curve = []
        classes = self.classes
        for _ in range(epochs):
            model.partial_fit(flat(split.x_fit), split.y_fit, classes=classes)
            curve.append(float(model.score(flat(split.x_val), split.y_val)))
        return model, curve

    def refit_curve(self, hypermodel: Any, hp: Any, split: Split, seed: int) -> list[float]:
        with budget_capped_fits():
            return self._epochs(hp, split, self.profile.refit_epochs, seed)[1]

    def final(
        self, hypermodel: Any, hp: Any, split: Split, epochs: int, seed: int
    ) -> tuple[float, float]:
        from sklearn.metrics import log_loss

        with budget_capped_fits():
            model = self._epochs(hp, split, epochs, seed)[0]
        x_test = flat(split.x_test)
        accuracy = float(model.score(x_test, split.y_test))
        loss = float(log_loss(split.y_test, model.predict_proba(x_test), labels=self.classes))
        return accuracy, loss
