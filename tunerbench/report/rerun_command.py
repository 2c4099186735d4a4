"""The command of a run with more seeds, as the verdict proposes it: the same dataset, profile,
tuners and ways of running, and its time from these runs' own times."""

from __future__ import annotations

import math

from tunerbench.records.schema import RunResult
from tunerbench.report.grouping import GroupKey, total_wall, variant
from tunerbench.report.rope import DEFAULT_ROPE
from tunerbench.search.registry import TUNERS
from tunerbench.training.loops import DEFAULT_LOOP


def rerun_command(key: GroupKey, runs: list[RunResult], seeds: int, rope: float) -> tuple[str, int]:
    """The command for a run with ``seeds`` seeds, and its minutes from these runs' own times."""
    ran = {r.tuner for r in runs}
    tuners = ",".join(name for name in TUNERS.names if name in ran)
    per_tuner: dict[str, list[float]] = {}
    for run in runs:
        per_tuner.setdefault(variant(run), []).append(total_wall(run) + (run.startup_s or 0.0))
    per_seed = sum(sum(times) / len(times) for times in per_tuner.values())
    command = (
        f"pytest bench/ --tb-dataset {key.dataset} --tb-profile {key.profile} "
        f"--tb-tuners {tuners} --tb-seeds {seeds}{_shared_options(runs)}"
        + (f" --tb-rope {rope:g}" if rope != DEFAULT_ROPE else "")
    )
    return command, math.ceil(per_seed * seeds / 60)


def _shared_options(runs: list[RunResult]) -> str:
    """The --tb-loop and --tb-workers every run shares, where they are not the defaults."""
    loops, workers = {r.loop for r in runs}, {r.workers for r in runs}
    text = ""
    if len(loops) == 1 and loops != {DEFAULT_LOOP}:
        text += f" --tb-loop {loops.pop()}"
    if len(workers) == 1 and workers != {1}:
        text += f" --tb-workers {workers.pop()}"
    return text
