"""The reference run's search space, as a Keras model and as a scikit-learn MLP.

Both share one definition of the space so the tuners compared search exactly the same values:
units 16..256 step 32 (16, 48, ..., 240) and learning rate in {1e-2, 1e-3, 1e-4}.
"""

from __future__ import annotations

from typing import Any

import keras
import keras_tuner as kt

from tunerbench.loops import Loop
from tunerbench.space import LEARNING_RATES, UNITS


def define_space(hp: kt.HyperParameters) -> tuple[int, float]:
    units = hp.Int("units", **UNITS)
    learning_rate = hp.Choice("learning_rate", LEARNING_RATES)
    return units, learning_rate


class ReferenceHyperModel(kt.HyperModel):
    """Flatten -> Dense(units, relu) -> Dense(classes) logits, Adam, sparse cross-entropy."""

    def __init__(self, image_shape: tuple[int, ...], num_classes: int, loop: Loop) -> None:
        super().__init__(name="reference_mlp")
        self.image_shape = image_shape
        self.num_classes = num_classes
        self.loop = loop

    def build(self, hp: kt.HyperParameters) -> keras.Model:
        units, learning_rate = define_space(hp)
        model = keras.Sequential(
            [
                keras.Input(shape=self.image_shape),
                keras.layers.Flatten(),
                keras.layers.Dense(units, activation="relu"),
                keras.layers.Dense(self.num_classes),
            ]
        )
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
            **self.loop.compile_kwargs,
        )
        return model


def build_mlp(hp: kt.HyperParameters, max_iter: int, batch_size: int, seed: int) -> Any:
    """scikit-learn's MLPClassifier on the same space; alpha=0 as the Keras model has no L2."""
    from sklearn.neural_network import MLPClassifier

    units, learning_rate = define_space(hp)
    return MLPClassifier(
        hidden_layer_sizes=(units,),
        solver="adam",
        learning_rate_init=learning_rate,
        batch_size=batch_size,
        alpha=0.0,
        max_iter=max_iter,
        random_state=seed,
    )
