"""The fast loop must train exactly like Keras' own loop: blocks of batches and reused models."""

from __future__ import annotations

from pathlib import Path

import keras
import keras_tuner as kt
import numpy as np
import pytest
import tensorflow as tf

from tunerbench.data.dataset import Dataset
from tunerbench.training import backend
from tunerbench.training.batch_blocks import BlockSequential
from tunerbench.training.hypermodel import ReferenceHyperModel
from tunerbench.training.loops import Workload, create_loop
from tunerbench.training.model_cache import fresh_optimizer
from tunerbench.training.tensor_inputs import TensorCache, shuffled_batches, shuffled_order

# A small study (the fast loop skips XLA) and the reference profile's (XLA pays off).
SMALL = Workload(fit_rows=320, batch_size=32, budget_epochs=26, architectures=8)
REFERENCE = Workload(fit_rows=48000, batch_size=32, budget_epochs=120, architectures=8)


def _compiled(model: keras.Model, **compile_kwargs: object) -> keras.Model:
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        **compile_kwargs,
    )
    return model


def _layers(shape: tuple[int, ...]) -> list:
    return [
        keras.Input(shape=shape),
        keras.layers.Flatten(),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(10),
    ]


def _hp(units: int, learning_rate: float) -> kt.HyperParameters:
    hp = kt.HyperParameters()
    hp.Fixed("units", units)
    hp.Fixed("learning_rate", learning_rate)
    return hp


def _weights(model: keras.Model) -> list[np.ndarray]:
    return [np.array(w) for w in model.get_weights()]


def test_blocks_make_the_same_updates_as_single_batches(digits: Dataset) -> None:
    """Same start, same batches in the same order: the same weights and logs after two epochs."""
    x, y = digits.x_train[:320], digits.y_train[:320]
    plain = _compiled(keras.Sequential(_layers(x.shape[1:])), jit_compile=True)
    blocks = _compiled(BlockSequential(_layers(x.shape[1:])), jit_compile=True)
    blocks.set_weights(plain.get_weights())
    blocks.train_on(tf.constant(x), tf.constant(y))
    batches = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    plain_logs = plain.fit(batches, epochs=2, verbose=0).history
    indices = tf.data.Dataset.range(len(y)).batch(32).batch(4)  # the same batches, indexed
    block_logs = blocks.fit(indices, epochs=2, verbose=0).history
    for a, b in zip(_weights(plain), _weights(blocks), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(plain_logs["loss"], block_logs["loss"], rtol=1e-5)
    assert plain_logs["accuracy"] == pytest.approx(block_logs["accuracy"])
    assert int(blocks.optimizer.iterations.numpy()) == 2 * 10


def test_blocks_are_used_only_for_sets_of_whole_batches(digits: Dataset) -> None:
    tensors = TensorCache()
    whole, images, _ = tensors.training_order(
        digits.x_train[:320], digits.y_train[:320], 32, block_batches=4
    )
    ragged, _, _ = tensors.training_order(
        digits.x_train[:330], digits.y_train[:330], 32, block_batches=4
    )
    assert [tuple(b.shape) for b in whole] == [(4, 32), (4, 32), (2, 32)]
    assert [int(b.shape[0]) for b in ragged] == [32] * 10 + [10]
    assert images.shape == (320, *digits.image_shape)


def test_xla_only_where_the_work_repays_its_compilation() -> None:
    small, reference = create_loop("fast", SMALL), create_loop("fast", REFERENCE)
    assert not small.settings()["xla"] and reference.settings()["xla"]
    assert reference.settings()["batches_per_architecture"] == 22500
    ragged = Workload(fit_rows=330, batch_size=32, budget_epochs=26, architectures=8)
    assert create_loop("fast", ragged).settings()["block_batches"] is None


@pytest.mark.parametrize("workload", [SMALL, REFERENCE], ids=["graph", "xla"])
def test_a_reused_model_trains_like_a_new_one(
    digits: Dataset, tmp_path: Path, workload: Workload
) -> None:
    """After a trial the kept model is reset; loaded with an earlier trial's checkpoint (weights
    and optimizer state, as Hyperband does), it must then train exactly like a new model loaded
    from the same checkpoint, compiled with XLA or not."""
    x, y = digits.x_train[:320], digits.y_train[:320]
    hypermodel = ReferenceHyperModel(x.shape[1:], 10, create_loop("fast", workload))
    used = hypermodel.build(_hp(16, 1e-2))
    hypermodel.fit(_hp(16, 1e-2), used, x, y, epochs=1, verbose=0)
    checkpoint = str(tmp_path / "trial.weights.h5")
    used.save_weights(checkpoint)
    trained = _weights(used)

    reused = hypermodel.build(_hp(16, 1e-3))
    assert reused is used
    assert float(reused.optimizer.learning_rate.numpy()) == pytest.approx(1e-3)
    assert not np.allclose(trained[0], _weights(reused)[0])

    new = _compiled(keras.Sequential(_layers(x.shape[1:])), jit_compile=True)
    for model in (reused, new):
        model.load_weights(checkpoint)
    fresh_optimizer(reused, 1e-3)  # what the hypermodel's fit does first
    reused.train_on(tf.constant(x), tf.constant(y))
    reused.fit(tf.data.Dataset.range(len(y)).batch(32).batch(5), epochs=1, verbose=0)
    new.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(32), epochs=1, verbose=0)
    for a, b in zip(_weights(new), _weights(reused), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_each_reuse_draws_new_initial_weights(digits: Dataset) -> None:
    hypermodel = ReferenceHyperModel(digits.image_shape, 10, create_loop("fast", SMALL))
    first = _weights(hypermodel.build(_hp(48, 1e-3)))
    second = _weights(hypermodel.build(_hp(48, 1e-3)))
    assert not np.allclose(first[0], second[0])
    assert np.allclose(second[1], 0)  # biases start at zero, as Dense's do


def test_the_default_loop_builds_a_new_model_every_time(digits: Dataset) -> None:
    hypermodel = ReferenceHyperModel(digits.image_shape, 10, create_loop("keras-default", SMALL))
    assert hypermodel.build(_hp(48, 1e-3)) is not hypermodel.build(_hp(48, 1e-3))


def _orders(data: tf.data.Dataset, epochs: int) -> list[np.ndarray]:
    """The labels (or indices) of each epoch's batches, in order."""

    def labels(batch: object) -> np.ndarray:
        return (batch[1] if isinstance(batch, tuple) else batch).numpy().ravel()

    return [np.concatenate([labels(batch) for batch in data]) for _ in range(epochs)]


def test_every_epoch_has_a_new_order_under_a_fixed_seed_and_runs_repeat() -> None:
    """``fit(x, y, shuffle=True)`` promises a new order per epoch; Keras 3's own array path
    repeats one order when a global seed is set. Both loops' batches must not, and the same
    seed must give the same orders again."""
    labels = np.arange(640)
    images = tf.constant(np.zeros((640, 2, 2), "float32"))
    runs = []
    backend.set_seed(1)
    runs.append(_orders(shuffled_order(len(labels), 32, 4), 3))  # the fast loop's index blocks
    for _ in range(2):  # the default loop's batches, twice from the same seed
        backend.set_seed(1)
        runs.append(_orders(shuffled_batches(images, tf.constant(labels), 32), 3))
    for orders in runs:
        assert all(sorted(order) == list(labels) for order in orders)  # every example once
        assert not np.array_equal(orders[0], orders[1])
        assert not np.array_equal(orders[1], orders[2])
    assert all(np.array_equal(a, b) for a, b in zip(runs[1], runs[2], strict=True))


def test_the_default_loop_trains_reproducibly(digits: Dataset) -> None:
    x, y = digits.x_train[:320], digits.y_train[:320]
    weights = []
    for _ in range(2):
        backend.set_seed(3)
        loop = create_loop("keras-default", SMALL)
        model = loop.build(x.shape[1:], 10, 16, 1e-2)
        loop.fit(model, 1e-2, x, y, None, 32, epochs=2, verbose=0)
        weights.append(_weights(model))
    for a, b in zip(*weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_diverged_trial_leaves_nothing_behind_in_the_kept_model(digits: Dataset) -> None:
    """A trial that diverges leaves NaN in its model's optimizer state; the kept model must
    still train the next trial of that architecture from a clean start."""
    x, y = digits.x_train[:320], digits.y_train[:320]
    hypermodel = ReferenceHyperModel(x.shape[1:], 10, create_loop("fast", SMALL))
    diverged = hypermodel.build(_hp(16, 1e-2))
    hypermodel.fit(_hp(16, 1e-2), diverged, x, y, epochs=1, verbose=0)
    moments = [v for v in diverged.optimizer.variables if "float" in str(v.dtype) and v.shape]
    for variable in moments:
        variable.assign(tf.fill(variable.shape, float("nan")))
    assert moments and all(np.isnan(v.numpy()).all() for v in moments)
    kept = hypermodel.build(_hp(16, 1e-3))
    history = hypermodel.fit(_hp(16, 1e-3), kept, x, y, epochs=2, verbose=0)
    assert kept is diverged
    assert all(np.isfinite(loss) for loss in history.history["loss"])
    assert all(np.isfinite(w).all() for w in _weights(kept))


@pytest.mark.parametrize("batch_size", [100, 16384])  # several batches, and one whole set
def test_evaluation_batches_are_the_sets_own_in_order(digits: Dataset, batch_size: int) -> None:
    """The evaluation data are the set cut into batches in order: every image once, and the
    figures Keras' own ``evaluate`` gives with that batch size."""
    x, y = digits.x_test, digits.y_test
    model = _compiled(keras.Sequential(_layers(x.shape[1:])))
    data = TensorCache().evaluation_data(x, y, batch_size)
    seen = np.concatenate([labels.numpy() for _, labels in data])
    np.testing.assert_array_equal(seen, y)
    ours = model.evaluate(data, verbose=0, return_dict=True)
    keras_own = model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)
    assert ours == pytest.approx(keras_own, rel=1e-6)
