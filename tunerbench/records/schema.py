"""The result records: what the benchmark writes, what pytest-benchmark keeps in ``extra_info``
and what the report reads are one schema of plain dataclasses (a pipeline's own result,
``RunResult``, is in ``run_result`` with its parts).

Fields are only ever added, never renamed: scripts and older results files rely on the names.
Reading a record ignores fields it does not know, so a file written by a newer tunerbench with
extra fields still reads (a newer *format* is refused by ``results_file``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any, ClassVar, TypeVar

from tunerbench.records.validation import NotNegative

PHASES = ("search", "refit", "final")
# A hyperparameter's value as Keras Tuner reports it: always a scalar.
HyperValue = int | float | str | bool


def run_label(tuner: str, seed: int) -> str:
    """A run's name in the journal, its folder and the benchmark's id: ``hyperband-seed1``."""
    return f"{tuner}-seed{seed}"


@dataclass(frozen=True)
class PhaseTiming:
    wall_s: float
    cpu_s: float


@dataclass(frozen=True)
class Budget:
    """The equal-budget rule and its numbers, as written into every result."""

    rule: str
    max_epochs_per_trial: int
    hyperband_factor: int
    hyperband_trials: int
    total_epochs: int
    max_trials: int
    patience: int


# A trial's end as Keras Tuner names it (its TrialStatus values, read without importing it).
COMPLETED = "COMPLETED"
FAILED = "FAILED"
INVALID = "INVALID"
ENDED = (COMPLETED, FAILED, INVALID)


@dataclass
class TrialRecord:
    trial_id: str
    hyperparameters: dict[str, HyperValue]
    val_accuracy: float | None
    epochs: Annotated[int, NotNegative] | None  # summed along the search's epochs
    wall_s: float
    finished_at_s: float
    status: str = COMPLETED
    message: str | None = None
    rss_mb: float | None = None
    schedule: dict[str, Any] = field(default_factory=dict)


class _Measurement:
    """What every measurement record shares: it is written with its ``KIND``, so a reader tells
    the kinds apart in one place (``results_file.MEASUREMENTS``) and the report reads typed
    records; the written fields are the record's own, so files of every version read alike."""

    KIND: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.KIND, **asdict(self)}


@dataclass(frozen=True)
class EpochSpeed(_Measurement):
    """A speed record of ``--tb-speed``: seconds per epoch of each loop (median of timed epochs
    after one warm-up epoch), and the arithmetic lower bound from the machine's matmul rate."""

    KIND: ClassVar[str] = "epoch_speed"

    dataset: str
    profile: str
    units: int
    default_epoch_s: float
    fast_epoch_s: float
    speedup: float
    matmul_gflops: float
    gflop_per_epoch: float
    bound_epoch_s: float
    fast_over_bound: float
    epochs_timed: int
    # Seconds per epoch of the fast epoch built up stage by stage
    # (``measurements.epoch_breakdown``): matmuls, gradients, adam, gather (hand-written,
    # cumulative), keras_train, fast_epoch.
    breakdown: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class LoopAccuracy(_Measurement):
    """A record of ``--tb-loop-accuracy``: the reference model with fixed hyperparameters
    through the refit and final phases under one loop and seed; the report pairs the loops by
    seed."""

    KIND: ClassVar[str] = "loop_accuracy"

    dataset: str
    profile: str
    loop: str
    seed: int
    units: int
    learning_rate: float
    phase_seeds: dict[str, int]
    refit_val_accuracy: list[float]
    best_epoch: int
    best_val_accuracy: float
    test_accuracy: float
    test_loss: float
    refit_wall_s: float
    final_wall_s: float


@dataclass(frozen=True)
class PipelineTime:
    """One pipeline of a throughput measurement: its phases' wall time, its process's start-up
    (None: not recorded), TensorFlow's threads and the test accuracy it reached."""

    tuner: str
    seed: int
    wall_s: float
    startup_s: float | None
    threads: int
    test_accuracy: float | None


@dataclass(frozen=True)
class ClusterThroughput(_Measurement):
    """A record of ``--tb-speed``'s study throughput: the same pipelines one after another, then
    on a cluster, in one session on the same data."""

    KIND: ClassVar[str] = "cluster_throughput"

    dataset: str
    profile: str
    cluster: str
    pipelines: int
    sequential_s: float
    cluster_s: float
    ratio: float  # sequential_s / cluster_s
    sequential: list[PipelineTime]
    on_cluster: list[PipelineTime]


Measurement = EpochSpeed | LoopAccuracy | ClusterThroughput
_Record = TypeVar("_Record", EpochSpeed, LoopAccuracy, ClusterThroughput)


@dataclass(frozen=True)
class Measurements:
    """Measurements by kind, each list in the order read: what the report reads, so no section
    sorts records by their kind itself."""

    epochs: list[EpochSpeed] = field(default_factory=list)
    loop_checks: list[LoopAccuracy] = field(default_factory=list)
    throughputs: list[ClusterThroughput] = field(default_factory=list)

    @classmethod
    def of(cls, records: Iterable[Measurement]) -> Measurements:
        every = list(records)
        return cls(
            [r for r in every if isinstance(r, EpochSpeed)],
            [r for r in every if isinstance(r, LoopAccuracy)],
            [r for r in every if isinstance(r, ClusterThroughput)],
        )

    def of_setup(self, dataset: str, profile: str) -> Measurements:
        """Those measured on ``dataset`` at ``profile``: figures of another setup would not
        compare."""

        def mine(records: list[_Record]) -> list[_Record]:
            return [r for r in records if (r.dataset, r.profile) == (dataset, profile)]

        return Measurements(mine(self.epochs), mine(self.loop_checks), mine(self.throughputs))
