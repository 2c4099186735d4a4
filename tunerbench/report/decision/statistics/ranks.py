"""Ranks over all tuners at once: Friedman's test with Nemenyi's post-hoc test and the critical
difference a CD diagram draws, and each tuner's chance of being the best.

This is a secondary view: its result depends on which other tuners are in the pool, so the
report never marks a tuner from it; the verdict and every mark come from the paired tests."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scikit_posthocs as sp
from scipy import stats

from tunerbench.report.decision.statistics import ALPHA
from tunerbench.report.decision.statistics.descriptive import ScoreTable, complete_blocks


@dataclass(frozen=True)
class RankTest:
    """Friedman test, mean ranks (1 = best), Nemenyi post-hoc p and critical-difference cliques."""

    tuners: list[str]
    n_blocks: int
    alpha: float
    statistic: float  # Friedman chi-square
    p_value: float  # within-seed permutation test of the statistic (exact where it can be)
    p_chi_square: float  # the textbook approximation, poor at few seeds
    mean_rank: dict[str, float]
    nemenyi_p: dict[tuple[str, str], float]  # keyed (a, b) with a before b in table order
    critical_difference: float
    cliques: list[list[str]]  # maximal groups within CD of each other, ordered by mean rank

    def nemenyi(self, a: str, b: str) -> float:
        """Nemenyi p of a against b in either order (KeyError for an unknown pair)."""
        return self.nemenyi_p[(a, b)] if (a, b) in self.nemenyi_p else self.nemenyi_p[(b, a)]


def critical_difference(n_tuners: int, n_blocks: int, alpha: float = ALPHA) -> float:
    """Nemenyi CD = q_alpha * sqrt(k(k+1) / 6N), q_alpha = studentized range quantile / sqrt 2."""
    q = stats.studentized_range.ppf(1 - alpha, n_tuners, np.inf) / math.sqrt(2)
    return float(q * math.sqrt(n_tuners * (n_tuners + 1) / (6 * n_blocks)))


def cd_cliques(mean_rank: Mapping[str, float], cd: float) -> list[list[str]]:
    """Maximal groups whose mean ranks differ by at most ``cd`` (the bars of a CD diagram).

    Sorted by mean rank, such groups are contiguous windows; a window is kept only if it reaches
    further than the previous one (otherwise it is contained in it). Single tuners are not
    reported: a diagram draws no bar for them. Ranks exactly ``cd`` apart count as together.
    """
    order = sorted(mean_rank, key=mean_rank.__getitem__)  # stable: ties keep input order
    cliques: list[list[str]] = []
    last_end = -1
    for i, name in enumerate(order):
        end = i
        while end + 1 < len(order) and mean_rank[order[end + 1]] - mean_rank[name] <= cd:
            end += 1
        if end > last_end and end > i:
            cliques.append(order[i : end + 1])
        last_end = max(last_end, end)
    return cliques


def block_mean_ranks(table: ScoreTable) -> dict[str, float]:
    """Each tuner's rank within every complete block (1 = best; ties share the average rank),
    averaged; empty when no seed has every tuner."""
    tuners, seeds, m = complete_blocks(table)
    if not seeds:
        return {}
    return dict(zip(tuners, map(float, stats.rankdata(-m, axis=1).mean(axis=0)), strict=True))


def friedman_nemenyi(table: ScoreTable, alpha: float = ALPHA) -> RankTest | None:
    """Friedman test over complete blocks with Nemenyi post-hoc; None if k < 3 or N < 2.

    Ranks are taken on the negated matrix so rank 1 is the highest value of a seed (ties share
    the average rank). scikit-posthocs ranks ascending, so it is fed the same negated matrix:
    its p-values would not change either way, but its internal ranks then equal ours.
    """
    tuners, seeds, m = complete_blocks(table)
    k, n = len(tuners), len(seeds)
    if k < 3 or n < 2:
        return None
    mean_rank = dict(zip(tuners, map(float, stats.rankdata(-m, axis=1).mean(axis=0)), strict=True))
    if np.all(m == m[:, :1]):  # every seed a full tie: scipy would divide 0 by 0
        statistic, p_value, p_chi_square = 0.0, 1.0, 1.0
    else:
        result = stats.friedmanchisquare(*m.T)
        statistic, p_chi_square = float(result.statistic), float(result.pvalue)
        p_value = _permutation_p(m)
    nemenyi = sp.posthoc_nemenyi_friedman(-m).to_numpy()
    nemenyi_p = {
        (tuners[i], tuners[j]): float(nemenyi[i, j]) for i, j in itertools.combinations(range(k), 2)
    }
    cd = critical_difference(k, n, alpha)
    return RankTest(
        tuners, n, alpha, statistic, p_value, p_chi_square, mean_rank, nemenyi_p, cd,
        cd_cliques(mean_rank, cd),
    )  # fmt: skip


def _permutation_p(m: np.ndarray) -> float:
    """Friedman's statistic against its distribution under permutations within each seed
    (scipy's permutation_test, paired samples): exact where the permutations are few, 9,999
    seeded draws otherwise. Friedman's chi-square p is poor at few seeds; this one is not.

    Permuting a seed's scores permutes its ranks, and the tie correction stays, so Friedman's
    statistic is an increasing function of the sum of squared rank sums over the permuted
    ranks: that sum orders every permutation alike (the same p), without ranking each
    resample again (20 s at 1,000 seeds)."""
    ranks = stats.rankdata(-m, axis=1)

    def statistic(*columns: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.sum(np.stack([c.sum(axis=axis) for c in columns]) ** 2, axis=0)

    result = stats.permutation_test(
        tuple(ranks.T),
        statistic,
        permutation_type="samples",
        n_resamples=9_999,
        alternative="greater",
        vectorized=True,
        rng=np.random.default_rng(0),
    )
    return float(result.pvalue)


def probability_best(table: ScoreTable, resamples: int = 10_000) -> dict[str, float]:
    """How often each tuner has the highest mean when the seeds every tuner ran are resampled
    (seeded bootstrap; a shared highest mean is split): an honest "P(best)" beside a ranking.
    Empty below two complete seeds."""
    tuners, seeds, m = complete_blocks(table)
    if len(seeds) < 2:
        return {}
    rng = np.random.default_rng(0)
    draws = rng.integers(0, len(seeds), size=(resamples, len(seeds)))
    means = np.round(m[draws].mean(axis=1), 12)  # (resamples, tuners)
    top = means == means.max(axis=1, keepdims=True)
    share = (top / top.sum(axis=1, keepdims=True)).mean(axis=0)
    return {t: float(p) for t, p in zip(tuners, share, strict=True)}
