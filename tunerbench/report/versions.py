"""TensorFlow versions side by side: each tuner's test accuracy and wall time per environment,
with the differences to the oldest (accuracy in percentage points, time as a ratio)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tunerbench.records.schema import RunResult
from tunerbench.report.grouping import (
    Summary,
    environment,
    sort_environments,
    sort_variants,
    total_wall,
    variant,
)


@dataclass(frozen=True)
class VersionCell:
    accuracy: float  # mean test accuracy
    wall_s: float  # mean total wall seconds
    n_runs: int
    accuracy_delta_pp: float | None  # against the oldest environment; None there
    wall_ratio: float | None


@dataclass(frozen=True)
class VersionRow:
    variant: str
    cells: list[VersionCell | None]  # one per environment, None where the tuner did not run


@dataclass(frozen=True)
class VersionsTable:
    environments: list[str]
    rows: list[VersionRow]


def versions_table(runs: list[RunResult]) -> VersionsTable:
    envs = sort_environments(map(environment, runs))
    cells: dict[tuple[str, str], list[RunResult]] = defaultdict(list)
    for run in runs:
        cells[(variant(run), environment(run))].append(run)
    rows = []
    for name in sort_variants(map(variant, runs)):
        base = cells.get((name, envs[0]))
        row: list[VersionCell | None] = []
        for env in envs:
            these = cells.get((name, env))
            if not these:
                row.append(None)
                continue
            accuracy = Summary.of([r.test_accuracy for r in these]).mean
            wall = Summary.of([total_wall(r) for r in these]).mean
            delta = ratio = None
            if base and env != envs[0]:
                delta = 100 * (accuracy - Summary.of([r.test_accuracy for r in base]).mean)
                ratio = wall / Summary.of([total_wall(r) for r in base]).mean
            row.append(VersionCell(accuracy, wall, len(these), delta, ratio))
        rows.append(VersionRow(name, row))
    return VersionsTable(envs, rows)
