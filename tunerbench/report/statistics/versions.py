"""Does a result survive a TensorFlow upgrade? Runs of two TensorFlow versions are independent
samples (Keras 2 and 3 draw different random streams from one seed), never paired by seed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

from tunerbench.report.statistics.descriptive import finite


@dataclass(frozen=True)
class VersionDifference:
    """Mann-Whitney U test of one tuner's scores under two TensorFlow versions (independent)."""

    n_a: int
    n_b: int
    mean_a: float
    mean_b: float
    difference: float  # mean_b - mean_a
    u_statistic: float  # U of sample a
    p_value: float
    different: bool  # p_value < alpha
    min_possible_p: float  # exact test, complete separation: 2 / comb(n_a + n_b, n_a)
    can_differ: bool  # min_possible_p < alpha


def compare_versions(
    a: Sequence[float], b: Sequence[float], alpha: float = 0.05
) -> VersionDifference:
    """Two-sided Mann-Whitney U test; samples are unpaired because TF versions draw different
    random streams from the same seed. scipy chooses the exact or the normal method."""
    x, y = finite(a), finite(b)
    if x.size == 0 or y.size == 0:
        raise ValueError("compare_versions() needs at least one value per version")
    result = stats.mannwhitneyu(x, y, alternative="two-sided")
    p = min(1.0, float(result.pvalue))
    min_p = min(1.0, 2.0 / math.comb(x.size + y.size, x.size))
    mean_a, mean_b = float(x.mean()), float(y.mean())
    return VersionDifference(
        n_a=x.size,
        n_b=y.size,
        mean_a=mean_a,
        mean_b=mean_b,
        difference=mean_b - mean_a,
        u_statistic=float(result.statistic),
        p_value=p,
        different=p < alpha,
        min_possible_p=min_p,
        can_differ=min_p < alpha,
    )


def ranking_agreement(order_a: Sequence[str], order_b: Sequence[str]) -> float:
    """Kendall's tau between two orders of the same tuners (1 = same order, -1 = reversed).

    Orders of fewer than two tuners agree trivially (1.0) instead of scipy's NaN.
    """
    if len(set(order_a)) != len(order_a) or sorted(order_a) != sorted(order_b):
        raise ValueError("both orders must list the same tuners once each")
    if len(order_a) < 2:
        return 1.0
    position = {t: i for i, t in enumerate(order_b)}
    return float(stats.kendalltau(range(len(order_a)), [position[t] for t in order_a]).statistic)
