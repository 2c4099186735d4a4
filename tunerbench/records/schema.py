"""The result records: what the benchmark writes, what pytest-benchmark keeps in ``extra_info``
and what the report reads are one schema of plain dataclasses.

Fields are only ever added, never renamed: scripts and older results files rely on the names.
Reading a record ignores fields it does not know, so a file written by a newer tunerbench with
extra fields still reads (a newer *format* is refused by ``results_file``).
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field
from typing import Any

PHASES = ("search", "refit", "final")


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


@dataclass
class TrialRecord:
    trial_id: str
    hyperparameters: dict[str, Any]
    val_accuracy: float | None
    epochs: int | None
    wall_s: float
    finished_at_s: float
    status: str = "COMPLETED"
    message: str | None = None
    rss_mb: float | None = None
    schedule: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunResult:
    """One (tuner, dataset, profile, seed) pipeline: search, best-epoch refit, final fit."""

    tuner: str
    dataset: str
    profile: str
    seed: int
    loop: str
    budget: Budget
    best_hyperparameters: dict[str, Any]
    best_val_accuracy: float
    best_epoch: int
    test_accuracy: float
    test_loss: float | None  # None: the final fit diverged (no finite loss)
    n_trials: int
    phases: dict[str, PhaseTiming]
    refit_val_accuracy: list[float]
    trials: list[TrialRecord]
    versions: dict[str, str]
    machine: dict[str, Any]
    data: dict[str, Any]
    started_at: str
    search_epochs: int
    resumed: int = 0
    notes: list[str] = field(default_factory=list)
    workers: int = 1
    fit_s: float | None = None
    # The benchmark session (its run folder's name) that ran this pipeline: the report compares
    # speeds only between runs of one session, measured side by side on the same machine.
    session: str = ""
    # Where and how the pipeline's own process ran: the Dask worker ("" when the session ran it),
    # TensorFlow's thread pools (0: TensorFlow's default, every core), seconds from starting the
    # process to starting the pipeline (imports, data), the process's peak resident memory, how
    # many times it was started (more than 1 after a lost worker), and the resident memory of
    # the session's own process when it collected this result.
    worker: str = ""
    threads: int = 0
    startup_s: float | None = None
    peak_rss_mb: float | None = None
    attempts: int = 1
    collector_rss_mb: float | None = None
    # The seed each phase ran with, derived from ``seed`` (see ``tunerbench.run.seeds``).
    phase_seeds: dict[str, int] = field(default_factory=dict)
    # How the training loop trained (XLA or not, blocks, why): its own choices, recorded.
    loop_settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RunResult:
        """Rebuild a record; unknown extra fields are ignored so newer files still read."""
        if not isinstance(raw, dict):
            raise ValueError("a result is not an object")
        required = [
            name
            for name, spec in cls.__dataclass_fields__.items()
            if spec.default is MISSING and spec.default_factory is MISSING
        ]
        missing = [name for name in required if name not in raw]
        if missing:
            raise ValueError(f"missing fields {', '.join(missing)}")
        values = {name: raw[name] for name in cls.__dataclass_fields__ if name in raw}
        values["budget"] = Budget(**known_fields(Budget, raw["budget"]))
        values["phases"] = {
            name: PhaseTiming(**known_fields(PhaseTiming, timing))
            for name, timing in raw["phases"].items()
        }
        values["trials"] = [TrialRecord(**known_fields(TrialRecord, t)) for t in raw["trials"]]
        return cls(**values)


@dataclass(frozen=True)
class EpochSpeed:
    """A speed record of ``--tb-speed``: seconds per epoch of each loop (median of timed epochs
    after one warm-up epoch), and the arithmetic lower bound from the machine's matmul rate."""

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
    kind: str = "epoch_speed"
    # Seconds per epoch of the fast epoch built up stage by stage (``run.epoch_breakdown``):
    # matmuls, gradients, adam, gather (hand-written, cumulative), keras_train, fast_epoch.
    breakdown: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> EpochSpeed:
        return cls(**known_fields(cls, raw))


def known_fields(cls: type, raw: dict[str, Any]) -> dict[str, Any]:
    """The entries of ``raw`` that ``cls`` has fields for (newer writers may add more)."""
    if not isinstance(raw, dict):
        raise ValueError(f"{cls.__name__} is not an object")
    return {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
