"""``keras-default``: Keras' own settings, the baseline every speed figure is measured against.

NumPy arrays go straight into ``fit`` and ``evaluate`` (batch 32 for both), no XLA, one step per
call, and a newly built and compiled model for every trial, as Keras Tuner's documentation does.
"""

from __future__ import annotations

from typing import Any

import keras

from tunerbench.records.clocks import Accumulator
from tunerbench.training.hypermodel import reference_model


class KerasDefaultLoop:
    name = "keras-default"

    def __init__(self) -> None:
        self.fit_clock = Accumulator()

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
            return model.fit(x, y, validation_data=validation_data, batch_size=batch_size, **kwargs)

    def evaluate(self, model: keras.Model, x: Any, y: Any) -> dict[str, float]:
        with self.fit_clock:
            return model.evaluate(x, y, verbose=0, return_dict=True)
