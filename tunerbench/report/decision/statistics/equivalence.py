"""Practical equivalence as a claim of its own: a test that finds no difference never shows that
two tuners are equally good. baycomp's Bayesian signed-rank test with a region of practical
equivalence (ROPE) gives P(a better), P(within the ROPE) and P(b better) from the same paired
seeds; only a high P(within the ROPE) lets the report say "practically equivalent", and only a
high P(better) lets it say a difference is larger than the region.

baycomp draws the posterior's Dirichlet weights and then, in a Python loop over every draw,
sums an (n+1) x (n+1) outer product: 1.5 s for one pair at 200 seeds, 50 s at 1,000. The same
sums are taken here from the same draws (``RandomState(seed).dirichlet``, the prior's
pseudo-observation first) in O(n) per draw: with the differences sorted, the pairs (i, j) whose
Walsh sum lies above the region are, for each i, a suffix of j, because floating-point addition
is monotone; so each draw's mass is a weighted sum of prefix sums. The tests check the result
against baycomp's own.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

THRESHOLD = 0.95  # a claim needs this posterior probability, like a 95% interval
SAMPLES = 20_000  # posterior draws: probabilities to about +-0.003, a fraction of a second
PRIOR = 0.5  # baycomp's weight of the pseudo-observation at 0 (SignedRankTest's default)
_ROWS = 256  # Walsh sums compared a block of rows at a time: bounded memory at any n
_DRAWS = 2_000  # posterior draws gathered at a time: bounded memory at any n


@dataclass(frozen=True)
class Equivalence:
    """baycomp's posterior for a - b with a ROPE of +-rope (seeded, so a re-render agrees)."""

    rope: float
    p_a_better: float
    p_equivalent: float
    p_b_better: float

    @property
    def equivalent(self) -> bool:
        return self.p_equivalent >= THRESHOLD

    def beyond(self, a_side: bool) -> bool:
        """Whether a (``a_side``) or b is better by more than the region, with the posterior
        probability a claim needs."""
        return (self.p_a_better if a_side else self.p_b_better) >= THRESHOLD


@functools.lru_cache(maxsize=2)
def posterior_draws(n: int, samples: int, seed: int = 0) -> np.ndarray:
    """baycomp's Dirichlet draws for n paired differences: ``samples`` x (n + 1), the prior's
    pseudo-observation first, from ``RandomState(seed)`` exactly as ``SignedRankTest.sample``
    draws them. They depend on n alone, so the pairs of one study share them (read-only)."""
    weights = np.ones(n + 1)
    weights[0] = PRIOR
    draws = np.random.RandomState(seed).dirichlet(weights, samples)
    draws.flags.writeable = False
    return draws


def _walsh_counts(diff: np.ndarray, limit: float) -> tuple[np.ndarray, ...]:
    """For each sorted difference i, how many j have diff_i + diff_j above ``limit``, at least
    ``limit``, below ``-limit`` and at most ``-limit`` (each a suffix or prefix of j)."""
    counts = np.empty((4, diff.size), dtype=np.intp)
    for start in range(0, diff.size, _ROWS):
        sums = diff[start : start + _ROWS, None] + diff[None, :]
        block = slice(start, start + _ROWS)
        counts[0, block] = np.count_nonzero(sums > limit, axis=1)
        counts[1, block] = np.count_nonzero(sums >= limit, axis=1)
        counts[2, block] = np.count_nonzero(sums < -limit, axis=1)
        counts[3, block] = np.count_nonzero(sums <= -limit, axis=1)
    return tuple(counts)


def region_shares(differences: np.ndarray, rope: float, draws: np.ndarray) -> np.ndarray:
    """baycomp's ``SignedRankTest.probs`` for ``differences`` (y - x, without the prior's
    pseudo-observation) and its posterior ``draws``: the shares of draws in which y - x below
    the region, within it, or above it holds the most mass."""
    diff = np.concatenate(([0.0], np.asarray(differences, dtype=float)))
    order = np.argsort(diff, kind="stable")
    diff, n = diff[order], diff.size
    above, at_least, below, at_most = _walsh_counts(diff, 2 * rope)
    winners = np.empty(draws.shape[0], dtype=np.intp)
    for start in range(0, draws.shape[0], _DRAWS):
        w = draws[start : start + _DRAWS][:, order]
        # cum[:, k]: the weight of the k smallest differences.
        cum = np.concatenate((np.zeros((w.shape[0], 1)), np.cumsum(w, axis=1)), axis=1)
        total = cum[:, -1:]
        upper = total - cum[:, n - above] + 0.5 * (cum[:, n - above] - cum[:, n - at_least])
        lower = cum[:, below] + 0.5 * (cum[:, at_most] - cum[:, below])
        left, right = np.sum(w * lower, axis=1), np.sum(w * upper, axis=1)
        masses = np.stack((left, -left - right + 1, right), axis=1)  # baycomp's expression
        winners[start : start + w.shape[0]] = np.argmax(masses, axis=1)
    return np.bincount(winners, minlength=3) / winners.size


def equivalence(a: np.ndarray, b: np.ndarray, rope: float) -> Equivalence:
    """``SignedRankTest.probs(a, b, rope)`` in order: a better by more than the ROPE, within it,
    b better by more than it (checked against baycomp in the tests)."""
    if rope <= 0:
        raise ValueError("the region of practical equivalence must be wider than 0")
    y_minus_x = np.asarray(b, float) - np.asarray(a, float)
    left, within, right = region_shares(y_minus_x, rope, posterior_draws(y_minus_x.size, SAMPLES))
    return Equivalence(rope, float(left), float(within), float(right))
