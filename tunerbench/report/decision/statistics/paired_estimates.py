"""What a paired difference between two tuners is, beside whether it is significant: the
Hodges-Lehmann estimate (the one that belongs with the signed-rank test), the share of seeds one
tuner wins, the rank-biserial effect size, and a seeded bootstrap interval of the share."""

from __future__ import annotations

import numpy as np
from scipy import stats

from tunerbench.report.decision.statistics.descriptive import percentile_interval

RESAMPLES = 10_000


def hodges_lehmann(d: np.ndarray, axis: int = -1) -> np.ndarray:
    """Median of the Walsh averages (d_i + d_j) / 2, i <= j: the estimate the signed-rank test
    belongs with (a mean can point the other way when one seed diverges)."""
    d = np.moveaxis(np.asarray(d, dtype=float), axis, -1)
    i, j = np.triu_indices(d.shape[-1])
    return np.median((d[..., i] + d[..., j]) / 2, axis=-1)


def improvement(d: np.ndarray, axis: int = -1) -> np.ndarray:
    """Share of seeds on which a beats b, a tie counting half: P(a > b) on a new seed."""
    return np.mean((d > 0) + 0.5 * (d == 0), axis=axis)


def rank_biserial(d: np.ndarray) -> float:
    """Matched-pairs rank-biserial correlation (T+ - T-) / (T+ + T-): +1 when a is ahead on
    every seed, -1 when b is; the effect size of the signed-rank test (tied seeds dropped)."""
    nonzero = d[d != 0]
    if nonzero.size == 0:
        return 0.0
    ranks = stats.rankdata(np.abs(nonzero))
    return float((ranks[nonzero > 0].sum() - ranks[nonzero < 0].sum()) / ranks.sum())


def interval(d: np.ndarray, statistic, point: float) -> tuple[float, float]:
    """The 95% bootstrap interval of ``statistic`` over the seeds' differences; the point
    itself where there is nothing to resample."""
    return percentile_interval(d, statistic, point, RESAMPLES) or (point, point)
