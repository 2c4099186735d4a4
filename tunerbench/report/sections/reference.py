"""The reference run beside the measured Hyperband runs.

The reference is the Keras Tuner walk-through on Fashion-MNIST: Hyperband, TensorFlow 2.4 on
CPU, the reference profile's setup.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from tunerbench.records.run_result import RunResult
from tunerbench.report.decision.statistics.descriptive import Description, describe
from tunerbench.report.inputs.groups import GroupKey
from tunerbench.report.inputs.labels import environment, sort_environments, variant
from tunerbench.report.inputs.seed_tables import per_seed


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
    # What best_val_accuracy is of: the reference's is val_accuracy; a run of a problem with
    # another objective says so beside its value.
    objective: str = "val_accuracy"


# The reference run's setup: only runs of this tuner, dataset and profile are its peers.
REFERENCE_TUNER = "hyperband"
REFERENCE_DATASET = "fashion_mnist"
REFERENCE_PROFILE = "reference"
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
class Fidelity:
    """The suite's Hyperband over seeds in one environment, beside the reference figures."""

    environment: str
    n_seeds: int
    test_accuracy: Description
    test_low: float
    test_high: float
    best_epoch_mean: float
    best_epoch_low: float
    best_epoch_high: float
    units: dict[int, int]  # chosen units -> how many seeds chose them (a seed's first run)

    @property
    def test_within(self) -> bool:
        return self.test_low <= REFERENCE.test_accuracy <= self.test_high

    @property
    def best_epoch_within(self) -> bool:
        return self.best_epoch_low <= REFERENCE.best_epoch <= self.best_epoch_high

    @property
    def units_chosen(self) -> bool:
        return REFERENCE.units in self.units


@dataclass(frozen=True)
class ReferenceComparison:
    reference: ReferenceRow
    measured: list[ReferenceRow]
    comparable: bool  # the same dataset and profile as the reference run
    fidelity: list[Fidelity]  # per environment, for the default way of running Hyperband


def fidelity(environment_name: str, runs: list[RunResult]) -> Fidelity:
    """Hyperband's figures over seeds; a seed run more than once counts once (its mean)."""
    tests = list(per_seed(runs, lambda r: r.test.accuracy).values())
    epochs = list(per_seed(runs, lambda r: r.search.best_epoch).values())
    latest_first = sorted(runs, key=lambda r: r.identity.started_at, reverse=True)
    first = {r.identity.seed: r for r in latest_first}
    units = Counter(int(r.search.best_hyperparameters.get("units", 0)) for r in first.values())
    return Fidelity(
        environment=environment_name,
        n_seeds=len({r.identity.seed for r in runs}),
        test_accuracy=describe(tests),
        test_low=min(tests),
        test_high=max(tests),
        best_epoch_mean=sum(epochs) / len(epochs),
        best_epoch_low=min(epochs),
        best_epoch_high=max(epochs),
        units=dict(sorted(units.items())),
    )


def reference_comparison(key: GroupKey, runs: list[RunResult]) -> ReferenceComparison:
    measured = [
        ReferenceRow(
            label=f"{environment(r)}, seed {r.identity.seed}, loop {r.identity.loop}",
            n_trials=r.search.n_trials,
            search_wall_s=r.cost.phases["search"].wall_s,
            best_val_accuracy=r.search.best_val_accuracy,
            units=r.search.best_hyperparameters.get("units"),
            learning_rate=r.search.best_hyperparameters.get("learning_rate"),
            best_epoch=r.search.best_epoch,
            test_accuracy=r.test.accuracy,
            objective=r.search.objective_name,
        )
        for r in sorted(runs, key=lambda r: (environment(r), r.identity.seed))
        if r.identity.tuner == REFERENCE_TUNER
    ]
    comparable = (key.problem, key.profile) == (REFERENCE_DATASET, REFERENCE_PROFILE)
    plain: dict[str, list[RunResult]] = defaultdict(list)
    for run in runs:
        if variant(run) == REFERENCE_TUNER:  # the default loop, one worker
            plain[environment(run)].append(run)
    fidelities = [fidelity(env, plain[env]) for env in sort_environments(plain)]
    return ReferenceComparison(REFERENCE, measured, comparable, fidelities)
