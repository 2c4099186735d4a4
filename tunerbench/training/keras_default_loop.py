"""``keras-default``: Keras' own settings, the baseline every speed figure is measured against.

No XLA, one step per call, validation and test batches of 32, NumPy arrays into ``evaluate`` and
as validation data, and a newly built and compiled model for every trial, as Keras Tuner's
documentation does. One thing differs from passing the training arrays to ``fit``: under a fixed
global seed (every run here is seeded, to be reproducible) Keras 3's array path repeats one
shuffle order in every epoch, which costs about a point of accuracy. The training arrays are
therefore turned into tensors at every fit, as Keras does, and batched by ``shuffled_batches``,
which draws a new order every epoch as unseeded Keras does, reproducibly.
"""

from __future__ import annotations

from typing import Any

import keras

from tunerbench.records.clocks import Accumulator
from tunerbench.training.hypermodel import reference_model
from tunerbench.training.loops import Workload
from tunerbench.training.tensor_inputs import keras_fit


class KerasDefaultLoop:
    name = "keras-default"

    def __init__(self, workload: Workload) -> None:
        self.fit_clock = Accumulator()

    def settings(self) -> dict[str, Any]:
        return {"xla": False, "block_batches": None, "models": "new per trial"}

    def build(
        self, image_shape: tuple[int, ...], num_classes: int, units: int, learning_rate: float
    ) -> keras.Model:
        return reference_model(keras.Sequential, image_shape, num_classes, units, learning_rate)

    def fit(
        self,
        model: keras.Model,
        learning_rate: float,
        x: Any,
        y: Any,
        validation_data: tuple[Any, Any] | None,
        batch_size: int,
        **kwargs: Any,
    ) -> Any:
        with self.fit_clock:
            return keras_fit(model, x, y, validation_data, batch_size, **kwargs)

    def evaluate(self, model: keras.Model, x: Any, y: Any) -> dict[str, float]:
        with self.fit_clock:
            return model.evaluate(x, y, verbose=0, return_dict=True)
