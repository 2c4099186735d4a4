"""The reference run's search space, as a Keras model and as a scikit-learn MLP.

Both share one definition of the space so the tuners compared search exactly the same values:
units 16..256 step 32 (16, 48, ..., 240) and learning rate in {1e-2, 1e-3, 1e-4}.
"""

from __future__ import annotations

from typing import Any

import keras
import keras_tuner as kt

from tunerbench.records.clocks import FIT_CLOCK
from tunerbench.space import LEARNING_RATES, UNITS
from tunerbench.training.batch_blocks import BlockSequential
from tunerbench.training.loops import Loop
from tunerbench.training.model_cache import fresh_optimizer, model_for


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
        if not self.loop.reuse_models:
            return self._new_model(units, learning_rate)
        key = (self.image_shape, self.num_classes, units, self.loop.name)
        return model_for(key, learning_rate, lambda: self._new_model(units, learning_rate))

    def _new_model(self, units: int, learning_rate: float) -> keras.Model:
        model_class = BlockSequential if self.loop.block_batches else keras.Sequential
        model = model_class(
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
        """``model.fit`` through the loop's input pipeline; Keras Tuner calls this per trial and
        the pipeline calls it for the refit and final fit, so every phase trains the same way."""
        with FIT_CLOCK:
            if self.loop.reuse_models:
                fresh_optimizer(model, hp.get("learning_rate"))
            if not self.loop.input_pipeline:
                return model.fit(
                    x, y, validation_data=validation_data, batch_size=batch_size, **kwargs
                )
            from tunerbench.training.tensor_inputs import evaluation_data, training_data

            if validation_data is not None:
                x_val, y_val = validation_data
                validation_data = evaluation_data(x_val, y_val, self.loop.eval_batch_size)
            kwargs["shuffle"] = False  # the pipeline reshuffles every epoch itself
            blocks = self.loop.block_batches if isinstance(model, BlockSequential) else None
            return model.fit(
                training_data(x, y, batch_size, blocks),
                validation_data=validation_data,
                **kwargs,
            )

    def evaluate(self, model: keras.Model, x: Any, y: Any) -> dict[str, float]:
        with FIT_CLOCK:
            if self.loop.input_pipeline:
                from tunerbench.training.tensor_inputs import evaluation_data

                data = evaluation_data(x, y, self.loop.eval_batch_size)
                return model.evaluate(data, verbose=0, return_dict=True)
            return model.evaluate(x, y, verbose=0, return_dict=True)


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
