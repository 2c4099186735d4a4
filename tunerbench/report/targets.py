"""The speed and scale targets beside what these results measured, each met or not.

A target missed is shown with its figure like one met; a target these results cannot tell says
so. Speed-ups are read from pairs measured side by side in one session (``performance``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tunerbench.records.schema import RunResult
from tunerbench.report.grouping import GroupKey, total_wall
from tunerbench.report.performance import Performance
from tunerbench.search.registry import TUNERS
from tunerbench.training.loops import DEFAULT_LOOP

LOOP_TARGETS = {"quick": 1.0, "reference": 6.0}  # fast over keras-default, whole pipeline
BOUND_TARGET = 1.7  # fast epoch over the arithmetic bound
STUDY_TARGET_S = 360.0  # all five tuners, reference profile, one seed, one after another
THROUGHPUT_TARGET = 1.4  # local:2 over one after another, reference profile
MEMORY_TARGET = 10.0  # % growth of the session's own memory, second pipeline to last


@dataclass(frozen=True)
class Target:
    name: str
    target: str
    measured: str  # "" where these results hold no measurement of it
    met: bool | None


def _loops(key: GroupKey, performance: Performance) -> Target:
    goal = LOOP_TARGETS.get(key.profile, 1.0)
    rows = [(r.run.split(",")[0], r.ratio) for r in performance.loops]
    measured = ", ".join(f"{tuner} {ratio:.2f}x" for tuner, ratio in rows)
    met = all(ratio >= goal for _, ratio in rows) if rows else None
    return Target(
        "fast loop over Keras' default, whole pipeline", f"at least {goal:g}x", measured, met
    )


def _bound(performance: Performance) -> Target:
    rows = performance.epochs
    measured = ", ".join(
        f"{e.fast_epoch_s:.3f} s against {e.bound_epoch_s:.3f} s: {e.fast_over_bound:.2f}x "
        f"(matmul {e.matmul_gflops:.0f} GFLOP/s)"
        for e in rows
    )
    met = all(e.fast_over_bound <= BOUND_TARGET for e in rows) if rows else None
    return Target("fast epoch over the arithmetic bound", f"at most {BOUND_TARGET}x", measured, met)


def _study(key: GroupKey, runs: list[RunResult], records: list[dict[str, Any]]) -> Target:
    """Every tuner for seed 1 here, one pipeline after another (no cluster, no workers): the
    five pipelines' wall time, start-up included; from a session's runs, or from the sequential
    half of a throughput measurement."""
    by_session: dict[str, dict[str, float]] = defaultdict(dict)
    for run in runs:
        plain = run.seed == 1 and run.workers == 1 and not run.worker and run.startup_s is not None
        if plain and run.loop == DEFAULT_LOOP:
            by_session[run.session].setdefault(run.tuner, total_wall(run) + (run.startup_s or 0.0))
    for index, record in enumerate(r for r in records if r.get("kind") == "cluster_throughput"):
        for pipeline in record["sequential"]:
            if pipeline["seed"] == 1:
                seconds = pipeline["wall_s"] + (pipeline.get("startup_s") or 0.0)
                by_session[f"throughput {index}"].setdefault(pipeline["tuner"], seconds)
    totals = [
        sum(tuners.values()) for tuners in by_session.values() if set(tuners) == set(TUNERS.names)
    ]
    name, goal = "all five tuners, one seed, one after another", "under 6 min"
    if key.profile != "reference" or not totals:
        return Target(name, goal, "", None)
    measured = ", ".join(f"{s / 60:.1f} min ({s:.0f} s)" for s in totals)
    return Target(name, goal, measured, all(s < STUDY_TARGET_S for s in totals))


def _throughput(key: GroupKey, records: list[dict[str, Any]]) -> Target:
    rows = [r for r in records if r.get("kind") == "cluster_throughput"]
    measured = ", ".join(
        f"{r['pipelines']} pipelines: {r['sequential_s']:.0f} s one after another, "
        f"{r['cluster_s']:.0f} s on {r['cluster']}: {r['ratio']:.2f}x"
        for r in rows
    )
    goal = THROUGHPUT_TARGET if key.profile == "reference" else 1.0
    met = all(r["ratio"] >= goal for r in rows) if rows else None
    return Target("study throughput on a LocalCluster", f"at least {goal:g}x", measured, met)


def _collector(runs: list[RunResult]) -> Target:
    """The session process's resident memory when it collected each result, per session of at
    least three pipelines: from the second to the last (the first includes start-up)."""
    by_session: dict[str, list[RunResult]] = defaultdict(list)
    for run in runs:
        if run.collector_rss_mb is not None:
            by_session[run.session].append(run)
    growth = []
    for session_runs in by_session.values():
        rss = [r.collector_rss_mb for r in sorted(session_runs, key=lambda r: r.started_at)]
        if len(rss) >= 3 and rss[1]:
            growth.append((len(rss), rss[1], rss[-1], 100 * (rss[-1] - rss[1]) / rss[1]))
    measured = ", ".join(
        f"{n} pipelines: {a:.0f} -> {b:.0f} MB ({g:+.1f}%)" for n, a, b, g in growth
    )
    met = all(abs(g) <= MEMORY_TARGET for *_, g in growth) if growth else None
    return Target(
        "the session process's memory, second pipeline to last",
        f"within {MEMORY_TARGET:g}%",
        measured,
        met,
    )


def targets(
    key: GroupKey, runs: list[RunResult], performance: Performance, perf: list[dict[str, Any]]
) -> list[Target]:
    mine = [p for p in perf if (p.get("dataset"), p.get("profile")) == (key.dataset, key.profile)]
    return [
        _loops(key, performance),
        _bound(performance),
        _study(key, runs, mine),
        _throughput(key, mine),
        _collector(runs),
    ]
