"""Compiled models kept per architecture and reset between trials, as if built afresh.

Every trial of a search builds a new model, and Keras traces and XLA compiles its training and
evaluation functions again (about 1.5 s per trial here, longer than a short trial's epochs), and
TensorFlow keeps every compiled program for the life of the process, so memory grows with the
number of trials. The search space has only eight architectures (units), so one compiled model per
architecture is kept and reset for each trial: new initial weights drawn the way a new layer draws
them, zeroed optimizer state, the trial's learning rate. Mathematically each trial still starts
from a freshly initialised model. The catch: a model from ``get`` is only valid until the next
``get`` of the same architecture, which the pipeline never needs (one trial or phase at a time).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import keras
import tensorflow as tf


def _fresh(initializer: Any) -> Any:
    """A new instance of ``initializer`` with a newly drawn seed, as a newly built layer has."""
    config = initializer.get_config()
    if "seed" in config:
        config["seed"] = None
    return type(initializer).from_config(config)


def reset(model: keras.Model, learning_rate: float) -> None:
    """New initial weights and the trial's learning rate (the optimizer is reset per fit)."""
    for layer in model.layers:
        for name in ("kernel", "bias"):
            variable = getattr(layer, name, None)
            if variable is not None:
                initializer = _fresh(getattr(layer, f"{name}_initializer"))
                variable.assign(initializer(tuple(variable.shape), dtype=variable.dtype))
    model.optimizer.learning_rate = learning_rate
    model.reset_metrics()


def fresh_optimizer(model: keras.Model, learning_rate: float) -> None:
    """Zero the step count and moments and set the learning rate, before a fit starts.

    Keras Tuner's Hyperband loads an earlier trial's checkpoint into the trial's model, and
    Keras restores the saved optimizer state, learning rate included, into an optimizer that is
    built (the fast loop's models build theirs when compiled, and a reused model's is built);
    Keras' own loop's new model, whose optimizer is not built yet, skips it. Resetting here
    makes every fit start with a fresh optimizer, as that one does.
    """
    optimizer = model.optimizer
    for variable in optimizer.variables:
        # Assigned, not multiplied by zero: a diverged trial leaves NaN or Inf here, and
        # NaN * 0 is NaN, which would fail every later trial of this architecture.
        variable.assign(tf.zeros(variable.shape, dtype=variable.dtype))
    optimizer.learning_rate = learning_rate


class CompiledModels:
    """One compiled model per architecture key, for one pipeline: a new cache per pipeline makes
    it pay its own compilations, so its timings do not depend on what ran before it."""

    def __init__(self) -> None:
        self._models: dict[Hashable, Any] = {}

    def get(self, key: Hashable, learning_rate: float, build: Callable[[], keras.Model]) -> Any:
        """The kept model for ``key`` reset for a new trial, or a new one from ``build``."""
        model = self._models.get(key)
        if model is None:
            model = self._models[key] = build()
            return model
        reset(model, learning_rate)
        return model
