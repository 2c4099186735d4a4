"""The reference run beside the measured Hyperband runs.

The reference is the Keras Tuner walk-through on Fashion-MNIST: Hyperband, TensorFlow 2.4 on
CPU, the reference profile's setup.
"""

from __future__ import annotations

from dataclasses import dataclass

from tunerbench.records.schema import RunResult
from tunerbench.report.grouping import GroupKey, environment


@dataclass(frozen=True)
class ReferenceRow:
    label: str
    n_trials: int
    search_wall_s: float
    best_val_accuracy: float
    units: int | None
    learning_rate: float | None
    best_epoch: int
    test_accuracy: float


REFERENCE_TUNER = "hyperband"  # the reference run's tuner, compared beside it
REFERENCE = ReferenceRow(
    label="Keras Tuner walk-through on Fashion-MNIST (Hyperband, TensorFlow 2.4, CPU)",
    n_trials=30,
    search_wall_s=184.0,
    best_val_accuracy=0.8864,
    units=176,
    learning_rate=0.001,
    best_epoch=14,
    test_accuracy=0.8894,
)


@dataclass(frozen=True)
class ReferenceComparison:
    reference: ReferenceRow
    measured: list[ReferenceRow]
    comparable: bool  # the same dataset and profile as the reference run


def reference_comparison(key: GroupKey, runs: list[RunResult]) -> ReferenceComparison:
    measured = [
        ReferenceRow(
            label=f"{environment(r)}, seed {r.seed}, loop {r.loop}",
            n_trials=r.n_trials,
            search_wall_s=r.phases["search"].wall_s,
            best_val_accuracy=r.best_val_accuracy,
            units=r.best_hyperparameters.get("units"),
            learning_rate=r.best_hyperparameters.get("learning_rate"),
            best_epoch=r.best_epoch,
            test_accuracy=r.test_accuracy,
        )
        for r in sorted(runs, key=lambda r: (environment(r), r.seed))
        if r.tuner == REFERENCE_TUNER
    ]
    comparable = key.dataset == "fashion_mnist" and key.profile == "reference"
    return ReferenceComparison(REFERENCE, measured, comparable)
