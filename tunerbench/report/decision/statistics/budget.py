"""Each tuner's rank by the best objective value so far at every fraction of the epoch budget
(the highest, or the lowest of an objective minimised), averaged over the seeds every tuner
has."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

Curve = tuple[Sequence[float], Sequence[float]]  # (xs: budget fraction, ys: best-so-far)


def _common_seeds(per_tuner: Mapping[str, Mapping[int, object]]) -> list[int]:
    """Sorted seeds present for every tuner (the complete blocks)."""
    if not per_tuner:
        return []
    return sorted(set.intersection(*(set(seeds) for seeds in per_tuner.values())))


@dataclass(frozen=True)
class BudgetRanks:
    """Mean rank (1 = best) of every tuner at each budget fraction, averaged over seeds."""

    tuners: list[str]
    fractions: list[float]
    mean_rank: dict[str, list[float]]  # aligned with fractions
    n_seeds: int

    def at(self, fraction: float) -> dict[str, float]:
        """Mean ranks at the grid point nearest to ``fraction`` (first one on a tie)."""
        i = int(np.argmin(np.abs(np.asarray(self.fractions) - fraction)))
        return {t: self.mean_rank[t][i] for t in self.tuners}


def _step_values(curve: Curve, fractions: np.ndarray, sign: float) -> np.ndarray:
    """Value of a step curve at each fraction, times ``sign`` (-1: lower is better), so higher
    is better: the last y with x <= f, or -inf before the first point (nothing found yet), so
    such a tuner ranks last and ties with others in that state."""
    xs, ys = np.asarray(curve[0], dtype=float), np.asarray(curve[1], dtype=float)
    if xs.shape != ys.shape or xs.ndim != 1:
        raise ValueError("a curve needs xs and ys of the same length")
    if np.any(np.diff(xs) < 0) or not np.all(np.isfinite(ys)):
        raise ValueError("curve xs must be non-decreasing and ys finite")
    index = np.searchsorted(xs, fractions, side="right")  # points with x <= f
    return np.concatenate(([-np.inf], sign * ys))[index]


def rank_over_budget(
    curves: Mapping[str, Mapping[int, Curve]], fractions: Sequence[float], *, maximize: bool
) -> BudgetRanks:
    """Rank tuners within each complete seed at every budget fraction, then average over seeds;
    rank 1 is the highest value, or the lowest where the objective is minimised (not
    ``maximize``).

    Ranking per seed first (instead of averaging accuracies) keeps one easy seed from
    dominating; ties share the average rank (scipy.stats.rankdata).
    """
    tuners, seeds = list(curves), _common_seeds(curves)
    grid = np.asarray(fractions, dtype=float)
    if not tuners or not seeds or grid.size == 0:
        raise ValueError("need tuners, at least one seed that every tuner has, and fractions")
    # values[seed, tuner, fraction], higher is better -> ranks over tuners (negated: the
    # highest gets rank 1).
    sign = 1.0 if maximize else -1.0
    values = np.array([[_step_values(curves[t][s], grid, sign) for t in tuners] for s in seeds])
    ranks = stats.rankdata(-values.transpose(0, 2, 1), axis=2).mean(axis=0)  # [fraction, tuner]
    mean_rank = {t: [float(r) for r in ranks[:, j]] for j, t in enumerate(tuners)}
    return BudgetRanks(tuners, [float(f) for f in grid], mean_rank, len(seeds))
