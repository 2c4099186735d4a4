"""The fast loop's own training step must do Keras' mathematics: batch by batch, the same weights,
optimizer state and logged metrics as Keras' ``train_step``, for every architecture of the space."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tunerbench.data.dataset import Dataset
from tunerbench.space import LEARNING_RATES, UNITS
from tunerbench.training.batch_blocks import BlockSequential
from tunerbench.training.hypermodel import reference_model

STEPS = 100
BATCH = 32
# Both steps run the same float32 operations (measured: the weights agree bit for bit after 100
# steps). The tolerance leaves room for a compiler that orders a sum differently, nothing more:
# weights are of order 0.1, and one Adam step moves a weight by up to its learning rate, 1e-2;
# Keras' own step compiled with XLA and without it already differ by about 3e-7.
ATOL = 1e-6


def _units() -> list[int]:
    return list(range(UNITS["min_value"], UNITS["max_value"], UNITS["step"]))


@pytest.mark.parametrize("xla", [True, False], ids=["xla", "graph"])
@pytest.mark.parametrize("units", _units())
def test_each_batch_updates_like_keras_train_step(digits: Dataset, units: int, xla: bool) -> None:
    """Every architecture, each at one of the three learning rates (all three in turn), compiled
    with XLA (the reference profile) and as a traced graph (the quick profile)."""
    learning_rate = LEARNING_RATES[_units().index(units) % len(LEARNING_RATES)]
    space = (digits.image_shape, 10, units, learning_rate)
    keras_model = reference_model(keras.Sequential, *space, jit_compile=xla)
    own = reference_model(BlockSequential, *space, jit_compile=xla)
    own.set_weights(keras_model.get_weights())
    own.train_on(tf.constant(digits.x_train), tf.constant(digits.y_train))
    rng = np.random.default_rng(units)
    worst = 0.0
    for step in range(STEPS):
        rows = rng.choice(len(digits.y_train), BATCH, replace=False)
        x, y = digits.x_train[rows], digits.y_train[rows]
        expected = keras_model.train_on_batch(x, y, return_dict=True)
        logged = own.train_on_batch(rows[None], return_dict=True)  # a block of one batch
        for a, b in zip(keras_model.get_weights(), own.get_weights(), strict=True):
            worst = max(worst, float(np.max(np.abs(a - b))))
        assert worst < ATOL, f"weights apart by {worst:.2e} after batch {step + 1}"
        assert logged["loss"] == pytest.approx(expected["loss"], rel=1e-4)
        assert logged["accuracy"] == pytest.approx(expected["accuracy"], abs=1e-6)
    moments = [np.array(v) for v in keras_model.optimizer.variables]
    for a, b in zip(moments, [np.array(v) for v in own.optimizer.variables], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-7)
    assert int(own.optimizer.iterations.numpy()) == STEPS


def test_an_update_it_cannot_reproduce_is_refused_in_one_line() -> None:
    with pytest.raises(ValueError, match=r"optimizer is Adam with clipnorm: train it with"):
        BlockSequential([keras.Input(shape=(4,)), keras.layers.Dense(2)]).compile(
            optimizer=keras.optimizers.Adam(1e-3, clipnorm=1.0), loss="mse"
        )


def test_a_block_logs_what_its_batches_would(digits: Dataset) -> None:
    """Metrics are updated once per block: the epoch's loss and accuracy are still the means
    over every batch's predictions before its update, as Keras logs them."""
    x, y = digits.x_train[:320], digits.y_train[:320]
    keras_model = reference_model(keras.Sequential, digits.image_shape, 10, 48, 1e-2)
    own = reference_model(BlockSequential, digits.image_shape, 10, 48, 1e-2)
    own.set_weights(keras_model.get_weights())
    own.train_on(tf.constant(x), tf.constant(y))
    batches = tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH)
    expected = keras_model.fit(batches, epochs=3, verbose=0).history
    blocks = tf.data.Dataset.range(len(y)).batch(BATCH).batch(5)  # the same batches, indexed
    logged = own.fit(blocks, epochs=3, verbose=0).history
    np.testing.assert_allclose(logged["loss"], expected["loss"], rtol=1e-5)
    np.testing.assert_allclose(logged["accuracy"], expected["accuracy"], atol=1e-6)
