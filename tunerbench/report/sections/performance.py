"""The Performance section: epoch speed (and where a fast epoch's time goes), loop and worker
speed-ups, overhead, memory per trial.

Speed-ups are computed only between runs of one benchmark session: runs from different sessions
were not measured side by side on one machine, so their ratio would measure the machine too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tunerbench.problems.builtin import reference_mlp
from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import ClusterThroughput, EpochSpeed, Measurements
from tunerbench.report.inputs.groups import GroupKey
from tunerbench.report.inputs.labels import environment, variant
from tunerbench.report.inputs.run_totals import total_wall
from tunerbench.report.sections.loops_compared import (
    LoopComparison,
    PipelineLoopAccuracy,
    loop_accuracy,
    loop_comparison,
)
from tunerbench.report.sections.study_bound import StudyBound, study_bounds
from tunerbench.training.loops import BASELINE_LOOP, DEFAULT_LOOP


@dataclass(frozen=True)
class LoopSpeedup:
    tuner: str  # so per-tuner figures need not read it back out of ``run``
    run: str
    default_s: float
    fast_s: float
    ratio: float
    default_accuracy: float
    fast_accuracy: float


@dataclass(frozen=True)
class WorkerSpeedup:
    run: str
    workers: int
    one_s: float
    many_s: float
    ratio: float
    one_trials: int
    many_trials: int
    one_cpu_s: float
    many_cpu_s: float


@dataclass(frozen=True)
class Overhead:
    run: str
    wall_s: float
    fit_s: float
    percent: float


@dataclass(frozen=True)
class MemoryGrowth:
    run: str
    n_trials: int
    after_fifth_mb: float
    after_last_mb: float
    growth_percent: float


@dataclass(frozen=True)
class EpochStage:
    """One stage of a fast epoch built up stage by stage (``EpochSpeed.breakdown``)."""

    name: str
    seconds: float  # per epoch, every earlier stage included
    added_s: float  # what this stage adds to the one before
    over_bound: float  # seconds against the epoch's arithmetic bound


@dataclass(frozen=True)
class EpochBreakdown:
    epoch: EpochSpeed
    stages: list[EpochStage]


@dataclass(frozen=True)
class Performance:
    epochs: list[EpochSpeed]
    breakdowns: list[EpochBreakdown]  # the epochs measured stage by stage
    throughputs: list[ClusterThroughput]  # the group's, for the machine's figures
    studies: list[StudyBound]  # whole studies against the arithmetic bound of ``epochs``' rate
    loop_comparison: LoopComparison | None
    loops: list[LoopSpeedup]
    accuracy: list[PipelineLoopAccuracy]
    workers: list[WorkerSpeedup]
    overhead: list[Overhead]
    memory: list[MemoryGrowth]


def _pairs(runs: list[RunResult], key: str) -> dict[tuple, dict[Any, RunResult]]:
    """Runs that differ only in ``key`` ("loop" or "workers", of their identity), grouped by
    everything else, within one benchmark session."""
    other = "workers" if key == "loop" else "loop"
    pairs: dict[tuple, dict[Any, RunResult]] = defaultdict(dict)
    for run in runs:
        who = run.identity
        pair = (who.tuner, who.seed, environment(run), getattr(who, other), who.session)
        pairs[pair][getattr(who, key)] = run
    return {k: v for k, v in pairs.items() if len(v) > 1}


def loop_speedups(runs: list[RunResult]) -> list[LoopSpeedup]:
    rows = []
    for (tuner, seed, env, workers, _), by_loop in sorted(_pairs(runs, "loop").items()):
        if DEFAULT_LOOP in by_loop and BASELINE_LOOP in by_loop:
            slow, fast = by_loop[BASELINE_LOOP], by_loop[DEFAULT_LOOP]
            rows.append(
                LoopSpeedup(
                    tuner,
                    f"{tuner}, seed {seed}, {workers} worker(s), {env}",
                    total_wall(slow),
                    total_wall(fast),
                    total_wall(slow) / total_wall(fast),
                    slow.test.accuracy,
                    fast.test.accuracy,
                )
            )
    return rows


def worker_speedups(runs: list[RunResult]) -> list[WorkerSpeedup]:
    rows = []
    for (tuner, seed, env, loop, _), by_workers in sorted(_pairs(runs, "workers").items()):
        one = by_workers.get(1)
        for n, many in sorted(by_workers.items()):
            if one is None or n == 1:
                continue
            one_search, many_search = one.cost.phases["search"], many.cost.phases["search"]
            rows.append(
                WorkerSpeedup(
                    f"{tuner}, seed {seed}, loop {loop}, {env}",
                    n,
                    one_search.wall_s,
                    many_search.wall_s,
                    one_search.wall_s / many_search.wall_s,
                    one.search.n_trials,
                    many.search.n_trials,
                    one_search.cpu_s,
                    many_search.cpu_s,
                )
            )
    return rows


def overheads(runs: list[RunResult]) -> list[Overhead]:
    return [
        Overhead(
            f"{variant(r)}, seed {r.identity.seed}, {environment(r)}",
            total_wall(r),
            r.cost.fit_s,
            100 * (total_wall(r) - r.cost.fit_s) / total_wall(r),
        )
        for r in runs
        if r.cost.fit_s is not None
    ]


def memory_growth(runs: list[RunResult]) -> list[MemoryGrowth]:
    """Resident memory after the last trial against after the fifth (past start-up)."""
    rows = []
    for r in runs:
        rss = [t.rss_mb for t in sorted(r.search.trials, key=lambda t: t.finished_at_s) if t.rss_mb]
        if len(rss) >= 6:
            growth = 100 * (rss[-1] - rss[4]) / rss[4]
            run = f"{variant(r)}, seed {r.identity.seed}, {environment(r)}"
            rows.append(MemoryGrowth(run, len(rss), rss[4], rss[-1], growth))
    return rows


def epoch_breakdowns(epochs: list[EpochSpeed]) -> list[EpochBreakdown]:
    """Each epoch measured stage by stage, every stage with what it adds and its share of the
    arithmetic bound."""
    found = []
    for epoch in epochs:
        stages, previous = [], 0.0
        for name, seconds in epoch.breakdown.items():
            over = seconds / epoch.bound_epoch_s
            stages.append(EpochStage(name, seconds, seconds - previous, over))
            previous = seconds
        if stages:
            found.append(EpochBreakdown(epoch, stages))
    return found


def group_measurements(key: GroupKey, measured: Measurements) -> Measurements:
    """The measurements of the group's profile: they measure the reference MLP, so only its
    problem's group has them."""
    reference = reference_mlp(key.problem)
    if reference is None:
        return Measurements()
    return measured.of_setup(reference.dataset, key.profile)


def performance(key: GroupKey, runs: list[RunResult], measured: Measurements) -> Performance:
    mine = group_measurements(key, measured)
    return Performance(
        mine.epochs,
        epoch_breakdowns(mine.epochs),
        mine.throughputs,
        study_bounds(key.problem, runs, mine.epochs),
        loop_comparison(mine.loop_checks),
        loop_speedups(runs),
        loop_accuracy(runs),
        worker_speedups(runs),
        overheads(runs),
        memory_growth(runs),
    )
