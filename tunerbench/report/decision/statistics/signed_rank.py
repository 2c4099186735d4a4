"""The two-sided Wilcoxon signed-rank p of paired differences, as scipy computes it, at the
speed the verdict needs: for one pair, for the bisection of its interval (the shifts the test
does not reject, also here), and for hundreds of simulated studies at once.

scipy drops zero differences (``zero_method="wilcox"``, so a clean sweep gets the textbook
2 / 2**n) and, up to 13 seeds with ties, runs an exact permutation test over every sign
pattern: about 0.2 s a call, and 5 s for 20 rows at once. The same enumeration is done here
with one matrix product per row; above 13 seeds scipy itself answers (exact without ties up to
50 seeds, else the normal approximation).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from tunerbench.report.decision.statistics import ALPHA

ENUMERATED = 13  # scipy's bound: 2**13 sign patterns stay below its 9,999 resamples
DIGITS = 12  # accuracies are multiples of 1 / (test size): equal ones tie, not float noise


def _enumerated_p(d: np.ndarray) -> float:
    """The share of the 2**m sign patterns of the m nonzero differences' ranks whose rank sum
    lies at least as far from its mean as the observed one: scipy's exact permutation p (and,
    without ties, its exact distribution's)."""
    nonzero = d[d != 0]
    if nonzero.size == 0:
        return 1.0
    ranks = stats.rankdata(np.abs(nonzero))
    signs = (np.arange(2**nonzero.size)[:, None] >> np.arange(nonzero.size)) & 1
    middle = ranks.sum() / 2
    observed = abs(ranks[nonzero > 0].sum() - middle)
    return float(np.mean(np.abs(signs @ ranks - middle) >= observed - 1e-9))


def wilcoxon_p(d: np.ndarray) -> float:
    """p of scipy's two-sided Wilcoxon on ``d``; 1 where scipy would warn and return NaN (fewer
    than 2 differences, or none nonzero: no evidence of a difference)."""
    if d.size < 2 or not np.any(d):
        return 1.0
    if d.size <= ENUMERATED:
        return _enumerated_p(d)
    return float(stats.wilcoxon(d, zero_method="wilcox", alternative="two-sided").pvalue)


def wilcoxon_p_rows(rows: np.ndarray) -> np.ndarray:
    """``wilcoxon_p`` of each row of resampled differences. Resampled rows longer than the
    sample they were drawn from always hold ties, so above ``ENUMERATED`` seeds scipy would take
    its normal approximation for every row: it is asked for it directly, for all rows at once."""
    if rows.shape[1] <= ENUMERATED:
        return np.array([wilcoxon_p(row) for row in rows])
    with np.errstate(all="ignore"):
        p = stats.wilcoxon(rows, zero_method="wilcox", axis=1, method="asymptotic").pvalue
    return np.nan_to_num(p, nan=1.0)  # all-zero rows: no difference


def shift_interval(d: np.ndarray, point: float, alpha: float = ALPHA) -> tuple[float, float]:
    """The shifts of a - b that the signed-rank test does not reject at ``alpha``: the Walsh
    averages theta for which ``wilcoxon_p(d - theta) >= alpha``, found by bisection on each
    side of the estimate (about 40 tests at any number of seeds, where a bootstrap of the
    estimate costs resamples x seeds squared). It holds the estimate, and excludes 0 where the
    test is significant at ``alpha``; the point itself where there is nothing to test."""
    if d.size < 2 or np.ptp(d) == 0:
        return point, point
    i, j = np.triu_indices(d.size)
    walsh = np.unique(np.round((d[i] + d[j]) / 2, DIGITS))

    def kept(k: int) -> bool:
        return wilcoxon_p(np.round(d - walsh[k], DIGITS)) >= alpha

    middle = min(int(np.searchsorted(walsh, point)), walsh.size - 1)
    low, high = 0, middle  # the first kept shift at or below the estimate
    while low < high:
        k = (low + high) // 2
        low, high = (low, k) if kept(k) else (k + 1, high)
    first = low
    low, high = middle, walsh.size - 1  # the last kept shift at or above it
    while low < high:
        k = (low + high + 1) // 2
        low, high = (k, high) if kept(k) else (low, k - 1)
    return min(float(walsh[first]), point), max(float(walsh[low]), point)
