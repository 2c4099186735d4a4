"""The events pipelines, tabulation and replay send their session, and the journal keeps: one
frozen dataclass per kind, read by one parser (``parse_event``) and written one way
(``to_dict``).

A raw event is parsed once, where it enters a process (a child's pipe, a Dask topic, a journal
line, a pipeline's earlier events), so a misspelt kind or a field of the wrong type is refused
there in one line instead of skipped unseen or failing later in a progress line; past that point
every consumer dispatches on the class, never on a string. The wire form is the one every
version wrote: the kind under ``"event"``, then the fields in their declared order, so journals
of earlier versions resume and new ones read the same everywhere.

The messages of the pipe to a fresh process and of a Dask task (the call's outcome, that a
process is alive, that a task sent all its events) are not events: they say how a call or a task
went, are never journaled, and travel under keys of their own (``run.child_process``,
``run.cluster_task``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, is_dataclass
from typing import Any, ClassVar

from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import PhaseTiming, TrialRecord
from tunerbench.records.validation import RecordError, build, shown

KIND_KEY = "event"  # where an event's kind is written


class EventError(RecordError):
    """An event of no known kind, or not of its kind's shape; the message says which."""


class _Event:
    """What every event shares: its kind's wire name, and its dict as the wire and the journal
    hold it."""

    KIND: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        """The kind, then each field in its declared order (a record as its dict, a result as
        its flat record); an optional field that was not given (None by default) is left out,
        as earlier versions left it out."""
        wire: dict[str, Any] = {KIND_KEY: self.KIND}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if value is None and spec.default is None:
                continue
            wire[spec.name] = _plain(value)
        return wire


def _plain(value: Any) -> Any:
    if isinstance(value, RunResult):
        return value.to_dict()
    return asdict(value) if is_dataclass(value) else value


@dataclass(frozen=True)
class PipelineStarted(_Event):
    """A pipeline began (afresh, or resumed from its journal), stamped with where it runs."""

    KIND: ClassVar[str] = "start"

    resumed: bool
    planned: int | None = None  # trials its search plans
    worker: str | None = None  # the Dask worker's address; "" on this machine
    host: str | None = None
    worker_pid: int | None = None


@dataclass(frozen=True)
class TrialFinished(_Event):
    """A trial of the search ended, with the search's CPU time so far."""

    KIND: ClassVar[str] = "trial"

    trial: TrialRecord
    search_cpu_s: float


@dataclass(frozen=True)
class PhaseFinished(_Event):
    """A phase (search, refit, final) ended; the refit sends its validation curve."""

    KIND: ClassVar[str] = "phase"

    phase: str
    timing: PhaseTiming
    curve: list[float] | None


@dataclass(frozen=True)
class JournalCut(_Event):
    """The journal's own note: the bytes of a line cut short that were cut away."""

    KIND: ClassVar[str] = "cut"

    bytes: int


@dataclass(frozen=True)
class CellTrained(_Event):
    """Tabulation trained one cell (a point of the space, a training seed)."""

    KIND: ClassVar[str] = "cell"

    framework: str
    point: int
    seed: int
    seconds: float


@dataclass(frozen=True)
class ReplayFailed(_Event):
    """A replayed seed failed; the others go on."""

    KIND: ClassVar[str] = "replay_failed"

    tuner: str
    seed: int
    message: str


@dataclass(frozen=True)
class _ResultEvent(_Event):
    """An event carrying a result: read by ``RunResult.from_dict``, which checks the record
    whole (a field-by-field build would not read its flat keys)."""

    result: RunResult


@dataclass(frozen=True)
class PipelineFinished(_ResultEvent):
    """A pipeline's result, as the session completed and journaled it."""

    KIND: ClassVar[str] = "result"


@dataclass(frozen=True)
class Replayed(_ResultEvent):
    """A replayed pipeline's result, sent the moment it is made."""

    KIND: ClassVar[str] = "replayed"


Event = (
    PipelineStarted
    | TrialFinished
    | PhaseFinished
    | PipelineFinished
    | JournalCut
    | CellTrained
    | Replayed
    | ReplayFailed
)
EVENTS: dict[str, type[Event]] = {
    kind.KIND: kind
    for kind in (
        PipelineStarted, TrialFinished, PhaseFinished, PipelineFinished, JournalCut,
        CellTrained, Replayed, ReplayFailed,
    )
}  # fmt: skip


def parse_event(raw: Any) -> Event:
    """The event ``raw`` (a dict read from JSON) holds, every field checked against its type;
    EventError in one line for an unknown kind or a field missing or of the wrong type. Keys
    it does not know are ignored: the journal's tags, a newer writer's additions."""
    kind = raw.get(KIND_KEY) if isinstance(raw, dict) else None
    cls = EVENTS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        what = f"kind {shown(kind)}" if isinstance(raw, dict) else f"shape {shown(raw)}"
        raise EventError(f"an event of unknown {what}")
    try:
        if issubclass(cls, _ResultEvent):
            return cls(RunResult.from_dict(raw.get("result")))
        return build(cls, raw, KIND_KEY)
    except RecordError as exc:
        raise EventError(f"a {json.dumps(cls.KIND)} event not of its shape: {exc}") from None
