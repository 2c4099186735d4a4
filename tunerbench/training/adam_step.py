"""One training step written out: Keras' mathematics without Keras' per-batch bookkeeping.

Keras' ``train_step`` updates its loss tracker and every compiled metric, and runs its
optimizer's generic ``apply`` (loss scaling, gradient accumulation and weight-decay checks,
iteration bookkeeping), for every batch: measured on a 2-core Intel Xeon, about 0.3 s of a
1.03 s epoch of the reference model; on a 2-core AMD EPYC nothing measurable (the same epoch
time either way). Here a batch costs only its arithmetic:

- the loss is the model's own ``compute_loss`` on its own forward pass (sparse categorical
  cross-entropy from logits, the mean over the batch), differentiated by ``GradientTape``;
- the update is Adam exactly as Keras writes it (``keras.optimizers.Adam.update_step``): moments
  ``m += (g - m)(1 - beta_1)`` and ``v += (g^2 - v)(1 - beta_2)``, step
  ``lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)``, ``w -= step * m / (sqrt(v) + epsilon)``, written
  into the optimizer's own moment and step variables, so resetting, saving and reading the
  optimizer work as before;
- the metrics are Keras' own, updated once per block of batches from every batch's predictions
  (each made before that batch's update, as Keras' are): per-sample means, so an epoch's figures
  are the ones Keras would log.

What this assumes, and the tests check against Keras' ``train_step`` batch by batch (the weights
come out bit for bit the same): the model is compiled with Keras' Adam without clipping, weight
decay, AMSGrad or a moving average (``check_optimizer`` refuses any other).
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


def check_optimizer(optimizer: Any) -> None:
    """Refuse, in one line, an optimizer whose update ``adam_update`` would not reproduce."""
    settings = optimizer.get_config()
    extras = [
        name
        for name in (
            "clipnorm",
            "clipvalue",
            "global_clipnorm",
            "weight_decay",
            "amsgrad",
            "use_ema",
        )
        if settings.get(name)
    ]
    if type(optimizer).__name__ != "Adam" or extras:
        raise ValueError(
            f"the fast loop's training step is Adam's plain update; this model's optimizer is "
            f"{type(optimizer).__name__} with {', '.join(extras) or 'another update'}: "
            "train it with --tb-loop keras-default"
        )


def _moments(optimizer: Any) -> tuple[list[Any], list[Any]]:
    """The first and second moment variables of Keras' Adam, in the order it was built with
    (the model's trainable variables)."""
    return optimizer._momentums, optimizer._velocities


def adam_update(optimizer: Any, variables: list[Any], gradients: list[Any]) -> None:
    """``optimizer.apply_gradients(zip(gradients, variables))`` for Keras' Adam, as arithmetic."""
    dtype = variables[0].dtype
    step = tf.cast(optimizer.iterations + 1, dtype)
    learning_rate = tf.cast(optimizer.learning_rate, dtype)
    beta_1, beta_2 = tf.cast(optimizer.beta_1, dtype), tf.cast(optimizer.beta_2, dtype)
    alpha = learning_rate * tf.sqrt(1 - tf.pow(beta_2, step)) / (1 - tf.pow(beta_1, step))
    for variable, gradient, m, v in zip(variables, gradients, *_moments(optimizer), strict=True):
        # 1 - beta in Python's double, then float32, as Keras does (not 1 - float32(beta)).
        m.assign_add((gradient - m) * (1 - optimizer.beta_1))
        v.assign_add((tf.square(gradient) - v) * (1 - optimizer.beta_2))
        variable.assign_sub((m * alpha) / (tf.sqrt(v) + optimizer.epsilon))
    optimizer.iterations.assign_add(1)


def train_batch(model: keras.Model, x: Any, y: Any) -> Any:
    """One batch: forward, loss, gradients, Adam. Returns the batch's predictions."""
    variables = model.trainable_variables
    with tf.GradientTape() as tape:
        predictions = model(x, training=True)
        loss = model.compute_loss(x=x, y=y, y_pred=predictions)
    adam_update(model.optimizer, variables, tape.gradient(loss, variables))
    return predictions


def record_metrics(model: keras.Model, y: Any, predictions: Any) -> dict[str, Any]:
    """Keras' loss and metrics over many batches' labels and predictions at once.

    Keras 3 tracks the loss apart from ``compute_loss``: its tracker gets the block's mean loss,
    the mean of its batches' mean losses (batches of equal size), weighted by the block's number
    of samples, so an epoch's loss is the one an update per batch would give. Keras 2 tracks it
    inside ``compute_loss``, which ``train_batch`` called for every batch.
    """
    tracker = getattr(model, "_loss_tracker", None)
    if tracker is not None:
        loss = model.compute_loss(y=y, y_pred=predictions)
        tracker.update_state(loss, sample_weight=tf.shape(y)[0])
    return model.compute_metrics(None, y, predictions, None)
