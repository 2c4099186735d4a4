"""The leaderboard: each tuner's figures over seeds, per environment, in two parts.

The board a reader sees first is narrow and ordered best first by test accuracy IQM (accuracy is
higher-better whatever the search's objective): each row's distance to the top in points, then
its CPU seconds per pipeline beside it, so a cheap but worse tuner reads as both at a glance;
then mean rank, P(best) and the hyperparameters chosen most often. Its marks are the verdict's
(the starred tuner is the one the paired tests put above every other), so the board cannot
contradict it. The detail (every phase's times, epochs, failed trials, per-seed choices)
is folded away. Every figure is over seeds: a seed run more than once counts once, as the mean
of its runs, as in every statistic.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import PHASES
from tunerbench.report.decision.seed_statistics import SeedStatistics
from tunerbench.report.decision.statistics.descriptive import Description, Summary
from tunerbench.report.decision.verdict import Verdict
from tunerbench.report.inputs.labels import in_run_order, variant
from tunerbench.report.inputs.objective import group_objective
from tunerbench.report.inputs.seed_tables import runs_by_seed, seed_spans, seed_table
from tunerbench.search.registry import TUNERS
from tunerbench.space import grid_size


class Mark(StrEnum):
    """The verdict's marks a row can carry, each a boolean field of ``LeaderboardRow`` of its
    name (exposed to the templates by name)."""

    BEST = "best"  # the verdict's best: significantly better than every other tuner
    RECOMMENDED = "recommended"
    CHEAPEST = "cheapest"  # the verdict's cheapest good choice


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    digits: int


DETAIL = [
    Column("best_val_accuracy", "best val_accuracy", 4),
    Column("test_loss", "test loss", 4),
    Column("best_epoch", "best epoch", 1),
    Column("n_trials", "trials", 1),
    Column("search_epochs", "search epochs", 0),
    Column("failed_trials", "failed trials", 0),
    *[
        Column(f"{phase}_{kind}", f"{phase} {kind.removesuffix('_s')} s", 1)
        for phase in PHASES
        for kind in ("wall_s", "cpu_s")
    ],
    Column("total_wall_s", "total wall s", 1),
    Column("cpu_per_wall", "CPU/wall", 2),
]


@dataclass(frozen=True)
class Choice:
    """The hyperparameters chosen on most seeds (a repeated seed's runs share its one vote)."""

    hyperparameters: dict[str, Any]
    seeds: float
    of: int


@dataclass(frozen=True)
class SeedDetail:
    seed: int
    runs: int
    test_accuracy: float  # the mean of its runs
    hyperparameters: list[dict[str, Any]]  # each run's choice
    variant: str


@dataclass
class LeaderboardRow:
    variant: str
    seeds: int
    accuracy: Description
    mean_rank: float | None
    p_best: float | None
    cpu_s: Description
    choice: Choice
    difference_to_best: float | None  # IQM minus the top row's (a fraction); None on the top row
    best: bool  # the verdict's best: significantly better than every other tuner
    recommended: bool
    cheapest: bool  # the verdict's cheapest good choice
    detail: dict[str, Summary]
    per_seed: list[SeedDetail]


@dataclass
class Leaderboard:
    environment: str
    columns: list[Column]
    rows: list[LeaderboardRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def marks(self) -> set[Mark]:
        """The marks some row carries: the caption explains only these, so a board without
        marks says nothing of them."""
        return {mark for row in self.rows for mark in Mark if getattr(row, mark)}

    @property
    def per_seed(self) -> list[SeedDetail]:
        """Every tuner's seeds, tuner after tuner: the rows of the per-seed table."""
        return [seed for row in self.rows for seed in row.per_seed]


def _choice(seeds: dict[int, list[RunResult]]) -> Choice:
    votes: Counter[str] = Counter()
    chosen: dict[str, dict[str, Any]] = {}
    for runs in seeds.values():
        for run in runs:
            label = repr(sorted(run.search.best_hyperparameters.items()))
            chosen.setdefault(label, run.search.best_hyperparameters)
            votes[label] += 1 / len(runs)
    label, count = votes.most_common(1)[0]
    return Choice(chosen[label], round(count, 2), len(seeds))


def leaderboard(stats: SeedStatistics, verdict: Verdict, runs: list[RunResult]) -> Leaderboard:
    """The board of usable ``runs``, whose statistics and verdict are ``stats`` and ``verdict``;
    the best value found is labelled by the objective it is of."""
    best_found = f"best {stats.objective}"
    columns = [replace(c, label=best_found) if c.key == "best_val_accuracy" else c for c in DETAIL]
    board = Leaderboard(stats.environment, columns)
    tables = {c.key: seed_table(runs, c.key).values for c in DETAIL}
    by_seed = runs_by_seed(runs)
    # Best first; equal IQMs keep the report's tuner order (sorted() is stable).
    ranked = sorted(stats.tuners, key=lambda t: -t.described["test_accuracy"].iqm)
    for figures in ranked:
        name, accuracy = figures.variant, figures.described["test_accuracy"]
        seeds = by_seed[name]
        board.rows.append(
            LeaderboardRow(
                variant=name,
                seeds=figures.n_seeds,
                accuracy=accuracy,
                mean_rank=stats.mean_rank.get(name),
                p_best=stats.p_best.get(name),
                cpu_s=figures.described["total_cpu_s"],
                choice=_choice(seeds),
                difference_to_best=_difference(accuracy, board.rows),
                best=verdict.best == name,
                recommended=name in verdict.recommended and len(stats.tuners) > 1,
                cheapest=verdict.cheapest == name and len(stats.tuners) > 1,
                detail={
                    c.key: Summary.of(list(tables[c.key].get(name, {}).values())) for c in DETAIL
                },
                per_seed=[
                    SeedDetail(
                        seed,
                        len(rs),
                        statistics.fmean(r.test.accuracy for r in rs),
                        [r.search.best_hyperparameters for r in rs],
                        name,
                    )
                    for seed, rs in sorted(seeds.items())
                ],
            )
        )
    board.notes = _grid_coverage(runs) + [note for note in (group_objective(runs).note,) if note]
    return board


def _difference(accuracy: Description, above: list[LeaderboardRow]) -> float | None:
    """The IQM's difference to the top row's (None for the top row itself)."""
    return accuracy.iqm - above[0].accuracy.iqm if above else None


def _grid_coverage(runs: list[RunResult]) -> list[str]:
    """One line per grid tuner: how much of the grid its budget covered, seeds folded."""
    covered: dict[str, dict[int, list[int]]] = {}
    for run in in_run_order(runs):
        if not TUNERS[run.identity.tuner].walks_grid:
            continue
        visited = len({tuple(sorted(t.hyperparameters.items())) for t in run.search.trials})
        grid = run.search.space_points
        if grid is None and not run.identity.problem:  # recorded before problems: the MLP's
            grid = grid_size()
        if grid is None:  # a continuous space has no grid to cover
            continue
        seeds = covered.setdefault(variant(run), {}).setdefault((visited, grid), [])
        seeds.append(run.identity.seed)
    notes = []
    for name, by_count in covered.items():
        parts = [
            f"{count} of the {grid} grid points on "
            + (f"seeds {seed_spans(seeds)}" if len(set(seeds)) > 1 else f"seed {seeds[0]}")
            for (count, grid), seeds in sorted(by_count.items())
            if count < grid
        ]
        if parts:
            notes.append(
                f"{name}: its trial budget covered {'; '.join(parts)}, in GridSearch's order."
            )
    return notes
