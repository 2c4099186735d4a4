"""The model every measurement trains: the reference MLP at the reference run's choice (units 176,
learning rate 1e-3) under a named loop, set up for a profile's pipeline as a trial's would be.

One definition, so the epochs timed by ``--tb-speed`` and the accuracy checked by
``--tb-loop-accuracy`` are of the same model under the same loop settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunerbench.data.dataset import class_count
from tunerbench.data.holdout import Split
from tunerbench.profiles import Profile
from tunerbench.space import REFERENCE_LEARNING_RATE, REFERENCE_UNITS

if TYPE_CHECKING:
    import keras_tuner as kt

    from tunerbench.training.hypermodel import ReferenceHyperModel


def reference_model_of(
    loop_name: str, split: Split, profile: Profile
) -> tuple[ReferenceHyperModel, kt.HyperParameters]:
    """The reference hypermodel trained by loop ``loop_name`` (sized for a pipeline of
    ``split`` at ``profile``; ``hypermodel.loop`` is it) and its fixed hyperparameters."""
    from tunerbench.search.budget import compute_budget, pipeline_workload
    from tunerbench.training.hypermodel import ReferenceHyperModel, fixed_hyperparameters
    from tunerbench.training.loops import create_loop

    workload = pipeline_workload(len(split.y_fit), profile, compute_budget(profile))
    loop = create_loop(loop_name, workload)
    classes = class_count(split.y_fit, split.y_val, split.y_test)
    hypermodel = ReferenceHyperModel(tuple(split.x_fit.shape[1:]), classes, loop)
    return hypermodel, fixed_hyperparameters(REFERENCE_UNITS, REFERENCE_LEARNING_RATE)
