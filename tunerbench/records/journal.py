"""The run journal: every finished trial, phase and pipeline appended to disk as it happens.

One JSON object per line, flushed and fsynced before the benchmark goes on, so a Ctrl-C, a
SIGKILL or a power cut loses at most the event being written. A line cut short (a kill in the
middle of a write, a full disk) is cut away before the next append, under a lock shared by every
process that appends, and the cut is journaled as an event of its own: a damaged line can only
ever be the last one, so a resumed session never appends after garbage. Reading skips a
damaged line wherever it is (a journal written before this rule) and counts it. Neither the
journal nor its lock is ever opened through a symbolic link (``atomic_file.LinkRefused``).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from filelock import FileLock

from tunerbench.records.atomic_file import fsync_folder, open_regular, refuse_link
from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import PhaseTiming, TrialRecord, run_label
from tunerbench.records.validation import RecordError, build, check

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


class Journal:
    """Append-only JSON lines at ``path``; ``path.lock`` serialises appenders."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = FileLock(str(path) + ".lock")
        self.damaged = 0  # lines the last read skipped

    def append(self, event: dict[str, Any]) -> None:
        line = (json.dumps(event, allow_nan=False) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        refuse_link(Path(self.lock.lock_file))
        with self.lock:
            created = not self.path.exists()
            fd = open_regular(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND)
            with os.fdopen(fd, "a+b") as handle:
                cut = cut_to_last_line(handle)
                if cut:
                    note = {"event": "cut", "bytes": cut}
                    handle.write((json.dumps(note) + "\n").encode("utf-8"))
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
            if created:
                fsync_folder(self.path.parent)

    def events(self) -> list[dict[str, Any]]:
        """Every readable event, in order; a damaged line is skipped and counted (``damaged``)."""
        if not self.path.exists() and not self.path.is_symlink():
            return []
        with os.fdopen(open_regular(self.path, os.O_RDONLY), "rb") as handle:
            data = handle.read()
        events, self.damaged = [], 0
        for line in data.split(b"\n"):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except (ValueError, RecursionError):  # not JSON, not UTF-8, a 5,000-digit number
                event = None
            if isinstance(event, dict):
                events.append(event)
            else:
                self.damaged += 1
        return events


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
    def from_events(cls, events: list[dict[str, Any]]) -> RunState:
        """Replay one pipeline's events. A fresh start drops what an earlier attempt left:
        the new attempt repeats that work from the beginning. An event of the wrong shape is
        skipped: it loses what it held, nothing else."""
        state = cls()
        for event in events:
            try:
                state = state._replay(event)
            except (RecordError, KeyError, TypeError):
                continue
        return state

    def _replay(self, event: dict[str, Any]) -> RunState:
        """This state after one event (a fresh start begins a new state)."""
        kind = event.get("event")
        if kind == "start" and event.get("resumed"):
            self.interruptions += 1
        elif kind == "start":
            return RunState(result=self.result, attempts=self.attempts + 1)
        elif kind == "trial":
            trial = build(TrialRecord, event.get("trial"), "trial")
            if all(t.trial_id != trial.trial_id for t in self.trials):
                self.trials.append(trial)
                self.search_cpu_s = check(event.get("search_cpu_s"), float, "search_cpu_s")
        elif kind == "phase":
            name = check(event.get("phase"), str, "phase")
            self.phases[name] = build(PhaseTiming, event.get("timing"), "timing")
            if name == "refit":
                self.refit_curve = check(event.get("curve"), list[float], "curve")
        elif kind == "result":
            self.result = RunResult.from_dict(event.get("result"))
        return self


def saved_results(events: list[dict[str, Any]]) -> tuple[list[RunResult], int]:
    """The results a journal holds, and how many result events were not of the record's shape
    (skipped: their pipelines run again)."""
    results, bad = [], 0
    for event in events:
        if event.get("event") == "result":
            try:
                results.append(RunResult.from_dict(event.get("result")))
            except RecordError:
                bad += 1
    return results, bad


class PipelineEvents:
    """What a running pipeline reports as it goes: its start, each trial, each phase.

    Subclasses say where the events go: the journal file, or the pipe of a pipeline's process
    to the session that journals them (``emit``); the events are the same dicts either way.
    """

    def emit(self, event: dict[str, Any]) -> None:
        raise NotImplementedError

    def started(self, resumed: bool, **where: Any) -> None:
        self.emit({"event": "start", "resumed": resumed, **where})

    def trial(self, record: TrialRecord, search_cpu_s: float) -> None:
        self.emit({"event": "trial", "trial": asdict(record), "search_cpu_s": search_cpu_s})

    def phase(self, name: str, timing: PhaseTiming, curve: list[float] | None = None) -> None:
        self.emit({"event": "phase", "phase": name, "timing": asdict(timing), "curve": curve})


class RunJournal(PipelineEvents):
    """The journal as one pipeline sees it: events tagged with its tuner, seed and run label
    (the label tells apart runs of one tuner and seed made another way, e.g. with workers)."""

    def __init__(self, journal: Journal, tuner: str, seed: int, label: str | None = None) -> None:
        self.journal = journal
        self.tuner = tuner
        self.seed = seed
        self.label = label or run_label(tuner, seed)

    def emit(self, event: dict[str, Any]) -> None:
        tags = {"run": self.label, "tuner": self.tuner, "seed": self.seed}
        self.journal.append({**event, **tags})

    def finished(self, result: RunResult) -> None:
        self.emit({"event": "result", "result": result.to_dict()})

    def events(self) -> list[dict[str, Any]]:
        return [e for e in self.journal.events() if e.get("run") == self.label]

    def state(self) -> RunState:
        return RunState.from_events(self.events())
