"""Training in blocks of batches: many optimizer steps per call into XLA, same updates.

Keras' ``steps_per_execution`` still returns to TensorFlow's graph executor for every batch (an
iterator read, a conditional and an XLA launch, about 0.3 ms each: more than this model's
arithmetic). Here the input pipeline hands the model a block of whole batches at once and
``train_step`` walks them inside one compiled loop, calling Keras' own ``train_step`` per batch:
the same batches in the same order, one optimizer update each, the same loss and metrics.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


class BlockSequential(keras.Sequential):
    """A Sequential model whose training batches may come stacked as ``[n_batches, batch, ...]``.

    Plain batches (a training set that does not split into whole batches) take Keras' usual path.
    """

    def train_step(self, data: Any) -> Any:
        x, y = data
        if len(x.shape) != len(self.input_shape) + 1:
            return super().train_step(data)
        # The first batch runs outside the loop so that Keras can create the optimizer and metric
        # variables it builds lazily; variables cannot be created inside a loop body.
        step = super().train_step
        step((x[0], y[0]))

        def body(i: Any) -> tuple[Any]:
            step((x[i], y[i]))
            return (i + 1,)

        tf.while_loop(lambda i: i < tf.shape(x)[0], body, (tf.constant(1),))
        return self.get_metrics_result()
