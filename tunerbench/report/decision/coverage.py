"""What the runs of one environment cover, read from its statistics for the verdict: the seeds
each tuner ran and lacks, and who leads the budget ranks. Facts the verdict reports beside its
recommendation; none of them decides it."""

from __future__ import annotations

from dataclasses import dataclass

from tunerbench.report.decision.seed_statistics import SeedStatistics


@dataclass(frozen=True)
class Leader:
    fraction: float  # of the epoch budget
    tuner: str
    mean_rank: float


def seeds_ran(stats: SeedStatistics) -> tuple[list[int], list[int]]:
    """Every seed some tuner ran, and the complete blocks: the seeds every tuner ran."""
    ran: list[set[int]] = [set(t.seeds) for t in stats.tuners] or [set()]
    return sorted(set.union(*ran)), sorted(set.intersection(*ran))


def missing_seeds(stats: SeedStatistics, every: list[int]) -> dict[str, list[int]]:
    """Per tuner, the seeds some other tuner ran and it did not (tuners missing none left out)."""
    gaps = {t.variant: sorted(set(every) - set(t.seeds)) for t in stats.tuners}
    return {name: seeds for name, seeds in gaps.items() if seeds}


def budget_leaders(stats: SeedStatistics) -> list[Leader]:
    """Who leads the budget ranks at a quarter and half of it: none where fewer than two tuners
    are ranked (one leads trivially; a tuner of another objective is never ranked)."""
    if stats.budget is None or len(stats.budget.tuners) < 2:
        return []
    leaders = []
    for fraction in (0.25, 0.5):
        ranks = stats.ranks_at.get(fraction)
        if ranks:
            name = min(ranks, key=ranks.__getitem__)
            leaders.append(Leader(fraction, name, ranks[name]))
    return leaders
