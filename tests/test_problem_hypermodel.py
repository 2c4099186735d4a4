"""A problem's own model as tuners and phases train it: Keras' own fit with the problem's
steps_per_execution and jit_compile, the batch size a hyperparameter sets, a HyperModel's own
fit kept, every fit on the trainer's clock."""

from __future__ import annotations

import keras_tuner as kt
import pytest
from problem_models import OwnFit, build

from tunerbench.data.dataset import Dataset
from tunerbench.problems.problem import Problem
from tunerbench.training.loops import Workload
from tunerbench.training.problem_hypermodel import problem_hypermodel

WORKLOAD = Workload(fit_rows=320, batch_size=32, budget_epochs=2, architectures=1)


def _fit(problem: Problem, digits: Dataset, hp: kt.HyperParameters) -> tuple[object, object]:
    hypermodel, trainer = problem_hypermodel(problem, digits, "fast", WORKLOAD)
    model = hypermodel.build(hp)
    x, y = digits.x_train[:320], digits.y_train[:320]
    history = hypermodel.fit(hp, model, x, y, validation_data=(x[:64], y[:64]), epochs=2,
                             batch_size=32, verbose=0)  # fmt: skip
    return model, (history, trainer)


def test_keras_fit_with_the_problems_settings_and_batch_size(digits: Dataset) -> None:
    problem = Problem(name="mine", hypermodel=build, dataset="digits", batch_size_hp="batch_size",
                      steps_per_execution=4, jit_compile=True)  # fmt: skip
    hp = kt.HyperParameters()
    hp.Fixed("batch_size", 64)
    model, (history, trainer) = _fit(problem, digits, hp)
    assert (model.steps_per_execution, model.jit_compile) == (4, True)
    assert history.params["steps"] == 5  # 320 rows in batches of 64, not the 32 asked for
    assert trainer.name == "keras-default" and trainer.fit_clock.total_s > 0
    assert trainer.settings() == {"xla": True, "steps_per_execution": 4,
                                  "models": "new per trial", "fit": "Keras' own"}  # fmt: skip


def test_a_hypermodel_class_keeps_its_own_fit(digits: Dataset) -> None:
    problem = Problem(name="mine", hypermodel=OwnFit, dataset="digits")
    hp = kt.HyperParameters()
    hp.Fixed("batch_size", 16)
    OwnFit.batch_sizes.clear()
    model, (history, _) = _fit(problem, digits, hp)
    assert OwnFit.batch_sizes == [32] and model.steps_per_execution == 1
    assert len(history.history["val_accuracy"]) == 2


@pytest.mark.parametrize("loop", ["fast", "keras-default"])
def test_the_reference_mlp_is_trained_by_the_loop_asked_for(loop: str, digits: Dataset) -> None:
    from tunerbench.problems.builtin import PROBLEMS

    hypermodel, trainer = problem_hypermodel(PROBLEMS["digits"], digits, loop, WORKLOAD)
    assert trainer.name == loop and hypermodel.loop is trainer
