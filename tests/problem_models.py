"""Models of a problem as a user writes them, for the problem tests: a build function and a
Keras Tuner HyperModel class with its own fit, on 64 features (digits as rows); and two spaces
a table refuses (a continuous range, a conditional scope)."""

from __future__ import annotations

from typing import Any, ClassVar

import keras
import keras_tuner as kt


def build(hp: Any) -> Any:
    hp.Choice("batch_size", [16, 64])
    model = keras.Sequential(
        [keras.Input(shape=(8, 8)), keras.layers.Flatten(),
         keras.layers.Dense(hp.Int("units", 8, 16, step=8), activation="relu"),
         keras.layers.Dense(10)]
    )  # fmt: skip
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


class OwnFit(kt.HyperModel):
    """A HyperModel whose fit records the batch size it was given, to show it is the one used."""

    batch_sizes: ClassVar[list[int]] = []

    def build(self, hp: Any) -> Any:
        return build(hp)

    def fit(self, hp: Any, model: Any, *args: Any, **kwargs: Any) -> Any:
        OwnFit.batch_sizes.append(kwargs["batch_size"])
        return model.fit(*args, **kwargs)


def build_continuous(hp: Any) -> Any:
    """A dropout rate searched as a continuous range (no step): no table can list its points."""
    hp.Float("dropout", 0.0, 0.5)
    return build(hp)


def build_conditional(hp: Any) -> Any:
    """A hyperparameter that exists only for one value of another: no dense grid holds it."""
    hp.Choice("optimizer", ["adam", "sgd"])
    with hp.conditional_scope("optimizer", ["sgd"]):  # declared (inactive) either way
        hp.Choice("momentum", [0.0, 0.9])
    return build(hp)
