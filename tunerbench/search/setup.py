"""One search, set up the same way in every process that takes part (the chief and each worker):
the split, the loop, the hypermodel and the tuner's context, and the search call itself.

The search runs through each framework's own entry point: Keras tuners through ``tuner.search``
with the reference run's callbacks, scikit-learn's through ``SklearnTuner.search`` on the
training rows plus the hold-out (its PredefinedSplit scores on the hold-out).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tunerbench.data.dataset import Dataset
from tunerbench.data.holdout import Split, make_split
from tunerbench.profiles import Profile
from tunerbench.search.budget import compute_budget
from tunerbench.search.durable_state import make_keras_tuner_state_durable
from tunerbench.search.registry import TUNERS, TunerEntry
from tunerbench.search.trial_log import TrialLog
from tunerbench.search.tuner_factories import TunerContext
from tunerbench.space import architectures
from tunerbench.training import backend
from tunerbench.training.hypermodel import ReferenceHyperModel
from tunerbench.training.loops import TrainingLoop, Workload, create_loop


def keras_fit_args(split: Split, profile: Profile, epochs: int) -> dict[str, Any]:
    """What every Keras fit of a pipeline gets: the split's rows, the profile's batch size."""
    return {
        "x": split.x_fit,
        "y": split.y_fit,
        "validation_data": (split.x_val, split.y_val),
        "epochs": epochs,
        "batch_size": profile.batch_size,
        "verbose": 0,
    }


def pipeline_workload(split: Split, profile: Profile) -> Workload:
    """The training a pipeline on ``split`` with ``profile`` will do, for its loop's choices."""
    budget = compute_budget(profile)
    return Workload(len(split.y_fit), profile.batch_size, budget.total_epochs, architectures())


def flat(x: np.ndarray) -> np.ndarray:
    """Images as rows of pixels, as scikit-learn's MLPClassifier takes them."""
    return x.reshape(len(x), -1)


@contextlib.contextmanager
def budget_capped_fits() -> Iterator[None]:
    """Silence ConvergenceWarning: stopping at the epoch budget is the point, not a fault."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@dataclass(frozen=True)
class TunerSetup:
    """Everything a process needs to build the same tuner: the chief and every worker alike."""

    entry: TunerEntry
    split: Split
    ctx: TunerContext
    profile: Profile
    seed: int
    loop: TrainingLoop

    @classmethod
    def create(
        cls,
        tuner: str,
        dataset: Dataset,
        profile: Profile,
        seed: int,
        workdir: Path,
        loop_name: str,
    ) -> TunerSetup:
        backend.set_seed(seed)
        split = make_split(dataset, profile)
        loop = create_loop(loop_name, pipeline_workload(split, profile))
        ctx = TunerContext(
            hypermodel=ReferenceHyperModel(dataset.image_shape, dataset.num_classes, loop),
            budget=compute_budget(profile),
            directory=workdir,
            seed=seed,
            batch_size=profile.batch_size,
            n_fit=len(split.y_fit),
            n_val=len(split.y_val),
        )
        return cls(TUNERS.get_entry(tuner), split, ctx, profile, seed, loop)

    def build_tuner(self, trial_log: TrialLog) -> Any:
        make_keras_tuner_state_durable()  # before Keras Tuner reloads or writes its folder
        return self.entry.create(self.ctx, trial_log)

    def search(self, tuner: Any) -> None:
        SEARCHES[self.entry.framework](self, tuner)


def _keras_search(setup: TunerSetup, tuner: Any) -> None:
    import keras

    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=setup.profile.patience)
    # A NaN loss ends the trial at once; the tuner then records it as failed.
    nan = keras.callbacks.TerminateOnNaN()
    fit_args = keras_fit_args(setup.split, setup.profile, setup.profile.max_epochs)
    tuner.search(**fit_args, callbacks=[stop, nan])


def _sklearn_search(setup: TunerSetup, tuner: Any) -> None:
    tuner.oracle.verbose = 0  # SklearnTuner.search takes no verbose argument
    split = setup.split
    with budget_capped_fits():
        tuner.search(
            flat(np.concatenate([split.x_fit, split.x_val])),
            np.concatenate([split.y_fit, split.y_val]),
        )


SEARCHES = {"keras": _keras_search, "sklearn": _sklearn_search}
