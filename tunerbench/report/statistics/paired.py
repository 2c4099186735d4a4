"""Paired tests over seeds: Wilcoxon signed-rank between every pair of tuners, Holm-corrected,
how many seeds a verdict needs, and pairwise win rates."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests

from tunerbench.report.statistics.descriptive import ScoreTable, complete_blocks


@dataclass(frozen=True)
class PairTest:
    """Two-sided Wilcoxon signed-rank test of tuner a against tuner b over complete blocks."""

    a: str
    b: str
    n_blocks: int
    mean_difference: float  # mean of a - b
    wins_a: int
    wins_b: int
    ties: int
    p_raw: float
    p_holm: float
    significant: bool  # p_holm < alpha
    better: str | None  # the tuner with the higher mean, only when significant

    @property
    def worse(self) -> str | None:
        """The other tuner of a significant pair; None when the pair is not significant."""
        if self.better is None:
            return None
        return self.b if self.better == self.a else self.a


@dataclass(frozen=True)
class PairwiseTests:
    """All pairs, Holm-corrected together, plus whether the design can detect anything at all."""

    tuners: list[str]
    n_blocks: int
    alpha: float
    pairs: list[PairTest]
    min_possible_p: float  # smallest exact two-sided Wilcoxon p at n_blocks: 2 / 2**n_blocks
    can_be_significant: bool  # min_possible_p < alpha / number of pairs (Holm's first step)

    def pair(self, a: str, b: str) -> PairTest:
        """The test of a against b, whichever order it was stored in (KeyError if none)."""
        for test in self.pairs:
            if {test.a, test.b} == {a, b} and a != b:
                return test
        raise KeyError((a, b))


def min_wilcoxon_p(n_blocks: int) -> float:
    """Smallest two-sided exact Wilcoxon p with n blocks (a clean sweep): 2 / 2**n, at most 1."""
    return min(1.0, 2.0 / 2.0**n_blocks)


def _wilcoxon_p(d: np.ndarray) -> float:
    """p of scipy's two-sided Wilcoxon; p = 1 where scipy would warn and return NaN."""
    if d.size < 2 or not np.any(d):  # < 2 blocks or identical tuners: no evidence of a difference
        return 1.0
    # zero_method="wilcox" drops tied blocks (they are reported as `ties`) so a clean sweep gets
    # the textbook exact p 2 / 2**n; scipy picks exact / exact-permutation / normal by itself.
    return float(stats.wilcoxon(d, zero_method="wilcox", alternative="two-sided").pvalue)


def pairwise_wilcoxon(table: ScoreTable, alpha: float = 0.05) -> PairwiseTests:
    """Wilcoxon signed-rank test for every unordered pair, Holm-corrected over all pairs.

    Differences are rounded to 12 decimals so that accuracies which are equal in exact
    arithmetic (multiples of 1 / validation size) tie instead of differing by float noise.
    Holm: ``statsmodels.stats.multitest.multipletests(method="holm")`` adjusted p-values;
    significant means p_holm < alpha (strict, like ``compare_versions``).
    """
    tuners, seeds, m = complete_blocks(table)
    index_pairs = list(itertools.combinations(range(len(tuners)), 2))
    diffs = [np.round(m[:, i] - m[:, j], 12) for i, j in index_pairs]
    p_raw = [_wilcoxon_p(d) for d in diffs]
    p_holm = list(multipletests(p_raw, alpha=alpha, method="holm")[1]) if p_raw else []
    pairs = []
    for (i, j), d, p, q in zip(index_pairs, diffs, p_raw, p_holm, strict=True):
        mean_diff = float(d.mean()) if d.size else 0.0
        significant = bool(q < alpha)
        better = None
        if significant and mean_diff != 0:
            better = tuners[i] if mean_diff > 0 else tuners[j]
        wins_a, wins_b = int(np.sum(d > 0)), int(np.sum(d < 0))
        pairs.append(
            PairTest(
                a=tuners[i],
                b=tuners[j],
                n_blocks=d.size,
                mean_difference=mean_diff,
                wins_a=wins_a,
                wins_b=wins_b,
                ties=d.size - wins_a - wins_b,
                p_raw=p,
                p_holm=float(q),
                significant=significant,
                better=better,
            )
        )
    min_p = min_wilcoxon_p(len(seeds))
    possible = bool(index_pairs) and min_p < alpha / len(index_pairs)
    return PairwiseTests(tuners, len(seeds), alpha, pairs, min_p, possible)


def seeds_needed(n_tuners: int, alpha: float = 0.05) -> int:
    """Fewest seeds at which a clean sweep survives Holm's first step, alpha / (k(k-1)/2).

    Holm's strictest threshold is what the smallest p of the family must beat, so below this
    many seeds no pair can ever be called significantly different (e.g. 5 tuners -> 9 seeds).
    """
    if n_tuners < 2 or not 0 < alpha < 1:
        raise ValueError("need n_tuners >= 2 and 0 < alpha < 1")
    threshold, n = alpha / math.comb(n_tuners, 2), 1
    while min_wilcoxon_p(n) >= threshold:
        n += 1
    return n


@dataclass(frozen=True)
class WinRates:
    """matrix[a][b]: share of complete blocks where a beats b (tie = 1/2); diagonal None.

    Invariant: matrix[a][b] + matrix[b][a] == 1. With no complete block every entry is None.
    """

    tuners: list[str]
    n_blocks: int
    matrix: dict[str, dict[str, float | None]]


def win_rates(table: ScoreTable) -> WinRates:
    """How often each tuner beats each other one on the same seed (higher value wins)."""
    tuners, seeds, _ = complete_blocks(table)
    n = len(seeds)
    values = {t: np.array([float(table[t][s]) for s in seeds]) for t in tuners}
    matrix: dict[str, dict[str, float | None]] = {}
    for a in tuners:
        matrix[a] = {}
        for b in tuners:
            if a == b or n == 0:
                matrix[a][b] = None
            else:
                wins = np.sum(values[a] > values[b]) + 0.5 * np.sum(values[a] == values[b])
                matrix[a][b] = float(wins / n)
    return WinRates(tuners, n, matrix)


@dataclass(frozen=True)
class PairedDifference:
    """b - a over the seeds both have: mean difference with its 95% t-interval (scipy's
    ``ttest_rel``) and the two-sided Wilcoxon signed-rank p (no Holm: one comparison)."""

    n_blocks: int
    mean_a: float
    mean_b: float
    mean_difference: float
    ci_low: float | None
    ci_high: float | None
    wilcoxon_p: float
    significant: bool


def paired_difference(
    a: dict[int, float], b: dict[int, float], alpha: float = 0.05
) -> PairedDifference:
    seeds = sorted(set(a) & set(b))
    x = np.array([a[s] for s in seeds], dtype=float)
    y = np.array([b[s] for s in seeds], dtype=float)
    d = np.round(y - x, 12)
    low = high = None
    if d.size >= 2 and np.ptp(d) > 0:
        interval = stats.ttest_rel(y, x).confidence_interval(1 - alpha)
        low, high = float(interval.low), float(interval.high)
    p = _wilcoxon_p(d)
    mean = float(d.mean()) if d.size else 0.0
    return PairedDifference(
        n_blocks=d.size,
        mean_a=float(x.mean()) if x.size else math.nan,
        mean_b=float(y.mean()) if y.size else math.nan,
        mean_difference=mean,
        ci_low=low,
        ci_high=high,
        wilcoxon_p=p,
        significant=p < alpha,
    )
