"""The verdict's next run, as data: how many seeds would settle what is open, and the run that
would (the same problem, profile, tuners and ways of running) with its time from these runs' own
times. Its command line is written from this record by ``sections/next_run_command.py``.

Where every run is one session's, and its results file is among those read or its session's
folder is beside one of them, the run grows that session (``--tb-resume``): the seeds already run
are kept and only the new ones train, so a study starts small and grows until the verdict
decides. The terminal at the end of a run and a re-render of its files say the same.

A replayed group is different: every fit was answered from a table holding a few training seeds
per point, so more replayed seeds add nothing about training noise beyond those. Its next run
tabulates more training seeds per point (``--tb-table-seeds``), to be replayed against anew.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from tunerbench.records.run_result import RunResult
from tunerbench.report.decision.seed_statistics import SeedStatistics
from tunerbench.report.decision.statistics.pair_tests import PairTest
from tunerbench.report.decision.statistics.seed_counts import SeedEstimate
from tunerbench.report.inputs.groups import GroupKey
from tunerbench.report.inputs.labels import variant
from tunerbench.report.inputs.run_totals import total_wall
from tunerbench.search.registry import TUNERS

# A run of more seeds than this is no practical next step; the verdict says how many it would
# take instead of naming the run.
PRACTICAL_SEEDS = 100
T = TypeVar("T")


@dataclass(frozen=True)
class StudyRun:
    """``pytest bench/`` again with more seeds: what its command names, and how long it takes."""

    problem: str
    profile: str
    tuners: list[str]  # the sessions' tuners, in registry order (--tb-resume matches by them)
    seeds: int  # every seed of the run, those it keeps included
    loop: str | None  # the loop every run trained with (None: they differ)
    workers: int | None  # the workers every run searched with (None: they differ)
    rope: float  # the region of practical equivalence the verdict used
    minutes: int  # the seeds it trains, one pipeline after another, at these runs' own times
    resume_in: Path | None  # the --tb-output of the session it grows; None: a new session


@dataclass(frozen=True)
class TabulationRun:
    """``pytest bench/ --tb-tabulate`` with twice the table's training seeds per point, into the
    output folder the table was saved under (where its cells are kept, so only the new seeds
    train), or else the runs' session's where it is known."""

    problem: str
    profile: str
    table_seeds: int
    output: Path | None


@dataclass(frozen=True)
class NextRun:
    """What would settle the pairs left open: about how many seeds, and the run to start where
    one is practical (None: more seeds than ``PRACTICAL_SEEDS``, or an estimate that found no
    count that settles them)."""

    seeds: SeedEstimate
    run: StudyRun | TabulationRun | None


def _session_tuners(runs: list[RunResult]) -> list[str]:
    """The tuners the runs' sessions were asked to run, in registry order: those that ran, and
    those whose every pipeline failed (``--tb-resume`` matches a session by its tuners)."""
    named = {r.identity.tuner for r in runs}
    named.update(name for r in runs for name in r.identity.session_tuners)
    return [name for name in TUNERS.names if name in named]


def _session_folder(runs: list[RunResult], saved_in: dict[str, Path]) -> Path | None:
    """The output folder of the runs' session, when all runs are one session's whose results
    file was read."""
    sessions = {r.identity.session for r in runs}
    return saved_in.get(sessions.pop()) if len(sessions) == 1 else None


def _table_output(runs: list[RunResult]) -> Path | None:
    """The output folder the replayed table was saved under (its cells are kept there), where
    every run names the same one."""
    folder = _shared({r.identity.table_output for r in runs})
    return Path(folder) if folder else None


def _shared(values: set[T]) -> T | None:
    """The one value every run has, or None where they differ."""
    return next(iter(values)) if len(values) == 1 else None


def _minutes(runs: list[RunResult], seeds: int) -> int:
    """``seeds`` more seeds of every variant, one pipeline after another: each variant's mean
    pipeline time (start-up included) per seed."""
    per_variant: dict[str, list[float]] = {}
    for run in runs:
        time = total_wall(run) + (run.cost.startup_s or 0.0)
        per_variant.setdefault(variant(run), []).append(time)
    per_seed = sum(sum(times) / len(times) for times in per_variant.values())
    return math.ceil(per_seed * seeds / 60)


def study_run(
    key: GroupKey, runs: list[RunResult], seeds: int, rope: float, saved_in: dict[str, Path]
) -> StudyRun:
    """A run of ``seeds`` seeds; its minutes are those of the seeds it adds when it grows the
    runs' session, of all of them when it starts anew."""
    resume_in = _session_folder(runs, saved_in)
    new_seeds = seeds - len({r.identity.seed for r in runs}) if resume_in is not None else seeds
    return StudyRun(
        problem=key.problem,
        profile=key.profile,
        tuners=_session_tuners(runs),
        seeds=seeds,
        loop=_shared({r.identity.loop for r in runs}),
        workers=_shared({r.identity.workers for r in runs}),
        rope=rope,
        minutes=_minutes(runs, new_seeds),
        resume_in=resume_in,
    )


def _more_seeds(stats: SeedStatistics, undecided: list[PairTest], ran: int) -> SeedEstimate:
    """Enough seeds for every pair left open (their estimates), never fewer than a clean sweep
    needs under Holm, and more than ran already; "more than N" where some pair's estimate
    found no count that settles it."""
    wanted = [p.seeds_to_tell for p in undecided if p.seeds_to_tell is not None]
    floor = max(stats.seeds_needed, ran + 1)
    beyond = [e.seeds for e in wanted if not e.reached]
    if beyond:
        return SeedEstimate(max(floor, *beyond), reached=False)
    return SeedEstimate(max([floor, *(e.seeds for e in wanted)]))


def next_run(
    key: GroupKey,
    stats: SeedStatistics,
    runs: list[RunResult],
    open_pairs: list[PairTest],
    ran: int,
    saved_in: dict[str, Path],
) -> NextRun | None:
    """The verdict's next run (None: no pair open): the seeds that would settle the open pairs,
    and the run that would, where it is practical (at most ``PRACTICAL_SEEDS``). A replayed
    group's next run grows its table instead, whatever the seeds (its time unknown: replayed
    runs trained nothing)."""
    if not open_pairs:
        return None
    more = _more_seeds(stats, open_pairs, ran)
    if key.replay is not None:
        output = _table_output(runs) or _session_folder(runs, saved_in)
        return NextRun(more, TabulationRun(key.problem, key.profile, 2 * key.replay.seeds, output))
    if not more.reached or more.seeds > PRACTICAL_SEEDS:
        return NextRun(more, None)
    return NextRun(more, study_run(key, runs, more.seeds, stats.rope, saved_in))
