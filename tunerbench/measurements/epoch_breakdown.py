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


def _stages(split: Split, units: int, batch: int) -> dict[str, Callable[[], Any]]:
    x = tf.constant(split.x_fit.reshape(len(split.x_fit), -1))
    y = tf.constant(split.y_fit)
    n, d = x.shape
    steps = n // batch
    rng = np.random.default_rng(0)
    w1 = tf.Variable(rng.normal(0, 0.05, (d, units)).astype("float32"))
    b1 = tf.Variable(tf.zeros(units))
    w2 = tf.Variable(rng.normal(0, 0.05, (units, 10)).astype("float32"))
    b2 = tf.Variable(tf.zeros(10))
    params = [w1, b1, w2, b2]
    optimizer = tf.keras.optimizers.Adam(1e-3)
    optimizer.build(params)
    order = tf.constant(rng.permutation(n)[: steps * batch].reshape(steps, batch))

    def rows(i: Any) -> tuple[Any, Any]:  # consecutive rows: a batch without a gather
        return tf.slice(x, [i * batch, 0], [batch, d]), tf.slice(y, [i * batch], [batch])

    def gradients(xb: Any, yb: Any) -> list[Any]:
        with tf.GradientTape() as tape:
            logits = tf.matmul(tf.nn.relu(tf.matmul(xb, w1) + b1), w2) + b2
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(yb, logits))
        return tape.gradient(loss, params)

    def matmuls(i: Any) -> Any:
        xb, _ = rows(i)
        h = tf.matmul(xb, w1)
        out = tf.matmul(h, w2)
        hidden_grad = tf.matmul(out, w2, transpose_b=True)
        return tf.reduce_sum(tf.matmul(xb, hidden_grad, transpose_a=True)) + tf.reduce_sum(
            tf.matmul(h, out, transpose_a=True)
        )

    def grads(i: Any) -> Any:
        return tf.add_n([tf.reduce_sum(g) for g in gradients(*rows(i))])

    def update(xb: Any, yb: Any) -> Any:
        # apply_gradients, unlike Keras 3's apply, exists on both Keras lines' Adam.
        optimizer.apply_gradients(zip(gradients(xb, yb), params, strict=True))
        return tf.constant(0.0)

    def adam(i: Any) -> Any:
        return update(*rows(i))

    def gather(i: Any) -> Any:
        index = order[i]
        return update(tf.gather(x, index), tf.gather(y, index))

    def epoch_of(step: Callable[[Any], Any]) -> Callable[[], Any]:
        @tf.function(jit_compile=True)
        def epoch() -> Any:
            # The sum carried through the loop keeps XLA from dropping the measured work.
            return tf.while_loop(
                lambda i, total: i < steps, lambda i, total: (i + 1, total + step(i)), (0, 0.0)
            )[1]

        return lambda: epoch().numpy()

    return {
        "matmuls": epoch_of(matmuls),
        "gradients": epoch_of(grads),
        "adam": epoch_of(adam),
        "gather": epoch_of(gather),
    }


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
