"""The loops' input pipelines: tensors made once per pipeline, a shuffled ``tf.data`` order per
fit.

Converting 48,000 images to a tensor costs more than a small model's epoch; the trials and phases
of a pipeline reuse the same arrays, so their tensors are kept for as long as the cache lives.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf


def shuffled_order(n: int, batch_size: int, block_batches: int | None) -> Any:
    """The indices of ``n`` examples in batches, in a new order every epoch, like
    ``fit(x, y, shuffle=True)`` promises.

    As Keras does for arrays, the indices are shuffled, not the examples: shuffling the images
    themselves would hold a second copy of the training set in the shuffle buffer for every fit.
    The order is seeded by TensorFlow's global seed, so a run is reproducible, and drawn anew for
    every epoch (``reshuffle_each_iteration``): Keras 3's own array path instead repeats one order
    in every epoch when a global seed is set. With ``block_batches``, consecutive batches are
    stacked into blocks of that many (the last block may hold fewer), provided the set splits
    into whole batches: a smaller last batch could not be stacked, so such sets stay in plain
    batches.
    """
    order = tf.data.Dataset.range(n).shuffle(n, reshuffle_each_iteration=True).batch(batch_size)
    if block_batches and n % batch_size == 0:
        order = order.batch(block_batches)
    return order


def shuffled_batches(images: Any, labels: Any, batch_size: int) -> Any:
    """``shuffled_order``'s batches of examples, gathered from the tensors as Keras does."""
    order = shuffled_order(int(labels.shape[0]), batch_size, None)
    data = order.map(lambda index: (tf.gather(images, index), tf.gather(labels, index)))
    return data.prefetch(2)


def keras_fit(
    model: Any,
    x: Any,
    y: Any,
    validation_data: tuple[Any, Any] | None,
    batch_size: int,
    **kwargs: Any,
) -> Any:
    """Keras' own ``fit`` on batches drawn in a new order every epoch (``shuffled_batches``):
    what unseeded Keras does, reproducibly under the run's seed."""
    data = shuffled_batches(tf.constant(x), tf.constant(y), batch_size)
    kwargs["shuffle"] = False  # the batches reshuffle every epoch themselves
    return model.fit(data, validation_data=validation_data, **kwargs)


class TensorCache:
    """Tensors of the arrays a pipeline trains on, made on first use."""

    def __init__(self) -> None:
        # Keyed by id(array); the array itself is kept beside its tensor so the id stays unique.
        self._tensors: dict[int, tuple[np.ndarray, Any]] = {}

    def as_tensor(self, array: np.ndarray) -> Any:
        kept = self._tensors.get(id(array))
        if kept is None or kept[0] is not array:
            kept = (array, tf.constant(array))
            self._tensors[id(array)] = kept
        return kept[1]

    def training_data(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> Any:
        """``shuffled_batches`` of the kept tensors of ``x`` and ``y``."""
        return shuffled_batches(self.as_tensor(x), self.as_tensor(y), batch_size)

    def training_order(
        self, x: np.ndarray, y: np.ndarray, batch_size: int, block_batches: int | None
    ) -> tuple[Any, Any, Any]:
        """``shuffled_order``'s blocks of indices, and the kept tensors of ``x`` and ``y`` they
        index: the fast loop gathers each batch inside its compiled step, where a gather is a
        copy of one batch, instead of in ``tf.data``, which copied whole blocks between
        threads (measured: about a fifth of an epoch)."""
        order = shuffled_order(len(y), batch_size, block_batches).prefetch(2)
        return order, self.as_tensor(x), self.as_tensor(y)

    def evaluation_data(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> Any:
        """The kept tensors in batches of ``batch_size``, in order, each cut whole from them.

        ``from_tensor_slices(...).batch(...)`` gives the same batches but takes the set apart
        image by image and stacks it again on every pass: measured on a 2-core AMD EPYC, one
        thread, 176 units, a pass over the 12,000 validation images took 0.091 s that way
        against 0.055 s as one whole batch, and the pipeline makes one per epoch."""
        images, labels = self.as_tensor(x), self.as_tensor(y)
        n = int(labels.shape[0])
        if n <= batch_size:
            return tf.data.Dataset.from_tensors((images, labels))
        starts = tf.data.Dataset.range(0, n, batch_size)
        return starts.map(lambda i: (images[i : i + batch_size], labels[i : i + batch_size]))
