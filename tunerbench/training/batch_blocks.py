"""Training in blocks of batches: many optimizer steps per call into XLA, same updates.

Keras' ``steps_per_execution`` still returns to TensorFlow's graph executor for every batch (an
iterator read, a conditional and an XLA launch, about 0.3 ms each: more than this model's
arithmetic). Here the input pipeline hands the model a block of whole batches at once and
``train_step`` walks them inside one compiled loop, one ``adam_step.train_batch`` per batch: the
same batches in the same order, one optimizer update each, the same loss and metrics.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tunerbench.training.adam_step import record_metrics, train_batch


class BlockSequential(keras.Sequential):
    """A Sequential model whose training batches may come stacked as ``[n_batches, batch, ...]``;
    a plain batch (a training set that does not split into whole batches) is a block of one."""

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """Compile, then create the optimizer's moments for the model's trainable variables in
        their order (which ``adam_step`` relies on): variables cannot be made inside the compiled
        loop, where Keras would otherwise make them at the first update."""
        super().compile(*args, **kwargs)
        self.optimizer.build(self.trainable_variables)

    def train_step(self, data: Any) -> Any:
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        if len(x.shape) == len(self.input_shape):
            x, y = x[None], y[None]
        batches = tf.shape(x)[0]

        def body(i: Any, predictions: Any) -> tuple[Any, Any]:
            return i + 1, predictions.write(i, train_batch(self, x[i], y[i]))

        outputs = tf.TensorArray(self.compute_dtype, size=batches)
        _, outputs = tf.while_loop(lambda i, _: i < batches, body, (tf.constant(0), outputs))
        return record_metrics(self, tf.reshape(y, [-1]), outputs.concat())
