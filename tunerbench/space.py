"""The reference run's search space as plain values, shared by the models and the report."""

from __future__ import annotations

from typing import Any

UNITS = {"min_value": 16, "max_value": 256, "step": 32}  # 16, 48, ..., 240
LEARNING_RATES = [1e-2, 1e-3, 1e-4]
SEARCH_SPACE = ("units", "learning_rate")
# The reference run's choice: the fixed hyperparameters of the loop and speed measurements.
REFERENCE_UNITS = 176
REFERENCE_LEARNING_RATE = 1e-3


def flops_per_epoch(n_fit: int, n_val: int, inputs: int, units: int, classes: int = 10) -> float:
    """Floating-point operations of one epoch of the model with ``units``: forward and backward
    (about 3x forward) on the training set, forward on the validation set."""
    forward = 2 * (inputs * units + units * classes)
    return 3 * forward * n_fit + forward * n_val


def architectures() -> int:
    """How many different models the space holds (one per units value)."""
    return (UNITS["max_value"] - UNITS["min_value"] - 1) // UNITS["step"] + 1


def grid_size() -> int:
    """How many points GridSearch would have to visit to cover the whole space."""
    return architectures() * len(LEARNING_RATES)


def search_values(hp: Any) -> dict[str, Any]:
    """The values of the search space only, without Hyperband's bookkeeping entries."""
    return {name: hp.values[name] for name in SEARCH_SPACE if name in hp.values}


def schedule_values(hp: Any) -> dict[str, Any]:
    """Hyperband's ``tuner/...`` entries (epochs, initial epoch, bracket, parent trial)."""
    return {k.removeprefix("tuner/"): v for k, v in hp.values.items() if k.startswith("tuner/")}
