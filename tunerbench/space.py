"""The reference MLP's search space as plain values, shared by its models and the report, and
the split of a trial's values into the space's and Hyperband's bookkeeping."""

from __future__ import annotations

from typing import Any

UNITS = {"min_value": 16, "max_value": 256, "step": 32}  # 16, 48, ..., 240
LEARNING_RATES = [1e-2, 1e-3, 1e-4]
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
    """The values of the search space only, without Hyperband's ``tuner/...`` bookkeeping."""
    return {k: v for k, v in hp.values.items() if not k.startswith("tuner/")}


def schedule_values(hp: Any) -> dict[str, Any]:
    """Hyperband's ``tuner/...`` entries (epochs, initial epoch, bracket, parent trial)."""
    return {k.removeprefix("tuner/"): v for k, v in hp.values.items() if k.startswith("tuner/")}


def grid_points(hyperparameters: Any) -> int | None:
    """Points of the grid of Keras Tuner's ``HyperParameters`` (what GridSearch would visit);
    None where a dimension has no step (a continuous range has no grid)."""
    points = 1
    for hp in hyperparameters.space:
        if hp.name.startswith("tuner/"):
            continue
        if getattr(hp, "step", 1) is None:
            return None
        points *= len(list(hp.values))
    return points
