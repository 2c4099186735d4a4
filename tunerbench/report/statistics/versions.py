"""Does a result survive a TensorFlow upgrade? Runs of two TensorFlow versions are independent
samples (Keras 2 and 3 draw different random streams from one seed), so the tests are unpaired:
Mann-Whitney U for a change, Holm-corrected over every comparison that feeds the one answer,
and two one-sided t-tests (TOST) within the region of practical equivalence for "unchanged"."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestIndPower
from statsmodels.stats.weightstats import ttost_ind

from tunerbench.report.statistics import ALPHA
from tunerbench.report.statistics.descriptive import finite
from tunerbench.report.statistics.equivalence import MOST_SEEDS, solve_seeds


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
    different: bool  # p_holm < alpha (p_value < alpha until corrected with its family)
    min_possible_p: float  # exact test, complete separation: 2 / comb(n_a + n_b, n_a)
    can_differ: bool  # min_possible_p < alpha
    p_holm: float | None = None  # corrected with every comparison of one report (holm())


def compare_versions(
    a: Sequence[float], b: Sequence[float], alpha: float = ALPHA
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


def holm_p(p_values: list[float]) -> list[float]:
    """Holm-corrected p-values (statsmodels' multipletests)."""
    if not p_values:
        return []
    return [float(q) for q in multipletests(p_values, method="holm")[1]]


def holm(differences: list[VersionDifference], alpha: float = ALPHA) -> list[VersionDifference]:
    """The family's tests with Holm-corrected p and ``different`` read from it: every
    comparison that feeds "does it survive the upgrade?" is one family."""
    corrected = holm_p([d.p_value for d in differences])
    return [
        replace(d, p_holm=float(q), different=bool(q < alpha))
        for d, q in zip(differences, corrected, strict=True)
    ]


def equivalence_p(a: Sequence[float], b: Sequence[float], rope: float) -> float | None:
    """TOST p that b - a lies within +-rope (statsmodels' ``ttost_ind``); None below two values
    per version. Samples without spread are equivalent exactly when their means are."""
    x, y = finite(a), finite(b)
    if x.size < 2 or y.size < 2:
        return None
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        return 0.0 if abs(float(y.mean() - x.mean())) < rope else 1.0
    return float(ttost_ind(y, x, -rope, rope)[0])


def versions_seeds_to_tell(
    a: Sequence[float], b: Sequence[float], rope: float, alpha: float
) -> int | None:
    """About how many seeds per version would tell a change of the observed size apart (at
    ``alpha``) or show the versions within +-rope, whichever is fewer (unpaired t-test power);
    None where the seeds show no spread."""
    x, y = finite(a), finite(b)
    if x.size < 2 or y.size < 2:
        return None
    sd = math.sqrt((np.var(x, ddof=1) + np.var(y, ddof=1)) / 2)
    if sd == 0:
        return None
    diff = abs(float(y.mean() - x.mean()))
    n = min(
        solve_seeds(diff / sd, alpha, "two-sided", TTestIndPower()),
        solve_seeds((rope - diff) / sd, ALPHA, "larger", TTestIndPower()),
    )
    return min(MOST_SEEDS, max(x.size + 1, math.ceil(n))) if math.isfinite(n) else None
