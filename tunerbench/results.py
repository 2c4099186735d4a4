"""Result records and their JSON form.

Records are plain dataclasses so that what the benchmark writes, what pytest-benchmark keeps in
``extra_info`` and what the report reads are one schema. Reading accepts our session files and
pytest-benchmark's JSON; anything else gets a one-line error naming the file. Results are only ever
read as JSON, never unpickled or evaluated.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, asdict, dataclass, field
from pathlib import Path
from typing import Any

from tunerbench.budget import Budget
from tunerbench.files import atomic_write_text
from tunerbench.timing import PhaseTiming

FORMAT = "tunerbench-results"
FORMAT_VERSION = 1
PHASES = ("search", "refit", "final")


class ResultsError(Exception):
    """A results file that cannot be used; the message names the file and the problem."""


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
    test_loss: float
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
        values["budget"] = Budget(**_known(Budget, raw["budget"]))
        values["phases"] = {
            name: PhaseTiming(**_known(PhaseTiming, timing))
            for name, timing in raw["phases"].items()
        }
        values["trials"] = [TrialRecord(**_known(TrialRecord, t)) for t in raw["trials"]]
        return cls(**values)


def _known(cls: type, raw: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError(f"{cls.__name__} is not an object")
    return {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}


def session_document(
    results: list[RunResult], created: str, perf: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Our summary file: the run records, plus speed measurements that are not runs."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created": created,
        "results": [r.to_dict() for r in results],
        "perf": perf or [],
    }


def write_json_atomic(path: Path, document: dict[str, Any]) -> None:
    atomic_write_text(path, json.dumps(document, indent=1, allow_nan=False))


def _records_in(document: Any) -> list[dict[str, Any]] | None:
    """The raw result records of a session file or a pytest-benchmark file, else None."""
    if not isinstance(document, dict):
        return None
    if document.get("format") == FORMAT and isinstance(document.get("results"), list):
        return document["results"]
    if isinstance(document.get("benchmarks"), list):
        return [
            b["extra_info"]
            for b in document["benchmarks"]
            if isinstance(b, dict)
            and isinstance(b.get("extra_info"), dict)
            and "tuner" in b["extra_info"]
        ]
    return None


def _perf_in(document: dict[str, Any]) -> list[dict[str, Any]]:
    if document.get("format") == FORMAT:
        found = document.get("perf", [])
    else:
        found = [b.get("extra_info", {}) for b in document.get("benchmarks", [])]
    return [p for p in found if isinstance(p, dict) and p.get("kind") == "epoch_speed"]


def load_results(path: str | Path) -> list[RunResult]:
    """All run records of one file; a ResultsError names the file and what is wrong with it."""
    return load_file(path)[0]


def load_file(path: str | Path) -> tuple[list[RunResult], list[dict[str, Any]]]:
    """Run records and speed measurements (``kind`` = "epoch_speed") of one file, read once."""
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path}: cannot read ({exc})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    raw_records = _records_in(document)
    if raw_records is None:
        raise ResultsError(
            f"{path}: not a tunerbench results file or pytest-benchmark JSON "
            "(expected an object with 'results' or 'benchmarks')"
        )
    perf = _perf_in(document)
    if not raw_records and not perf:
        raise ResultsError(f"{path}: holds no tunerbench results")
    records = []
    for index, raw in enumerate(raw_records):
        try:
            records.append(RunResult.from_dict(raw))
        except (TypeError, ValueError, AttributeError) as exc:
            raise ResultsError(
                f"{path}: result {index} is not of tunerbench's shape ({exc})"
            ) from None
        if not records[-1].trials:
            raise ResultsError(f"{path}: result {index} ({records[-1].tuner}) has no trials")
    return records, perf
