"""What a running session prints: one line per finished trial, and where the study stands.

Both are computed from the events pipelines send (their processes may run on other machines), so
the session needs no TrialLog of its own: per run it keeps the trials announced, the planned
count and the best score so far.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

from tunerbench.records.events import Event, PipelineStarted
from tunerbench.records.schema import COMPLETED, TrialRecord


def _score(value: float | None) -> str:
    return "failed" if value is None else f"{value:.4f}"


@dataclass
class RunProgress:
    """One pipeline's trials as the session has seen them."""

    label: str
    planned: int = 0
    trials: int = 0
    best: float | None = None

    def trial_line(self, record: TrialRecord) -> str:
        self.trials += 1
        score = record.val_accuracy
        if score is not None:
            self.best = score if self.best is None else max(self.best, score)
        status = record.status
        problem = "" if status == COMPLETED else f" [{status}: {record.message}]"
        return (
            f"[{self.label}] trial {self.trials}/{self.planned} val_accuracy {_score(score)} "
            f"(best {_score(self.best)}), {record.epochs or 0} epochs in "
            f"{record.wall_s:.1f}s, elapsed {record.finished_at_s:.0f}s{problem}"
        )


@dataclass
class StudyProgress:
    """Pipelines done, running and left, and an estimate of the time left.

    The estimate takes the mean wall time of the finished pipelines (process start-up included)
    for every pipeline not yet finished, a running one counted as half done, shared over the
    pipelines that run at once.
    """

    total: int
    slots: int
    done: int = 0
    running: set[str] = field(default_factory=set)
    seconds: list[float] = field(default_factory=list)
    started: dict[str, float] = field(default_factory=dict)

    def start(self, label: str) -> None:
        self.running.add(label)
        self.started.setdefault(label, time.monotonic())

    def finish(self, label: str) -> None:
        self.running.discard(label)
        self.done += 1
        if label in self.started:
            self.seconds.append(time.monotonic() - self.started.pop(label))

    def line(self) -> str:
        left = max(0, self.total - self.done - len(self.running))
        text = (
            f"[tunerbench] pipelines: {self.done} done, {len(self.running)} running, "
            f"{left} left of {self.total}"
        )
        if self.seconds and (left or self.running):
            each = statistics.fmean(self.seconds)
            remaining = each * (left + len(self.running) / 2) / max(1, self.slots)
            text += f"; about {remaining / 60:.1f} min left ({each:.0f} s per pipeline)"
        return text


def retried_note(events: list[Event]) -> str:
    """Why a pipeline was started more than once, naming where each start ran."""
    starts = [e for e in events if isinstance(e, PipelineStarted) and not e.resumed]
    where = ", ".join(e.worker or "this machine" for e in starts)
    return (
        f"started {len(starts)} times ({where}): the earlier attempts were lost with their "
        "worker or the session; only the last attempt's work is counted"
    )
