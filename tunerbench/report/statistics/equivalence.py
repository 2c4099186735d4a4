"""Practical equivalence as a claim of its own: a test that finds no difference never shows that
two tuners are equally good. baycomp's Bayesian signed-rank test with a region of practical
equivalence (ROPE) gives P(a better), P(within the ROPE) and P(b better) from the same paired
seeds; only a high P(within the ROPE) lets the report say "practically equivalent".
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from baycomp import SignedRankTest
from statsmodels.stats.power import TTestIndPower, TTestPower

from tunerbench.report.statistics import ALPHA

THRESHOLD = 0.95  # a claim needs this posterior probability, like a 95% interval
SAMPLES = 20_000  # posterior draws: probabilities to about +-0.003, a fraction of a second
POWER = 0.8
MOST_SEEDS = 1_000  # beyond this the estimate says only "more than that"


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


def equivalence(a: np.ndarray, b: np.ndarray, rope: float) -> Equivalence:
    """``SignedRankTest.probs(a, b, rope)`` in order: a better by more than the ROPE, within it,
    b better by more than it (the order is checked against baycomp in the tests)."""
    if rope <= 0:
        raise ValueError("the region of practical equivalence must be wider than 0")
    left, within, right = SignedRankTest.probs(
        np.asarray(a, float), np.asarray(b, float), rope=rope, nsamples=SAMPLES, random_state=0
    )
    return Equivalence(rope, float(left), float(within), float(right))


def solve_seeds(
    effect: float, alpha: float, alternative: str, power: TTestPower | TTestIndPower
) -> float:
    """Fewest seeds (per sample) at which a t-test of this standardised effect has 80% power,
    read off statsmodels' power function at 2..MOST_SEEDS seeds (its root finder fails for
    large effects); inf where even that many are not enough."""
    if effect <= 0:
        return math.inf
    seeds = np.arange(2, MOST_SEEDS + 1)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        reached = np.nonzero(power.power(effect, seeds, alpha, alternative=alternative) >= POWER)[0]
    return float(seeds[reached[0]]) if reached.size else math.inf


def seeds_to_tell(d: np.ndarray, rope: float, alpha: float, fewest: int) -> int | None:
    """About how many seeds would settle a pair that is neither significant nor equivalent:
    enough for a difference of the observed size at ``alpha`` (Holm's first threshold) or for
    the observed difference to fall inside the ROPE (one-sided, as each half of an equivalence
    test), whichever is fewer; at least ``fewest``, the seeds a clean sweep needs. A paired
    t-test's power stands in for the signed-rank test's (about 95% as efficient on normal data).
    None where the seeds show no spread to extrapolate from."""
    if d.size < 2 or np.ptp(d) == 0:
        return None
    sd, mean = float(np.std(d, ddof=1)), abs(float(np.mean(d)))
    n = min(
        solve_seeds(mean / sd, alpha, "two-sided", TTestPower()),
        solve_seeds((rope - mean) / sd, ALPHA, "larger", TTestPower()),
    )
    if not math.isfinite(n):
        return None
    return min(MOST_SEEDS, max(fewest, math.ceil(n)))
