"""The statistics over seeds of one environment, which the verdict reads and the statistics
section shows: each tuner's figures with robust intervals, paired tests between tuners with their
estimates and equivalence, ranks over all of them, win rates, and ranks at every fraction of the
epoch budget by the best value of the problem's objective found so far, in its direction."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tunerbench.records.run_result import RunResult
from tunerbench.report.decision.rope import DEFAULT_ROPE
from tunerbench.report.decision.statistics import ALPHA
from tunerbench.report.decision.statistics.budget import BudgetRanks, rank_over_budget
from tunerbench.report.decision.statistics.descriptive import Description, block_means, describe
from tunerbench.report.decision.statistics.pair_tests import PairwiseTests
from tunerbench.report.decision.statistics.paired import pairwise_wilcoxon
from tunerbench.report.decision.statistics.ranks import (
    RankTest,
    block_mean_ranks,
    friedman_nemenyi,
    probability_best,
)
from tunerbench.report.decision.statistics.seed_counts import seeds_needed
from tunerbench.report.decision.statistics.table_bootstrap import FinalFit
from tunerbench.report.decision.statistics.win_rates import WinRates, win_rates
from tunerbench.report.inputs.best_so_far import best_so_far
from tunerbench.report.inputs.groups import REPLAY
from tunerbench.report.inputs.objective import group_objective
from tunerbench.report.inputs.seed_tables import runs_by_seed, seed_table
from tunerbench.search.registry import TUNERS

FRACTIONS = [round(f, 2) for f in np.linspace(0.0, 1.0, 101)]
RANK_POINTS = (0.25, 0.5, 1.0)
DESCRIBED = ("test_accuracy", "best_val_accuracy", "total_wall_s", "total_cpu_s")


@dataclass(frozen=True)
class TunerFigures:
    variant: str
    seeds: list[int]  # the seeds it ran (each once, however often it was run)
    described: dict[str, Description]  # per metric of DESCRIBED

    @property
    def n_seeds(self) -> int:
        return len(self.seeds)


@dataclass(frozen=True)
class SeedStatistics:
    environment: str
    tuners: list[TunerFigures]
    n_blocks: int  # seeds every tuner has: the blocks of Friedman's test and the mean ranks
    block_means: dict[str, float]  # test accuracy over those blocks
    pairwise: PairwiseTests  # on test accuracy, each pair over the seeds both ran
    ranks: RankTest | None  # Friedman and Nemenyi on test accuracy; None below 3 tuners
    mean_rank: dict[str, float]  # over the complete blocks (1 = best)
    p_best: dict[str, float]  # bootstrap share of resampled seeds on which each leads
    win_rates: WinRates  # on test accuracy
    # The objective the budget is ranked by (what best_val_accuracy holds) and which way is
    # better, "max" or "min": the problem's, as the tuners that follow it recorded it.
    objective: str
    objective_direction: str
    # None without a seed that every tuner has; of the tuners that followed the objective only
    budget: BudgetRanks | None
    ranks_at: dict[float, dict[str, float]]  # mean ranks at RANK_POINTS of the budget
    seeds_needed: int  # for a clean sweep to survive Holm's correction over every pair
    rope: float  # the region of practical equivalence in accuracy
    notes: list[str]

    def figures(self, name: str) -> TunerFigures:
        return next(t for t in self.tuners if t.variant == name)


def budget_curves(
    runs: list[RunResult], *, maximize: bool
) -> dict[str, dict[int, tuple[list[float], list[float]]]]:
    """The best objective value so far (the highest, or the lowest where not ``maximize``)
    against the fraction of the epoch budget spent, per tuner and seed (the first run of a
    repeated seed: curves of repeats cannot be averaged as steps)."""
    curves = {}
    for name, seeds in runs_by_seed(runs).items():
        curves[name] = {}
        for seed, seed_runs in seeds.items():
            run = seed_runs[0]
            xs, ys = best_so_far(run.search.trials, "epochs", maximize=maximize)
            curves[name][seed] = ([x / run.search.budget.total_epochs for x in xs], ys)
    return curves


def _section(tuner: str) -> str:
    """The part of a table a tuner replays against: its framework's (an unknown tuner's own)."""
    return TUNERS[tuner].framework.name if tuner in TUNERS.names else tuner


def final_fits(runs: list[RunResult]) -> dict[str, dict[int, FinalFit]] | None:
    """Each replayed tuner's final fit per seed (the first run of a repeated seed), what the
    bootstrap over the table's training runs resamples; None unless every run was replayed
    against a table and recorded its final fit (the group is then judged with that
    bootstrap too)."""
    replayed = all(r.identity.mode == REPLAY and r.identity.table_test_accuracy for r in runs)
    if not runs or not replayed:
        return None
    return {
        name: {
            seed: FinalFit(
                rs[0].identity.table_point,
                rs[0].identity.table_run,
                tuple(rs[0].identity.table_test_accuracy),
                _section(rs[0].identity.tuner),
            )
            for seed, rs in seeds.items()
        }
        for name, seeds in runs_by_seed(runs).items()
    }


def seed_statistics(
    environment: str, runs: list[RunResult], rope: float = DEFAULT_ROPE
) -> SeedStatistics:
    """Statistics of usable runs (``seed_tables.usable_runs``): every value finite. Tuners that
    followed another objective than the problem's (SklearnTuner's accuracy beside a loss) are
    left out of the ranks over the budget, and named in a note."""
    tables = {metric: seed_table(runs, metric) for metric in DESCRIBED}
    accuracy = tables["test_accuracy"]
    tuners = [
        TunerFigures(
            name,
            sorted(accuracy.values[name]),
            {m: describe(list(tables[m].values[name].values())) for m in DESCRIBED},
        )
        for name in accuracy.values
    ]
    pairwise = pairwise_wilcoxon(accuracy.values, ALPHA, rope, final_fits(runs))
    compared = group_objective(runs)
    maximize = compared.objective.maximize
    curves = budget_curves(compared.kept(runs), maximize=maximize)
    budget = None
    if pairwise.n_blocks and curves:
        budget = rank_over_budget(curves, FRACTIONS, maximize=maximize)
    notes = [note for note in (accuracy.note(), compared.note) if note]
    return SeedStatistics(
        environment=environment,
        tuners=tuners,
        n_blocks=pairwise.n_blocks,
        block_means=block_means(accuracy.values),
        pairwise=pairwise,
        ranks=friedman_nemenyi(accuracy.values, ALPHA),
        mean_rank=block_mean_ranks(accuracy.values),
        p_best=probability_best(accuracy.values) if len(tuners) > 1 else {},
        win_rates=win_rates(pairwise),
        objective=compared.objective.name,
        objective_direction=compared.objective.direction,
        budget=budget,
        ranks_at={f: budget.at(f) for f in RANK_POINTS} if budget else {},
        seeds_needed=seeds_needed(len(tuners), ALPHA) if len(tuners) > 1 else 1,
        rope=rope,
        notes=notes,
    )
