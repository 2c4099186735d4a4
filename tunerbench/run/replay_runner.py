"""A replayed study in the session: each tuner's seeds replayed in two processes side by side,
every result journaled the moment it arrives, the summary file rewritten at most every few
seconds (a thousand seeds would otherwise rewrite a growing file thousands of times; the
journal already holds every result, and ``--tb-resume`` reads them back from it)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from tunerbench.records.events import Event, Replayed, ReplayFailed
from tunerbench.records.journal import RunJournal
from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import run_label
from tunerbench.replay.table import TableError, load_table
from tunerbench.run.child_process import calls_side_by_side
from tunerbench.run.option_values import OptionsError
from tunerbench.run.session import BenchSession, PipelineFailed

PROCESSES = 2  # one per core of the machines this is measured on
SAVE_EVERY_S = 5.0
SHOW_EVERY = 50


@dataclass
class _Collector:
    """Results of one tuner's replay as they arrive from its processes (one thread each)."""

    session: BenchSession
    tuner: str
    total: int
    results: list[RunResult] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    saved_at: float = field(default_factory=time.monotonic)

    def on_event(self, event: Event) -> None:
        match event:
            case ReplayFailed(tuner=tuner, seed=seed, message=message):
                with self.lock:
                    self.failures.append(f"{tuner} seed {seed}: {message}")
            case Replayed(result=result):
                try:
                    self._keep(result)
                except Exception as exc:  # the journal or the results not written: said, not lost
                    with self.lock:
                        self.failures.append(f"{self.tuner}: a result not kept: {exc}")

    def _keep(self, result: RunResult) -> None:
        """``result`` (checked as the event was read) journaled and added to the session's."""
        result.identity.session_tuners = list(self.session.options.tuners)
        who = result.identity
        with self.lock:
            RunJournal(
                self.session.journal, who.tuner, who.seed, run_label(who.tuner, who.seed)
            ).finished(result)
            self.session.results.append(result)
            self.results.append(result)
            if time.monotonic() - self.saved_at >= SAVE_EVERY_S:
                self.session.save()
                self.saved_at = time.monotonic()
            if len(self.results) % SHOW_EVERY == 0 or len(self.results) == self.total:
                self.session.show(f"[replay] {self.tuner}: {len(self.results)}/{self.total} seeds")


def replay_tuner(session: BenchSession, tuner: str) -> list[RunResult]:
    """Replay ``tuner`` over the session's seeds not replayed yet (a resumed session keeps
    what its journal holds); PipelineFailed in one line if a process or a pipeline failed,
    after everything that did finish is saved."""
    table = session.options.replay
    assert table is not None, "a replay session names its table"
    done = {r.identity.seed for r in session.results if r.identity.tuner == tuner}
    todo = [s for s in session.options.seed_values if s not in done]
    collector = _Collector(session, tuner, len(todo))
    asked = {"table": str(table), "tuner": tuner, "session": session.name}
    calls = [
        (
            {**asked, "seeds": todo[i::PROCESSES]},
            session.run_dir / "logs" / f"replay-{tuner}-{i}.log",
        )
        for i in range(PROCESSES)
        if todo[i::PROCESSES]
    ]
    errors = calls_side_by_side("tunerbench.replay.study:replay_part", calls, collector.on_event)
    session.save()
    problems = errors + collector.failures
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise PipelineFailed(f"replay of {tuner}: {problems[0]}{more}")
    return collector.results


def check_table(session: BenchSession) -> None:
    """A replay's table read and matched with the problem and profile asked for, before
    anything runs: OptionsError in one line otherwise."""
    if session.options.replay is None:
        return
    path = session.options.replay
    try:
        meta = load_table(path).meta
    except TableError as exc:
        raise OptionsError(f"--tb-replay {exc}") from None
    problem = session.problems[session.options.problem]
    made_for = (meta.get("problem"), meta.get("profile", {}).get("name"))
    if made_for != (problem.name, session.options.profile):
        raise OptionsError(
            f"--tb-replay {path}: a table of {made_for[0]} at the {made_for[1]} profile; "
            f"replay it with --tb-problem {made_for[0]} --tb-profile {made_for[1]}, or "
            "tabulate this problem and profile with --tb-tabulate"
        )
    if meta.get("problem_fingerprint") != problem.fingerprint:
        raise OptionsError(
            f"--tb-replay {path}: the table was made from another definition of "
            f"{problem.name} (its model or data code changed since); tabulate it again"
        )
