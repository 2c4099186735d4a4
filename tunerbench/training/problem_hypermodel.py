"""A problem's model as the tuners and phases train it.

The reference MLP is built by a training loop (``--tb-loop``: the fast loop or Keras' own); any
other problem's model is the problem's own (a ``build(hp)`` or a Keras Tuner ``HyperModel``),
trained by Keras' own ``fit`` with the problem's ``steps_per_execution`` and ``jit_compile``.
Either way the returned trainer names the loop, keeps the clock of time inside fit and says how
it trained, for the result.
"""

from __future__ import annotations

from typing import Any, Protocol

import keras_tuner as kt

from tunerbench.data.dataset import Dataset
from tunerbench.problems.problem import KERAS_FIT_LOOP, Problem
from tunerbench.records.clocks import Accumulator
from tunerbench.training.loops import Workload, create_loop
from tunerbench.training.tensor_inputs import keras_fit


class Trainer(Protocol):
    """What trained a pipeline's models, as its result records it."""

    name: str
    fit_clock: Accumulator

    def settings(self) -> dict[str, Any]: ...


class KerasFit:
    """Keras' own fit of a problem's model: the loop name, clock and settings it is recorded by."""

    name = KERAS_FIT_LOOP

    def __init__(self, problem: Problem) -> None:
        self.fit_clock = Accumulator()
        self.problem = problem

    def settings(self) -> dict[str, Any]:
        return {
            "xla": self.problem.jit_compile,
            "steps_per_execution": self.problem.steps_per_execution,
            "models": "new per trial",
            "fit": "Keras' own",
        }


class ProblemHyperModel(kt.HyperModel):
    """A problem's own model on its own space, every fit timed and its batches reshuffled per
    epoch; a ``HyperModel`` class of the problem's keeps its own ``fit``."""

    def __init__(self, problem: Problem, trainer: KerasFit) -> None:
        super().__init__(name=problem.name)
        target = problem.resolve(problem.hypermodel)
        own = isinstance(target, type) and issubclass(target, kt.HyperModel)
        self.own: kt.HyperModel | None = target() if own else None
        self.build_model = self.own.build if self.own is not None else target
        self.problem = problem
        self.trainer = trainer

    def build(self, hp: kt.HyperParameters) -> Any:
        model = self.build_model(hp)
        if self.problem.jit_compile:
            model.jit_compile = True
        if self.problem.steps_per_execution > 1:
            model.steps_per_execution = self.problem.steps_per_execution
        return model

    def fit(
        self,
        hp: kt.HyperParameters,
        model: Any,
        x: Any,
        y: Any,
        validation_data: tuple[Any, Any] | None = None,
        batch_size: int = 32,
        **kwargs: Any,
    ) -> Any:
        if self.problem.batch_size_hp:
            batch_size = hp.get(self.problem.batch_size_hp)
        with self.trainer.fit_clock:
            if self.own is not None:
                return self.own.fit(
                    hp,
                    model,
                    x,
                    y,
                    validation_data=validation_data,
                    batch_size=batch_size,
                    **kwargs,
                )
            return keras_fit(model, x, y, validation_data, batch_size, **kwargs)

    def evaluate(self, model: Any, x: Any, y: Any) -> dict[str, float]:
        with self.trainer.fit_clock:
            return model.evaluate(x, y, verbose=0, return_dict=True)


def problem_hypermodel(
    problem: Problem, dataset: Dataset, loop: str, workload: Workload
) -> tuple[kt.HyperModel, Trainer]:
    """The hypermodel the tuner searches and the phases train, and what trains it."""
    if problem.fast_loop:
        trainer = create_loop(loop, workload)
        reference = problem.resolve(problem.hypermodel)
        return reference(dataset.image_shape, dataset.num_classes, trainer), trainer
    own = KerasFit(problem)
    return ProblemHyperModel(problem, own), own
