"""Training in blocks of batches: many optimizer steps per call into XLA, same updates.

Keras' ``steps_per_execution`` still returns to TensorFlow's graph executor for every batch (an
iterator read, a conditional and an XLA launch, about 0.3 ms each: more than this model's
arithmetic). Here the input pipeline hands the model a block of batches of *indices* into the
training set, and ``train_step`` walks them inside one compiled loop: it gathers each batch's
images and labels from the kept tensors and trains it with ``adam_step.train_batch``. The same
batches in the same order, one optimizer update each, the same loss and metrics.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tunerbench.training.adam_step import check_optimizer, record_metrics, train_batch


class BlockSequential(keras.Sequential):
    """A Sequential model trained on indices into the examples given by ``train_on``: blocks
    stacked as ``[n_batches, batch]``, or a plain batch (a training set that does not split into
    whole batches), which is a block of one."""

    _examples: tuple[Any, Any] | None = None

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """Compile, then create the optimizer's moments for the model's trainable variables in
        their order (which ``adam_step`` relies on): variables cannot be made inside the compiled
        loop, where Keras would otherwise make them at the first update."""
        super().compile(*args, **kwargs)
        check_optimizer(self.optimizer)
        self.optimizer.build(self.trainable_variables)

    def train_on(self, images: Any, labels: Any) -> None:
        """The tensors the indices of the next fits point into. The compiled step holds the
        tensors it was traced with, so new ones make it trace again; a pipeline trains on one
        training set, so that happens once per model."""
        if self._examples is None or any(
            a is not b for a, b in zip(self._examples, (images, labels), strict=True)
        ):
            # Set past Keras' attribute tracking: these are data, not state of the model.
            object.__setattr__(self, "_examples", (images, labels))
            self.train_function = None

    def train_step(self, data: Any) -> Any:
        indices, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        if self._examples is None:
            raise RuntimeError("BlockSequential.train_on() names the examples before fit()")
        images, labels = self._examples
        if len(indices.shape) == 1:
            indices = indices[None]
        batches = tf.shape(indices)[0]

        def body(i: Any, predictions: Any) -> tuple[Any, Any]:
            rows = indices[i]
            x, y = tf.gather(images, rows), tf.gather(labels, rows)
            return i + 1, predictions.write(i, train_batch(self, x, y))

        outputs = tf.TensorArray(self.compute_dtype, size=batches)
        _, outputs = tf.while_loop(lambda i, _: i < batches, body, (tf.constant(0), outputs))
        seen = tf.gather(labels, tf.reshape(indices, [-1]))
        return record_metrics(self, seen, outputs.concat())
