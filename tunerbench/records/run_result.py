"""One pipeline's result: ``RunResult`` and the typed parts it is made of.

In code a result is read by its parts (which pipeline it was, what the search found, the test
score, what it cost, how and where it ran); written, it is one flat object. The parts are for
the code only: results files, the journal, pytest-benchmark's ``extra_info`` and a worker's
reply hold flat keys whose names, values and order are the same in every version of tunerbench,
so files of every version read alike and scripts reading the keys keep working. Records only
grow: a field is added after the others, never renamed, never nested under its part. Reading
ignores keys it does not know, so a file written by a newer tunerbench with extra fields still
reads (a newer *format* is refused by ``results_file``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

from tunerbench.records.schema import PHASES, Budget, HyperValue, PhaseTiming, TrialRecord
from tunerbench.records.validation import Name, NonEmpty, RecordError, Rule, Timestamp, build

# What the report reads of every result, beyond each field's type: each phase's time, the
# versions its environments table shows and the data's sizes (every version of tunerbench wrote
# them all), and the machine's host, which tells two runs apart.
VERSIONS = ("python", "tensorflow", "keras", "keras_tuner", "numpy", "scikit_learn")
ALL_PHASES = Rule(lambda phases: set(PHASES) <= set(phases), f"hold the phases {', '.join(PHASES)}")
ALL_VERSIONS = Rule(lambda found: set(VERSIONS) <= set(found), f"name {', '.join(VERSIONS)}")
HOST_TEXT = Rule(lambda machine: isinstance(machine.get("host", ""), str), "hold its host as text")
COUNTS = ("n_fit", "n_val", "n_test")
DATA_SIZES = Rule(
    lambda data: (
        all(type(data.get(n)) is int and data[n] >= 0 for n in COUNTS)
        and {"source", "validation"} <= set(data)
    ),
    f"hold {', '.join(COUNTS)} as counts, source and validation",
)


@dataclass
class _Part:
    """A part of a result. Its fields are written flat into the result under their own names,
    except those ``KEYS`` names otherwise (``TestOutcome.accuracy`` is ``test_accuracy``)."""

    KEYS: ClassVar[dict[str, str]] = {}

    @classmethod
    def flat_keys(cls) -> dict[str, str]:
        """Each field's key in the flat record, by field name."""
        return {f.name: cls.KEYS.get(f.name, f.name) for f in dataclasses.fields(cls)}


@dataclass
class RunIdentity(_Part):
    """Which pipeline ran: tuner, dataset, profile, seed and loop, its search workers, its
    session and problem, and when it started (which tells apart two runs of one seed)."""

    tuner: Name
    dataset: Name
    profile: Name
    seed: int
    loop: Name
    started_at: Timestamp
    workers: int = 1
    # The benchmark session (its run folder's name) that ran this pipeline: the report compares
    # speeds only between runs of one session, measured side by side on the same machine.
    session: Name = ""
    # The benchmark problem ("" in records older than the field, whose problem is named by
    # ``dataset``) and a digest of its definition, so two definitions under one name differ.
    problem: Name = ""
    problem_fingerprint: Name = ""
    # Every tuner the session was asked to run ([] in older records), so a command that grows
    # the session names them all, even a tuner none of whose pipelines saved a result.
    session_tuners: list[Name] = field(default_factory=list)
    # "replay" for a pipeline replayed against a table of recorded training ("" for real
    # training), the table's fingerprint and its training seeds per point: the report never
    # pools replayed runs with real ones, and says how many training seeds stand behind them.
    mode: Literal["", "replay"] = ""
    table_fingerprint: Name = ""
    table_seeds: int = 0
    # The --tb-output folder whose tables/ holds the table and its kept cells ("" where the
    # table lies elsewhere, and in records older than the field): where a table grown by more
    # training seeds keeps what was trained.
    table_output: Name = ""
    # A replay's final fit: the table's row of the chosen point, the training run (column) it
    # read, and that point's test accuracy after the best epoch in every training run of the
    # table (column order): what a bootstrap over the table's training seeds resamples.
    table_point: int = -1
    table_run: int = -1
    table_test_accuracy: list[float] = field(default_factory=list)

    @property
    def problem_name(self) -> str:
        return self.problem or self.dataset


@dataclass
class SearchOutcome(_Part):
    """What the search found under its budget, and the best-epoch refit of its choice.
    ``best_val_accuracy``, ``refit_val_accuracy`` and each trial's ``val_accuracy`` hold the
    problem's objective (validation accuracy for SklearnTuner's estimator) under the keys every
    version writes, whatever the objective is called."""

    budget: Budget
    best_hyperparameters: dict[str, HyperValue]
    best_val_accuracy: float
    best_epoch: int
    n_trials: int
    refit_val_accuracy: Annotated[list[float], NonEmpty]
    trials: list[TrialRecord]
    search_epochs: int
    # Points of the problem's search space as a grid (None: continuous, or not recorded).
    space_points: int | None = None
    # The objective those values are of and which way is better, as the search and the refit
    # followed them: the report ranks and labels by them. "" in records older than the fields,
    # whose objective was val_accuracy, maximised (``objective_name``, ``maximizes``).
    objective: Name = ""
    objective_direction: Literal["max", "min", ""] = ""

    def __post_init__(self) -> None:
        """A search that ran more trials or epochs than its budget did not follow the equal-
        budget rule, and its figures would be compared with searches that did: refused however
        the outcome is made (a pipeline building it, a file or a worker read, a replaced field),
        so none is ever saved or reported. Hyperband's trials carry its schedule, and it plans
        its own number of them; every other tuner plans ``max_trials``."""
        ids = [t.trial_id for t in self.trials]
        twice = next((i for n, i in enumerate(ids) if i in ids[:n]), None)
        if twice is not None:
            raise RecordError(f"result.trials: trial {twice} is recorded twice")
        if self.n_trials != len(ids):
            raise RecordError(
                f"result.n_trials: {self.n_trials}, but {len(ids)} trials are recorded"
            )
        hyperband = any(t.schedule for t in self.trials)
        most = self.budget.hyperband_trials if hyperband else self.budget.max_trials
        if self.n_trials > most:
            raise RecordError(
                f"result.n_trials: {self.n_trials} trials exceed the budget's max {most}"
            )
        if self.search_epochs > self.budget.total_epochs:
            raise RecordError(
                f"result.search_epochs: {self.search_epochs} epochs exceed the budget's "
                f"{self.budget.total_epochs}"
            )

    @property
    def objective_name(self) -> str:
        return self.objective or "val_accuracy"

    @property
    def maximizes(self) -> bool:
        return self.objective_direction != "min"


@dataclass
class TestOutcome(_Part):
    """The final fit's score on the test set, written as ``test_accuracy`` and ``test_loss``."""

    __test__: ClassVar[bool] = False  # a record, not a test class for pytest to collect
    KEYS: ClassVar[dict[str, str]] = {"accuracy": "test_accuracy", "loss": "test_loss"}

    accuracy: float | None  # None: the final fit gave none (the report leaves it out)
    loss: float | None  # None: the final fit diverged (no finite loss)


@dataclass
class Cost(_Part):
    """What the pipeline cost: each phase's wall and CPU time, and its process's overheads."""

    phases: Annotated[dict[str, PhaseTiming], ALL_PHASES]
    # Seconds inside Keras' fit/evaluate (None: not measured); the rest of the wall is overhead.
    fit_s: float | None = None
    # Seconds from starting the pipeline's process to starting the pipeline (imports, data).
    startup_s: float | None = None
    # Seconds the process spent importing before it was handed this pipeline, off the critical
    # path (a spare started ahead; ``startup_s`` is then what remained); None: started for it.
    warmup_s: float | None = None
    # The process's peak resident memory, and the resident memory of the session's own
    # process when it collected this result.
    peak_rss_mb: float | None = None
    collector_rss_mb: float | None = None


@dataclass
class Provenance(_Part):
    """How and where it ran: versions, machine, data, the Dask worker ("" when the session ran
    it), TensorFlow's thread pools (0: its default, every core), how many times the process was
    started (more than 1 after a lost worker) or resumed, and the seeds and loop settings."""

    versions: Annotated[dict[str, Name], ALL_VERSIONS]  # in every environment's label
    machine: Annotated[dict[str, Any], HOST_TEXT]
    data: Annotated[dict[str, Any], DATA_SIZES]  # the report's header and arithmetic read them
    worker: str = ""
    threads: int = 0
    attempts: int = 1
    resumed: int = 0
    notes: list[str] = field(default_factory=list)
    # The seed each phase ran with, derived from the run's seed (``tunerbench.pipeline.seeds``).
    phase_seeds: dict[str, int] = field(default_factory=dict)
    # How the training loop trained (XLA or not, blocks, why): its own choices, recorded.
    loop_settings: dict[str, Any] = field(default_factory=dict)


# The flat keys in the order every version writes them, so a record's text does not depend on
# how the code groups its fields; a key added later is written after them.
_WRITTEN_ORDER = (
    "tuner", "dataset", "profile", "seed", "loop", "budget", "best_hyperparameters",
    "best_val_accuracy", "best_epoch", "test_accuracy", "test_loss", "n_trials", "phases",
    "refit_val_accuracy", "trials", "versions", "machine", "data", "started_at",
    "search_epochs", "resumed", "notes", "workers", "fit_s", "session", "worker", "threads",
    "startup_s", "warmup_s", "peak_rss_mb", "attempts", "collector_rss_mb", "phase_seeds",
    "loop_settings", "problem", "problem_fingerprint", "space_points", "objective",
    "objective_direction", "session_tuners", "mode", "table_fingerprint", "table_seeds",
    "table_point", "table_run", "table_test_accuracy",
)  # fmt: skip


@dataclass
class RunResult:
    """One (tuner, dataset, profile, seed) pipeline: search, best-epoch refit, final fit."""

    identity: RunIdentity
    search: SearchOutcome
    test: TestOutcome
    cost: Cost
    provenance: Provenance

    # Each part's attribute and class, in the order a record is checked when read.
    PARTS: ClassVar[dict[str, type[_Part]]] = {
        "identity": RunIdentity,
        "search": SearchOutcome,
        "test": TestOutcome,
        "cost": Cost,
        "provenance": Provenance,
    }

    @property
    def problem_name(self) -> str:
        return self.identity.problem_name

    def to_dict(self) -> dict[str, Any]:
        """The flat record: each field under its flat key, in the written order."""
        flat: dict[str, Any] = {}
        for name, part in self.PARTS.items():
            values = dataclasses.asdict(getattr(self, name))
            flat.update({key: values[f] for f, key in part.flat_keys().items()})
        ordered = {key: flat[key] for key in _WRITTEN_ORDER if key in flat}
        return ordered | flat

    @classmethod
    def from_dict(cls, raw: Any) -> RunResult:
        """Rebuild a record from its flat keys, every field checked against its type
        (RecordError names the flat key that is wrong); unknown keys are ignored so newer
        files still read."""
        parts = {
            name: build(part, raw, "result", part.flat_keys()) for name, part in cls.PARTS.items()
        }
        search = parts["search"]
        epochs = len(search.refit_val_accuracy)
        if not 1 <= search.best_epoch <= epochs:  # the refit figure marks it on that curve
            raise RecordError(
                f"result.best_epoch: {search.best_epoch} is not one of the {epochs} epochs of "
                "result.refit_val_accuracy"
            )
        return cls(**parts)

    def replace(self, **changes: Any) -> RunResult:
        """A copy with fields changed by their flat names (``test_accuracy=0.9``), each routed
        to its part; the parts not changed are shared, as ``dataclasses.replace`` would."""
        where = _flat_fields()
        unknown = sorted(set(changes) - set(where))
        if unknown:
            raise TypeError(f"RunResult has no field {', '.join(unknown)}")
        parts = {name: getattr(self, name) for name in self.PARTS}
        for name in parts:
            own = {where[k][1]: v for k, v in changes.items() if where[k][0] == name}
            if own:
                parts[name] = dataclasses.replace(parts[name], **own)
        return RunResult(**parts)


def _flat_fields() -> dict[str, tuple[str, str]]:
    """Each flat key's part and field name in that part."""
    return {
        key: (name, f)
        for name, part in RunResult.PARTS.items()
        for f, key in part.flat_keys().items()
    }
