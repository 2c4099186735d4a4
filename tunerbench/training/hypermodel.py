"""The reference hypermodel and the search space both model families share.

The space is the reference run's: units 16..256 step 32 (16, 48, ..., 240) and learning rate in
{1e-2, 1e-3, 1e-4}. Keras Tuner decides what to try; the hypermodel turns that into a model; the
training loop decides how the model is built, fitted and evaluated.
"""

from __future__ import annotations

from typing import Any

import keras
import keras_tuner as kt

from tunerbench.space import LEARNING_RATES, UNITS
from tunerbench.training.loops import TrainingLoop


def define_space(hp: kt.HyperParameters) -> tuple[int, float]:
    units = hp.Int("units", **UNITS)
    learning_rate = hp.Choice("learning_rate", LEARNING_RATES)
    return units, learning_rate


def reference_model(
    model_class: type[keras.Sequential],
    image_shape: tuple[int, ...],
    num_classes: int,
    units: int,
    learning_rate: float,
    **compile_kwargs: Any,
) -> keras.Sequential:
    """Flatten -> Dense(units, relu) -> Dense(classes) logits, Adam, sparse cross-entropy."""
    model = model_class(
        [
            keras.Input(shape=image_shape),
            keras.layers.Flatten(),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(num_classes),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        **compile_kwargs,
    )
    return model


def fixed_hyperparameters(units: int, learning_rate: float) -> kt.HyperParameters:
    """One point of the space, for training without a search."""
    hp = kt.HyperParameters()
    hp.Fixed("units", units)
    hp.Fixed("learning_rate", learning_rate)
    return hp


class ReferenceHyperModel(kt.HyperModel):
    """The reference model on the search space, built and trained by a training loop."""

    def __init__(self, image_shape: tuple[int, ...], num_classes: int, loop: TrainingLoop) -> None:
        super().__init__(name="reference_mlp")
        self.image_shape = image_shape
        self.num_classes = num_classes
        self.loop = loop

    def build(self, hp: kt.HyperParameters) -> keras.Model:
        units, learning_rate = define_space(hp)
        return self.loop.build(self.image_shape, self.num_classes, units, learning_rate)

    def fit(
        self,
        hp: kt.HyperParameters,
        model: keras.Model,
        x: Any,
        y: Any,
        validation_data: tuple[Any, Any] | None = None,
        batch_size: int = 32,
        **kwargs: Any,
    ) -> Any:
        """Keras Tuner calls this per trial and the pipeline for the refit and final fit, so
        every phase trains through the same loop."""
        learning_rate = hp.get("learning_rate")
        return self.loop.fit(model, learning_rate, x, y, validation_data, batch_size, **kwargs)

    def evaluate(self, model: keras.Model, x: Any, y: Any) -> dict[str, float]:
        return self.loop.evaluate(model, x, y)


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


def mlp_settings(x: Any) -> dict[str, Any]:
    """How MLPClassifier computes in this process, recorded with its result: scikit-learn keeps
    float32 input in float32, weights included (measured here: 1.5x faster per epoch than
    float64), and its matrix products run in NumPy's BLAS with the threads the pipeline has
    (all cores one pipeline at a time: 1.1x faster than one thread; one each on ``local:2``)."""
    from threadpoolctl import threadpool_info

    blas = [pool for pool in threadpool_info() if pool.get("user_api") == "blas"]
    return {
        "dtype": str(x.dtype),
        "blas": blas[0].get("internal_api") if blas else None,
        "blas_threads": blas[0].get("num_threads") if blas else None,
    }
