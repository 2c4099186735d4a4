"""Where a fast epoch's time goes, measured by building it up step by step.

Each stage is one epoch of the reference model (units 176, batch 32) on the training split,
written out by hand in one XLA-compiled loop, each stage adding one part of a training step:
the matmuls of the forward and backward pass alone, then the rest of the gradient (bias, ReLU,
softmax cross-entropy), then Adam's update, then gathering the shuffled batches. The fast loop's
own epoch (its own train step in blocks inside Keras' fit, plus validation) is measured beside
them, so the difference is Keras' fit around the steps. Stages are interleaved over rounds and
the median kept, as the machine is shared.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

from tunerbench.data.holdout import Split

STAGES = ("matmuls", "gradients", "adam", "gather")


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


class _HandWritten:
    """The reference model written out by hand on the training split: its tensors, parameters
    and Adam, and one training step per stage, each adding one part to the stage before."""

    def __init__(self, split: Split, units: int, batch: int) -> None:
        self.x = tf.constant(split.x_fit.reshape(len(split.x_fit), -1))
        self.y = tf.constant(split.y_fit)
        n, self.d = self.x.shape
        self.batch, self.steps = batch, n // batch
        rng = np.random.default_rng(0)
        self.w1 = tf.Variable(rng.normal(0, 0.05, (self.d, units)).astype("float32"))
        self.b1 = tf.Variable(tf.zeros(units))
        self.w2 = tf.Variable(rng.normal(0, 0.05, (units, 10)).astype("float32"))
        self.b2 = tf.Variable(tf.zeros(10))
        self.params = [self.w1, self.b1, self.w2, self.b2]
        self.optimizer = tf.keras.optimizers.Adam(1e-3)
        self.optimizer.build(self.params)
        shuffled = rng.permutation(n)[: self.steps * batch]
        self.order = tf.constant(shuffled.reshape(self.steps, batch))

    def rows(self, i: Any) -> tuple[Any, Any]:
        """Consecutive rows: a batch without a gather."""
        start = i * self.batch
        return (
            tf.slice(self.x, [start, 0], [self.batch, self.d]),
            tf.slice(self.y, [start], [self.batch]),
        )

    def gradients(self, xb: Any, yb: Any) -> list[Any]:
        with tf.GradientTape() as tape:
            hidden = tf.nn.relu(tf.matmul(xb, self.w1) + self.b1)
            logits = tf.matmul(hidden, self.w2) + self.b2
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(yb, logits))
        return tape.gradient(loss, self.params)

    def update(self, xb: Any, yb: Any) -> Any:
        # apply_gradients, unlike Keras 3's apply, exists on both Keras lines' Adam.
        self.optimizer.apply_gradients(zip(self.gradients(xb, yb), self.params, strict=True))
        return tf.constant(0.0)

    def matmuls(self, i: Any) -> Any:
        xb, _ = self.rows(i)
        h = tf.matmul(xb, self.w1)
        out = tf.matmul(h, self.w2)
        hidden_grad = tf.matmul(out, self.w2, transpose_b=True)
        return tf.reduce_sum(tf.matmul(xb, hidden_grad, transpose_a=True)) + tf.reduce_sum(
            tf.matmul(h, out, transpose_a=True)
        )

    def grads(self, i: Any) -> Any:
        return tf.add_n([tf.reduce_sum(g) for g in self.gradients(*self.rows(i))])

    def adam(self, i: Any) -> Any:
        return self.update(*self.rows(i))

    def gather(self, i: Any) -> Any:
        index = self.order[i]
        return self.update(tf.gather(self.x, index), tf.gather(self.y, index))

    def epoch_of(self, step: Callable[[Any], Any]) -> Callable[[], Any]:
        """One epoch of ``step`` in one XLA-compiled loop."""
        steps = self.steps

        @tf.function(jit_compile=True)
        def epoch() -> Any:
            # The sum carried through the loop keeps XLA from dropping the measured work.
            return tf.while_loop(
                lambda i, total: i < steps, lambda i, total: (i + 1, total + step(i)), (0, 0.0)
            )[1]

        return lambda: epoch().numpy()


def _stages(split: Split, units: int, batch: int) -> dict[str, Callable[[], Any]]:
    """One epoch per stage, in the order of STAGES."""
    model = _HandWritten(split, units, batch)
    steps = {
        "matmuls": model.matmuls,
        "gradients": model.grads,
        "adam": model.adam,
        "gather": model.gather,
    }
    return {name: model.epoch_of(steps[name]) for name in STAGES}


def epoch_breakdown(
    split: Split, units: int, fast_epoch: Callable[[], float], rounds: int = 3, batch: int = 32
) -> dict[str, float]:
    """Seconds per epoch of each stage (cumulative), of the fast loop's training without
    validation (``fast_epoch`` returns it), and of the whole fast epoch."""
    stages = _stages(split, units, batch)
    for run in stages.values():
        run()  # compile
    times: dict[str, list[float]] = {name: [] for name in (*STAGES, "keras_train")}
    for _ in range(rounds):
        for name, run in stages.items():
            times[name].append(_timed(run))
        times["keras_train"].append(fast_epoch())
    return {name: round(statistics.median(values), 4) for name, values in times.items()}
