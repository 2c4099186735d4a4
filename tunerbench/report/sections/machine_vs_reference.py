"""This machine against the reference figures: what these results measured here, beside the
reference run's own figure where it has one.

Users judge a machine by what it did, so each figure comes with what it was measured against
(Keras' default loop, the arithmetic bound at the machine's matmul rate, pipelines one after
another). Speed-ups come from pairs measured side by side in one session (``performance``). The
reference run (``reference.REFERENCE``) timed only Hyperband's search, so only that row has a
reference figure, and only for results of its own dataset and profile: another setup's time
would not measure the machine against it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import ClusterThroughput, EpochSpeed
from tunerbench.report.inputs.groups import GroupKey
from tunerbench.report.inputs.labels import environment, tuner_position
from tunerbench.report.inputs.run_totals import total_wall
from tunerbench.report.sections.performance import Performance
from tunerbench.report.sections.reference import (
    REFERENCE,
    REFERENCE_DATASET,
    REFERENCE_PROFILE,
    REFERENCE_TUNER,
    ReferenceRow,
    reference_comparison,
)
from tunerbench.search.registry import TUNERS
from tunerbench.training.loops import DEFAULT_LOOP

STUDY_SEED = 1  # the one-seed study: every tuner's seed-1 pipeline


@dataclass(frozen=True)
class LoopRatio:
    """One tuner's whole pipelines, fast loop against Keras' default, over its pairs."""

    tuner: str
    pairs: int
    default_s: float  # summed over the pairs
    fast_s: float
    ratio: float  # default_s / fast_s: the pairs' time-weighted speed-up
    low: float  # the lowest and highest speed-up of one pair
    high: float


@dataclass(frozen=True)
class HyperbandSearch:
    """Hyperband's search for seed 1 in one session: the figure the reference run also has."""

    session: str
    environment: str
    loop: str
    trials: int
    search_s: float


@dataclass(frozen=True)
class StudyTime:
    """Every tuner's seed-1 pipeline, one after another, start-up included."""

    session: str  # "" for the one-after-another half of a throughput measurement
    throughput: int | None  # that measurement's number (from 1) among the group's
    seconds: float


@dataclass(frozen=True)
class SessionMemory:
    """The session process's resident memory from its second collected pipeline to its last."""

    session: str
    pipelines: int
    second_mb: float
    last_mb: float
    growth_percent: float


@dataclass(frozen=True)
class MachineFigures:
    """The section's rows, kept as numbers: the template formats them, as every table does."""

    loops: list[LoopRatio]
    epochs: list[EpochSpeed]  # the fast epoch, its arithmetic bound and the matmul rate
    hyperband: list[HyperbandSearch]
    studies: list[StudyTime]
    # As measured: both halves ran in one session on the same data, so their ratio is the
    # machine's gain from running pipelines side by side.
    throughput: list[ClusterThroughput]
    memory: list[SessionMemory]
    reference: ReferenceRow
    reference_dataset: str
    reference_profile: str
    comparable: bool  # these results share the reference run's dataset and profile


def loop_ratios(performance: Performance) -> list[LoopRatio]:
    """Per tuner rather than per pair, so the row stays one line per tuner however many seeds
    or workers were paired; the spread of single pairs stays visible as low and high."""
    by_tuner: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for pair in performance.loops:
        by_tuner[pair.tuner].append((pair.default_s, pair.fast_s))
    rows = []
    for tuner in sorted(by_tuner, key=tuner_position):
        times = by_tuner[tuner]
        default_s, fast_s = sum(d for d, _ in times), sum(f for _, f in times)
        ratios = [d / f for d, f in times]
        ratio = default_s / fast_s
        rows.append(
            LoopRatio(tuner, len(times), default_s, fast_s, ratio, min(ratios), max(ratios))
        )
    return rows


def _plain(run: RunResult) -> bool:
    """Seed 1 in one process started by the session: no workers sharing the machine with it."""
    who = run.identity
    return who.seed == STUDY_SEED and who.workers == 1 and not run.provenance.worker


def hyperband_searches(runs: list[RunResult]) -> list[HyperbandSearch]:
    """One per session, environment and loop: the reference run timed one search, so one
    search per setup stands beside it (the first, where a session ran seed 1 twice)."""
    found: dict[tuple[str, str, str], HyperbandSearch] = {}
    for run in sorted(runs, key=lambda r: r.identity.started_at):
        if run.identity.tuner == REFERENCE_TUNER and _plain(run):
            key = (run.identity.session, environment(run), run.identity.loop)
            search = HyperbandSearch(*key, run.search.n_trials, run.cost.phases["search"].wall_s)
            found.setdefault(key, search)
    return [found[key] for key in sorted(found)]


def study_times(runs: list[RunResult], throughputs: list[ClusterThroughput]) -> list[StudyTime]:
    """Every registered tuner for seed 1 here, one pipeline after another (no cluster, no
    workers): the pipelines' wall time, start-up included, as a user running the study would
    wait; from a session's runs, or from the sequential half of a throughput measurement. A
    source missing a tuner (one left out, or one that does not apply to the problem) gives no
    figure."""
    by_source: dict[tuple[str, int | None], dict[str, float]] = defaultdict(dict)
    for run in sorted(runs, key=lambda r: r.identity.started_at):
        if _plain(run) and run.identity.loop == DEFAULT_LOOP and run.cost.startup_s is not None:
            seconds = total_wall(run) + run.cost.startup_s
            by_source[(run.identity.session, None)].setdefault(run.identity.tuner, seconds)
    for index, measured in enumerate(throughputs, start=1):
        for pipeline in measured.sequential:
            if pipeline.seed == STUDY_SEED:
                seconds = pipeline.wall_s + (pipeline.startup_s or 0.0)
                by_source[("", index)].setdefault(pipeline.tuner, seconds)
    return [
        StudyTime(session, index, sum(tuners.values()))
        for (session, index), tuners in by_source.items()
        if set(tuners) == set(TUNERS.names)
    ]


def session_memory(runs: list[RunResult]) -> list[SessionMemory]:
    """Per session of at least three pipelines, from the second to the last: the first
    includes the session's own start-up, which is not growth."""
    by_session: dict[str, list[float]] = defaultdict(list)
    for run in sorted(runs, key=lambda r: r.identity.started_at):
        if run.cost.collector_rss_mb is not None:
            by_session[run.identity.session].append(run.cost.collector_rss_mb)
    return [
        SessionMemory(session, len(rss), rss[1], rss[-1], 100 * (rss[-1] - rss[1]) / rss[1])
        for session, rss in sorted(by_session.items())
        if len(rss) >= 3 and rss[1]
    ]


def machine_figures(
    key: GroupKey, runs: list[RunResult], performance: Performance
) -> MachineFigures:
    """The section's figures for one group: measurements of its dataset and profile only.
    Whether the reference figure applies is the reference section's own judgement (of the
    group's setup alone, hence no runs), so the two sections never disagree."""
    return MachineFigures(
        loops=loop_ratios(performance),
        epochs=performance.epochs,
        hyperband=hyperband_searches(runs),
        studies=study_times(runs, performance.throughputs),
        throughput=performance.throughputs,
        memory=session_memory(runs),
        reference=REFERENCE,
        reference_dataset=REFERENCE_DATASET,
        reference_profile=REFERENCE_PROFILE,
        comparable=reference_comparison(key, []).comparable,
    )
