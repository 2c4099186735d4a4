"""The trials of one search, in the order they finished: kept, journaled and announced.

Keras Tuner keeps no per-trial duration; ``tuner_mixins`` time each trial from inside the real
tuners and hand a ``TrialRecord`` to a ``TrialLog``, which journals it (so a kill loses at most the
running trial) and tells the progress display.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tunerbench.records.clocks import Stopwatch, current_rss_mb
from tunerbench.records.journal import PipelineEvents, RunState
from tunerbench.records.schema import ENDED, PhaseTiming, TrialRecord
from tunerbench.space import schedule_values, search_values

ProgressFn = Callable[["TrialLog", TrialRecord], None]

RECOVERED = (
    "recovered from Keras Tuner's saved state after an interruption; its time was not recorded"
)


@dataclass
class TrialLog:
    """Trials of one search in the order they finished, journaled and announced as they end."""

    tuner: str
    planned: int
    on_trial: ProgressFn | None = None
    journal: PipelineEvents | None = None
    records: list[TrialRecord] = field(default_factory=list)
    clock: Stopwatch = field(default_factory=Stopwatch)
    maximize: bool = True  # the search's objective: higher is better (accuracy), or lower

    def start(self, earlier: RunState | None = None) -> None:
        """Start the search clock; a resumed search continues the recorded trials and times
        (up to the last recorded trial: work lost at the interruption is not counted)."""
        earlier = earlier or RunState()
        self.clock = Stopwatch.carrying(PhaseTiming(earlier.search_wall_s, earlier.search_cpu_s))
        self.records = list(earlier.trials)

    def start_at(self, search_start: float) -> None:
        """Share another process's search clock (``time.perf_counter`` is system-wide on Linux),
        so a worker's trials carry times since the chief's search start."""
        self.clock = Stopwatch(wall_start=search_start)

    @property
    def start_time(self) -> float:
        return self.clock.wall_start

    def elapsed(self) -> float:
        return self.clock.wall()

    def search_cpu(self) -> float:
        return self.clock.cpu()

    def best(self) -> float | None:
        """The best trial score by the objective's direction (a trial's ``val_accuracy``
        holds its objective's value)."""
        scores = [r.val_accuracy for r in self.records if r.val_accuracy is not None]
        if not scores:
            return None
        return max(scores) if self.maximize else min(scores)

    def add(self, record: TrialRecord) -> None:
        self.records.append(record)
        if self.journal is not None:
            self.journal.trial(record, round(self.search_cpu(), 4))
        if self.on_trial is not None:
            self.on_trial(self, record)

    def recover(self, oracle: Any) -> None:
        """Add trials Keras Tuner finished but the journal missed (a kill between the two)."""
        known = {r.trial_id for r in self.records}
        for trial_id in getattr(oracle, "start_order", []):
            trial = oracle.trials[trial_id]
            status = str(getattr(trial.status, "value", trial.status))
            if trial_id not in known and status in ENDED:
                self.add(record_of(trial, None, 0.0, round(self.elapsed(), 4), RECOVERED))


def _score(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else round(value, 6)


def record_of(
    trial: Any, epochs: int | None, wall_s: float, finished_at_s: float, note: str | None = None
) -> TrialRecord:
    """A TrialRecord of a finished Keras Tuner trial (its status and message included)."""
    message = getattr(trial, "message", None)
    return TrialRecord(
        trial_id=str(trial.trial_id),
        hyperparameters=search_values(trial.hyperparameters),
        val_accuracy=_score(trial.score),
        epochs=epochs,
        wall_s=wall_s,
        finished_at_s=finished_at_s,
        status=str(getattr(trial.status, "value", trial.status)),
        message=note or (message.strip().splitlines()[-1] if message else None),
        rss_mb=current_rss_mb(),
        schedule=schedule_values(trial.hyperparameters),
    )
