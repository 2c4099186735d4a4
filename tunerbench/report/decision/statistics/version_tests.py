"""Does a result survive a TensorFlow upgrade? Runs of two TensorFlow versions are independent
samples (Keras 2 and 3 draw different random streams from one seed), so the tests are unpaired:
Mann-Whitney U for a change in test accuracy (by more than the region of practical equivalence)
or in a numeric choice, the chi-square test for a categorical choice, Holm-corrected over every
comparison that feeds the one answer, and two one-sided t-tests (TOST) within the region of
practical equivalence for "unchanged".

A p-value is exact, over every split of the pooled values between the two versions (ties
included, which scipy's exact Mann-Whitney method ignores and choices are full of), while there
are at most ``EXACT_SPLITS`` splits (any study of up to 8 seeds per version); beyond, scipy's
normal approximation with its tie correction and the chi-square distribution are close. The
splits are enumerated here, ranked once: scipy's permutation test refuses a version with one seed.
Each test also says the smallest p it could give at its sample sizes: where that is not below
Holm's first threshold of the family, these seeds cannot show a change at all.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestIndPower
from statsmodels.stats.weightstats import ttost_ind

from tunerbench.report.decision.statistics import ALPHA
from tunerbench.report.decision.statistics.descriptive import finite
from tunerbench.report.decision.statistics.seed_counts import MOST_SEEDS, SeedEstimate, solve_seeds

# Splits of the pooled values enumerated for an exact p: 8 against 8 seeds is 12,870 splits, a
# few hundredths of a second; 10 against 10 would be 184,756.
EXACT_SPLITS = 15_000


@dataclass(frozen=True)
class VersionDifference:
    """Mann-Whitney U test of one tuner's scores (or numeric choices) under two TensorFlow
    versions (independent samples), for a change by more than ``rope``."""

    n_a: int
    n_b: int
    mean_a: float
    mean_b: float
    difference: float  # mean_b - mean_a
    u_statistic: float  # U of sample a
    p_value: float
    different: bool  # p_holm < alpha (p_value < alpha until corrected with its family)
    min_possible_p: float  # the values of the two versions apart: the smallest p these sizes give
    can_differ: bool  # min_possible_p < alpha
    p_holm: float | None = None  # corrected with every comparison of one report (holm())
    rope: float = 0.0  # a change must exceed this; 0 for a choice


@dataclass(frozen=True)
class ChoiceDifference:
    """Chi-square test of one tuner's categorical choices under two TensorFlow versions: does
    how often each value was chosen depend on the version?"""

    n_a: int
    n_b: int
    counts_a: dict[str, int]  # how many seeds chose each value, most chosen first
    counts_b: dict[str, int]
    statistic: float  # Pearson's chi-square of the versions x values table
    p_value: float
    different: bool  # p_holm < alpha (p_value < alpha until corrected with its family)
    min_possible_p: float  # one value per version, and they differ: the smallest p possible
    can_differ: bool  # min_possible_p < alpha
    p_holm: float | None = None  # corrected with every comparison of one report (holm())


Difference = TypeVar("Difference", bound=VersionDifference | ChoiceDifference)


def _exact(n_a: int, n_b: int) -> bool:
    return math.comb(n_a + n_b, n_a) <= EXACT_SPLITS


def _splits(size: int, first: int) -> np.ndarray:
    """Every way to give ``first`` of ``size`` pooled values to the first version: the
    positions it gets, one split a row."""
    return np.array(list(itertools.combinations(range(size), first)), dtype=np.intp)


def _mann_whitney_p(x: np.ndarray, y: np.ndarray, alternative: str) -> float:
    """One-sided Mann-Whitney p that x lies above y ("greater") or below it ("less"). Exact
    while the splits are few: the share of splits whose rank sum for x (midranks, so ties count
    as they are) is at least, or at most, the observed one; U is that sum less a constant.
    Beyond, scipy's normal approximation with the tie correction."""
    if not _exact(x.size, y.size):
        return float(stats.mannwhitneyu(x, y, alternative=alternative, method="asymptotic").pvalue)
    ranks = stats.rankdata(np.concatenate((x, y)))  # halves at most: sums are exact
    sums = ranks[_splits(ranks.size, x.size)].sum(axis=1)
    observed = ranks[: x.size].sum()
    return float(np.mean(sums >= observed if alternative == "greater" else sums <= observed))


def _shifted_p(x: np.ndarray, y: np.ndarray, rope: float) -> float:
    """p that y moved away from x by more than ``rope``: two one-sided tests, y - rope above x
    and y + rope below x, the smaller p doubled (with ``rope`` 0, the two-sided test)."""
    up = _mann_whitney_p(y - rope, x, "greater")
    down = _mann_whitney_p(y + rope, x, "less")
    return min(1.0, 2.0 * min(up, down))


def smallest_p(n_a: int, n_b: int) -> float:
    """The smallest two-sided Mann-Whitney p at these sizes: every value of one version below
    every value of the other, with the most ties that allows (the tie correction only lowers
    the approximation's p). Exact: 2 / comb(n_a + n_b, n_a)."""
    if _exact(n_a, n_b):
        return min(1.0, 2.0 / math.comb(n_a + n_b, n_a))
    return _shifted_p(np.zeros(n_a), np.ones(n_b), 0.0)


def compare_versions(
    a: Sequence[float], b: Sequence[float], alpha: float = ALPHA, rope: float = 0.0
) -> VersionDifference:
    """Has b moved away from a by more than ``rope``? Mann-Whitney U, unpaired because TF
    versions draw different random streams from the same seed; with ``rope`` 0 the plain
    two-sided test (a choice has no region of practical equivalence)."""
    x, y = finite(a), finite(b)
    if x.size == 0 or y.size == 0:
        raise ValueError("compare_versions() needs at least one value per version")
    p = _shifted_p(x, y, rope)
    min_p = smallest_p(x.size, y.size)
    mean_a, mean_b = float(x.mean()), float(y.mean())
    return VersionDifference(
        n_a=x.size,
        n_b=y.size,
        mean_a=mean_a,
        mean_b=mean_b,
        difference=mean_b - mean_a,
        u_statistic=float(stats.mannwhitneyu(x, y, method="asymptotic").statistic),
        p_value=p,
        different=p < alpha,
        min_possible_p=min_p,
        can_differ=min_p < alpha,
        rope=rope,
    )


def _counts(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """How often each of ``values`` occurs in each row of ``codes``."""
    return (codes[..., None] == values).sum(axis=-2)


def _chi_square(counts_a: np.ndarray, total: np.ndarray, n_a: int, n_b: int) -> np.ndarray:
    """Pearson's chi-square of 2 x k tables, given the first version's count of each value (a
    table a row) and both versions' together."""
    counts_b = total - counts_a
    expected_a, expected_b = total * n_a / (n_a + n_b), total * n_b / (n_a + n_b)
    cells = (counts_a - expected_a) ** 2 / expected_a + (counts_b - expected_b) ** 2 / expected_b
    return cells.sum(axis=-1)


def _chi_square_test(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The chi-square statistic of value codes a against b, and its p: exact while the splits
    are few (the share of splits whose statistic is at least the observed one; the chi-square
    distribution is poor with few seeds per value), else from that distribution."""
    pooled = np.concatenate((a, b))
    values = np.unique(pooled)
    if values.size < 2:
        return 0.0, 1.0  # one value for every seed: nothing changed
    total = _counts(pooled, values)
    observed = float(_chi_square(_counts(a, values), total, a.size, b.size))
    if not _exact(a.size, b.size):
        return observed, float(stats.chi2.sf(observed, values.size - 1))
    first = pooled[_splits(pooled.size, a.size)]
    split = _chi_square(_counts(first, values), total, a.size, b.size)
    return observed, float(np.mean(split >= observed - 1e-9 * max(1.0, observed)))


def compare_choices(a: Sequence[str], b: Sequence[str], alpha: float = ALPHA) -> ChoiceDifference:
    """Does how often each value was chosen differ between the versions? The chi-square test of
    the versions x values table (see ``_chi_square_test``)."""
    if not a or not b:
        raise ValueError("compare_choices() needs at least one choice per version")
    values = sorted(set(a) | set(b))
    code = {v: i for i, v in enumerate(values)}
    x, y = np.array([code[v] for v in a]), np.array([code[v] for v in b])
    statistic, p = _chi_square_test(x, y)
    _, min_p = _chi_square_test(np.zeros(len(a), dtype=int), np.ones(len(b), dtype=int))
    return ChoiceDifference(
        n_a=len(a),
        n_b=len(b),
        counts_a=dict(Counter(a).most_common()),
        counts_b=dict(Counter(b).most_common()),
        statistic=statistic,
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


def holm(differences: list[Difference], alpha: float = ALPHA) -> list[Difference]:
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


def seeds_to_show(threshold: float, ran: int = 0) -> int:
    """Fewest seeds per version, more than the ``ran`` already run, at which a change can pass
    ``threshold`` (Holm's first of the family): below it the smallest p is too large."""
    n = max(1, ran + 1)
    while smallest_p(n, n) >= threshold:
        n += 1
    return n


def versions_seeds_to_tell(
    a: Sequence[float], b: Sequence[float], rope: float, alpha: float
) -> SeedEstimate:
    """About how many seeds per version would tell: a t-test's power (unpaired) for a move of
    the observed size beyond +-rope at ``alpha``, Holm's first threshold, or for the observed
    difference inside +-rope (one-sided, as each half of TOST), whichever applies; never fewer
    than ``seeds_to_show`` (more than ran, enough for any change to pass ``alpha``), and the
    fewest where the seeds show no spread to extrapolate from; "more than ``MOST_SEEDS``" where
    even that many would not."""
    x, y = finite(a), finite(b)
    fewest = seeds_to_show(alpha, max(x.size, y.size))
    if x.size < 2 or y.size < 2:
        return SeedEstimate(fewest)
    sd = math.sqrt((np.var(x, ddof=1) + np.var(y, ddof=1)) / 2)
    if sd == 0:
        return SeedEstimate(fewest)
    diff = abs(float(y.mean() - x.mean()))
    n = min(
        solve_seeds((diff - rope) / sd, alpha, "two-sided", TTestIndPower()),
        solve_seeds((rope - diff) / sd, ALPHA, "larger", TTestIndPower()),
    )
    if not math.isfinite(n) or math.ceil(n) > MOST_SEEDS:
        return SeedEstimate(max(MOST_SEEDS, fewest), reached=False)
    return SeedEstimate(max(fewest, math.ceil(n)))
