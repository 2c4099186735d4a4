"""A whole study against its arithmetic: how much of the machine's matmul rate it reached.

The per-epoch figure of ``--tb-speed`` says how close one epoch comes to its arithmetic; this says
the same of everything a study did, start-up, search bookkeeping, compilations and the tuners' own
costs included. A study's arithmetic is every trial's epochs, the refit and the final fit, each
at the cost of its own architecture's epoch; its time is the time during which at least one of its
pipelines ran (pauses between a session and its continuation left out).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from tunerbench.data.datasets import DATASETS
from tunerbench.problems.builtin import reference_mlp
from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import EpochSpeed
from tunerbench.report.inputs.run_totals import total_wall
from tunerbench.space import flops_per_epoch


@dataclass(frozen=True)
class StudyBound:
    session: str
    pipelines: int
    tflop: float  # the study's arithmetic
    matmul_gflops: float  # the machine's rate, from an epoch-speed measurement
    bound_s: float  # the arithmetic at that rate
    busy_s: float  # time during which at least one pipeline ran
    fraction: float  # bound_s / busy_s: the share of the machine's rate the study reached


def pipeline_flops(run: RunResult, inputs: int) -> float:
    """Every trial's epochs at its architecture's cost, then the refit and the final fit at the
    best architecture's."""

    data, search = run.provenance.data, run.search

    def epochs_of(units: object, epochs: int) -> float:
        if not isinstance(units, int):
            return 0.0
        return epochs * flops_per_epoch(data["n_fit"], data["n_val"], inputs, units)

    searched = sum(epochs_of(t.hyperparameters.get("units"), t.epochs or 0) for t in search.trials)
    after = len(search.refit_val_accuracy) + search.best_epoch
    return searched + epochs_of(search.best_hyperparameters.get("units"), after)


def busy_seconds(runs: list[RunResult]) -> float:
    """The length of the union of the pipelines' intervals (start-up to end of the final fit)."""
    spans = []
    for run in runs:
        start = dt.datetime.fromisoformat(run.identity.started_at).timestamp()
        spans.append((start - (run.cost.startup_s or 0.0), start + total_wall(run)))
    busy, reach = 0.0, float("-inf")
    for begin, end in sorted(spans):
        if end > reach:
            busy += end - max(begin, reach)
            reach = end
    return busy


def study_bounds(problem: str, runs: list[RunResult], epochs: list[EpochSpeed]) -> list[StudyBound]:
    """One row per session of fresh runs (a resumed pipeline's times are not one interval), at
    the highest matmul rate measured for this dataset and profile; none without one, and none
    for a problem other than the reference MLP, whose arithmetic this does not know."""
    reference = reference_mlp(problem)
    if not epochs or reference is None:
        return []
    inputs = DATASETS.get_entry(reference.dataset).inputs
    rate = max(e.matmul_gflops for e in epochs)
    sessions: dict[str, list[RunResult]] = defaultdict(list)
    for run in runs:
        how = run.provenance
        if not how.resumed and how.data.get("n_fit") and how.data.get("n_val") is not None:
            sessions[run.identity.session].append(run)
    rows = []
    for session, mine in sorted(sessions.items()):
        flops = sum(pipeline_flops(run, inputs) for run in mine)
        busy = busy_seconds(mine)
        if busy <= 0:
            continue
        bound = flops / (rate * 1e9)
        rows.append(StudyBound(session, len(mine), flops / 1e12, rate, bound, busy, bound / busy))
    return rows
