"""The leaderboard: each tuner's figures over seeds, per environment.

A column's best is marked only where it is significantly better than every other tuner
(Wilcoxon signed-rank over seeds, Holm-corrected; Nemenyi for the mean rank): one draw, or a few
seeds, must not crown a tuner. The board also says how much work each search really did: epochs
trained, failed trials, and how much of the grid a grid search covered.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tunerbench.records.schema import PHASES, RunResult
from tunerbench.report.grouping import (
    Summary,
    in_run_order,
    sort_variants,
    total_cpu,
    total_wall,
    variant,
)
from tunerbench.report.seed_tables import seed_table
from tunerbench.report.statistics.descriptive import block_means
from tunerbench.report.statistics.paired import pairwise_wilcoxon
from tunerbench.report.statistics.ranks import block_mean_ranks, friedman_nemenyi
from tunerbench.search.registry import TUNERS
from tunerbench.space import grid_size

ALPHA = 0.05


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    better: str | None  # "max", "min" or None (no best)
    digits: int


COLUMNS = [
    Column("best_val_accuracy", "best val_accuracy", "max", 4),
    Column("test_accuracy", "test accuracy", "max", 4),
    Column("test_loss", "test loss", "min", 4),
    Column("best_epoch", "best epoch", None, 1),
    Column("n_trials", "trials", None, 1),
    Column("search_epochs", "search epochs", None, 0),
    Column("failed_trials", "failed trials", None, 0),
    # Per-phase times are shown, not ranked: the totals carry the comparison (one test each).
    *[
        Column(f"{phase}_{kind}", f"{phase} {kind.removesuffix('_s')} s", None, 1)
        for phase in PHASES
        for kind in ("wall_s", "cpu_s")
    ],
    Column("total_wall_s", "total wall s", "min", 1),
    Column("total_cpu_s", "total CPU s", "min", 1),
    Column("cpu_per_wall", "CPU/wall", None, 2),
    Column("mean_rank", "mean rank", "min", 2),
]


@dataclass
class Cell:
    summary: Summary
    best: bool = False


@dataclass
class LeaderboardRow:
    variant: str
    seeds: int
    # (seed, best hyperparameters) per run; the seed is None when there is only one run.
    hyperparameters: list[tuple[int | None, dict[str, Any]]]
    cells: dict[str, Cell]


@dataclass
class Leaderboard:
    environment: str
    columns: list[Column]
    rows: list[LeaderboardRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def run_metrics(run: RunResult) -> dict[str, float | None]:
    values = {
        "best_val_accuracy": run.best_val_accuracy,
        "test_accuracy": run.test_accuracy,
        "test_loss": run.test_loss,
        "best_epoch": run.best_epoch,
        "n_trials": run.n_trials,
        "search_epochs": run.search_epochs,
        "failed_trials": sum(t.status != "COMPLETED" for t in run.trials),
        "total_wall_s": total_wall(run),
        "total_cpu_s": total_cpu(run),
        "cpu_per_wall": total_cpu(run) / max(total_wall(run), 1e-9),
    }
    for phase, timing in run.phases.items():
        values[f"{phase}_wall_s"] = timing.wall_s
        values[f"{phase}_cpu_s"] = timing.cpu_s
    return values


def leaderboard(env: str, runs: list[RunResult]) -> Leaderboard:
    board = Leaderboard(env, COLUMNS)
    ranks = block_mean_ranks(seed_table(runs, "test_accuracy").values)
    by_variant: dict[str, list[RunResult]] = defaultdict(list)
    for run in runs:
        by_variant[variant(run)].append(run)
    for name in sort_variants(by_variant):
        variant_runs = sorted(by_variant[name], key=lambda r: r.seed)
        per_run = [run_metrics(r) for r in variant_runs]
        cells = {
            c.key: Cell(Summary.of([m[c.key] for m in per_run if m[c.key] is not None]))
            for c in COLUMNS
            if c.key != "mean_rank"
        }
        cells["mean_rank"] = Cell(Summary(ranks.get(name, math.nan), None, len(variant_runs)))
        several = len(variant_runs) > 1
        hps = [(r.seed if several else None, r.best_hyperparameters) for r in variant_runs]
        board.rows.append(LeaderboardRow(name, len(variant_runs), hps, cells))
    _mark_best(board, runs)
    board.notes = _grid_coverage(runs)
    return board


def _significant_best(column: Column, runs: list[RunResult]) -> str | None:
    """The tuner significantly better than every other in this column, if there is one."""
    if column.key == "mean_rank":
        ranks = friedman_nemenyi(seed_table(runs, "test_accuracy").values, ALPHA)
        if ranks is None or ranks.p_value >= ALPHA:
            return None
        best = min(ranks.mean_rank, key=ranks.mean_rank.__getitem__)
        others = [t for t in ranks.tuners if t != best]
        return best if all(ranks.nemenyi(best, o) < ALPHA for o in others) else None
    sign = 1.0 if column.better == "max" else -1.0
    table = {
        name: {seed: sign * value for seed, value in seeds.items()}
        for name, seeds in seed_table(runs, column.key).values.items()
    }
    tests = pairwise_wilcoxon(table, ALPHA)
    means = block_means(table)  # over the seeds the tests compare
    if not tests.pairs or not means:
        return None
    best = max(means, key=means.__getitem__)
    others = [t for t in table if t != best]
    return best if all(tests.pair(best, o).better == best for o in others) else None


def _mark_best(board: Leaderboard, runs: list[RunResult]) -> None:
    if len(board.rows) < 2:
        return
    for column in board.columns:
        if column.better is None:
            continue
        best = _significant_best(column, runs)
        for row in board.rows:
            row.cells[column.key].best = row.variant == best


def _grid_coverage(runs: list[RunResult]) -> list[str]:
    notes = []
    for run in in_run_order(runs):
        if not TUNERS[run.tuner].walks_grid:
            continue
        visited = {tuple(sorted(t.hyperparameters.items())) for t in run.trials}
        if len(visited) < grid_size():
            notes.append(
                f"{variant(run)} seed {run.seed}: its budget of {run.n_trials} trials covered "
                f"{len(visited)} of the {grid_size()} grid points, in GridSearch's order."
            )
    return notes
