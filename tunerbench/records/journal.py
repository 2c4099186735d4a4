"""The run journal: every finished trial, phase and pipeline appended to disk as it happens.

One JSON object per line, flushed and fsynced before the benchmark goes on, so a Ctrl-C, a
SIGKILL or a power cut loses at most the event being written. A line cut short (a kill in the
middle of a write, a full disk) is cut away before the next append, under a lock shared by every
process that appends, and the cut is journaled as an event of its own: a damaged line can only
ever be the last one, so a resumed session never appends after garbage. Reading skips a
damaged line wherever it is (a journal written before this rule, or a line that is not an event
of its kind's shape: ``events.parse_event``) and counts it, so what is read back is typed and
checked. Neither the journal nor its lock is ever opened through a symbolic link
(``atomic_file.LinkRefused``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from filelock import FileLock

from tunerbench.records.atomic_file import fsync_folder, open_regular, refuse_link
from tunerbench.records.events import (
    Event,
    JournalCut,
    PhaseFinished,
    PipelineFinished,
    PipelineStarted,
    TrialFinished,
    parse_event,
)
from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import PhaseTiming, TrialRecord, run_label
from tunerbench.records.validation import build

CHUNK = 1 << 16


def cut_to_last_line(handle: IO[bytes]) -> int:
    """Truncate an open file after its last newline; the bytes cut (0 when it ends cleanly)."""
    size = handle.seek(0, os.SEEK_END)
    end = size
    while end > 0:
        start = max(0, end - CHUNK)
        handle.seek(start)
        newline = handle.read(end - start).rfind(b"\n")
        if newline >= 0:
            keep = start + newline + 1
            break
        end = start
    else:
        keep = 0
    if keep < size:
        handle.truncate(keep)
    return size - keep


@dataclass(frozen=True)
class RunTag:
    """The pipeline a journal line belongs to, written after the event's own fields."""

    run: str  # its label
    tuner: str
    seed: int


@dataclass(frozen=True)
class Entry:
    """One line of the journal: an event, and its pipeline (None for the journal's own note).

    The tag is kept beside the event, not in it: the same event crosses a pipe or a Dask topic
    untagged, and the line is the event's keys then the tag's, as every version wrote it."""

    event: Event
    tag: RunTag | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**self.event.to_dict(), **(asdict(self.tag) if self.tag else {})}

    @classmethod
    def from_dict(cls, raw: Any) -> Entry:
        """The entry a line holds; RecordError in one line when it is not one."""
        event = parse_event(raw)
        return cls(event, build(RunTag, raw, "journal line") if "run" in raw else None)


class Journal:
    """Append-only JSON lines at ``path``; ``path.lock`` serialises appenders."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = FileLock(str(path) + ".lock")
        self.damaged = 0  # lines the last read skipped

    def append(self, entry: Entry) -> None:
        line = (json.dumps(entry.to_dict(), allow_nan=False) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        refuse_link(Path(self.lock.lock_file))
        with self.lock:
            created = not self.path.exists()
            fd = open_regular(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND)
            with os.fdopen(fd, "a+b") as handle:
                cut = cut_to_last_line(handle)
                if cut:
                    note = JournalCut(cut).to_dict()
                    handle.write((json.dumps(note) + "\n").encode("utf-8"))
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
            if created:
                fsync_folder(self.path.parent)

    def entries(self) -> list[Entry]:
        """Every readable entry, in order; a damaged line is skipped and counted (``damaged``)."""
        if not self.path.exists() and not self.path.is_symlink():
            return []
        with os.fdopen(open_regular(self.path, os.O_RDONLY), "rb") as handle:
            data = handle.read()
        entries, self.damaged = [], 0
        for line in data.split(b"\n"):
            if not line.strip():
                continue
            try:
                entries.append(Entry.from_dict(json.loads(line)))
            # Not JSON, not UTF-8, a 5,000-digit number; not an event (RecordError: a ValueError)
            except (ValueError, RecursionError):
                self.damaged += 1
        return entries


@dataclass
class RunState:
    """What the journal knows of one pipeline: rebuilt from its events, so the process that
    continues a pipeline needs only those events, not the journal file."""

    trials: list[TrialRecord] = field(default_factory=list)
    search_cpu_s: float = 0.0
    phases: dict[str, PhaseTiming] = field(default_factory=dict)
    refit_curve: list[float] = field(default_factory=list)
    result: RunResult | None = None
    interruptions: int = 0
    attempts: int = 0  # times the pipeline was started afresh (a retry after a lost worker)

    @property
    def search_wall_s(self) -> float:
        """Search time up to the last recorded trial; work lost at a kill is not counted."""
        return self.trials[-1].finished_at_s if self.trials else 0.0

    @classmethod
    def from_events(cls, events: Iterable[Event]) -> RunState:
        """Replay one pipeline's events (each checked as it was read: an event of the wrong
        shape never gets here, so it loses what it held, nothing else). A fresh start drops
        what an earlier attempt left: the new attempt repeats that work from the beginning."""
        state = cls()
        for event in events:
            state = state._replay(event)
        return state

    def _replay(self, event: Event) -> RunState:
        """This state after one event (a fresh start begins a new state)."""
        match event:
            case PipelineStarted(resumed=True):
                self.interruptions += 1
            case PipelineStarted():
                return RunState(result=self.result, attempts=self.attempts + 1)
            case TrialFinished(trial=trial, search_cpu_s=cpu_s):
                if all(t.trial_id != trial.trial_id for t in self.trials):
                    self.trials.append(trial)
                    self.search_cpu_s = cpu_s
            case PhaseFinished(phase=name, timing=timing, curve=curve):
                self.phases[name] = timing
                if name == "refit" and curve is not None:
                    self.refit_curve = curve
            case PipelineFinished(result=result):
                self.result = result
        return self


def saved_results(entries: Iterable[Entry]) -> list[RunResult]:
    """The results a journal holds (one of the wrong shape was skipped as a damaged line: its
    pipeline runs again)."""
    return [e.event.result for e in entries if isinstance(e.event, PipelineFinished)]


class PipelineEvents:
    """What a running pipeline reports as it goes: its start, each trial, each phase.

    Subclasses say where the events go: the journal file, or the pipe of a pipeline's process
    to the session that journals them (``emit``); the events are the same either way.
    """

    def emit(self, event: Event) -> None:
        raise NotImplementedError

    def started(self, resumed: bool, planned: int | None = None) -> None:
        self.emit(PipelineStarted(resumed, planned))

    def trial(self, record: TrialRecord, search_cpu_s: float) -> None:
        self.emit(TrialFinished(record, search_cpu_s))

    def phase(self, name: str, timing: PhaseTiming, curve: list[float] | None = None) -> None:
        self.emit(PhaseFinished(name, timing, curve))


class RunJournal(PipelineEvents):
    """The journal as one pipeline sees it: events tagged with its tuner, seed and run label
    (the label tells apart runs of one tuner and seed made another way, e.g. with workers)."""

    def __init__(self, journal: Journal, tuner: str, seed: int, label: str | None = None) -> None:
        self.journal = journal
        self.tuner = tuner
        self.seed = seed
        self.label = label or run_label(tuner, seed)

    def emit(self, event: Event) -> None:
        self.journal.append(Entry(event, RunTag(self.label, self.tuner, self.seed)))

    def finished(self, result: RunResult) -> None:
        self.emit(PipelineFinished(result))

    def events(self) -> list[Event]:
        """This pipeline's events, in the order journaled."""
        return [e.event for e in self.journal.entries() if e.tag and e.tag.run == self.label]

    def state(self) -> RunState:
        return RunState.from_events(self.events())
