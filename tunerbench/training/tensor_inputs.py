"""The fast loop's input pipeline: tensors made once, a shuffled ``tf.data`` pipeline per fit.

Converting 48,000 images to a tensor costs more than a small model's epoch; trials of a search
reuse the same arrays, so the tensors are kept per array for the life of the process.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_TENSORS: dict[int, tuple[np.ndarray, Any]] = {}


def as_tensor(array: np.ndarray) -> Any:
    """The tensor of ``array``, made on first use (the array is kept so its id stays unique)."""
    import tensorflow as tf

    kept = _TENSORS.get(id(array))
    if kept is None or kept[0] is not array:
        kept = (array, tf.constant(array))
        _TENSORS[id(array)] = kept
    return kept[1]


def training_data(
    x: np.ndarray, y: np.ndarray, batch_size: int, block_batches: int | None = None
) -> Any:
    """Reshuffled every epoch, like ``fit(x, y, shuffle=True)``; same batches, same updates.

    As Keras does for arrays, the indices are shuffled and each batch gathered from the kept
    tensors: shuffling the images themselves would hold a second copy of the training set in the
    shuffle buffer for every fit. With ``block_batches``, consecutive batches are stacked into
    blocks of that many (the last block may hold fewer), provided the set splits into whole
    batches: a smaller last batch could not be stacked, so such sets stay in plain batches.
    """
    import tensorflow as tf

    images, labels = as_tensor(x), as_tensor(y)
    order = tf.data.Dataset.range(len(y)).shuffle(len(y), reshuffle_each_iteration=True)
    order = order.batch(batch_size)
    if block_batches and len(y) % batch_size == 0:
        order = order.batch(block_batches)
    data = order.map(lambda index: (tf.gather(images, index), tf.gather(labels, index)))
    return data.prefetch(2)


def evaluation_data(x: np.ndarray, y: np.ndarray, batch_size: int) -> Any:
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices((as_tensor(x), as_tensor(y))).batch(batch_size)
