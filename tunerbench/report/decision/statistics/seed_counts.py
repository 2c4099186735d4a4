"""How many seeds a paired Wilcoxon test needs: a clean sweep's exact p at n seeds, and the
fewest seeds at which it passes a threshold such as Holm's first step. Below that many seeds no
pair can be called different whatever the scores, which the verdict says instead of a p. Also
the power every seed estimate aims at, the most seeds one names, and a t-test's seeds for that
power (the versions' estimate)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from statsmodels.stats.power import TTestIndPower, TTestPower

from tunerbench.report.decision.statistics import ALPHA

POWER = 0.8  # the share of studies a seed estimate must settle
MOST_SEEDS = 1_000  # beyond this an estimate says only "more than that"


@dataclass(frozen=True)
class SeedEstimate:
    """The fewest seeds that settle a pair in ``POWER`` of simulated studies; where even
    ``seeds`` do not (``reached`` False), the answer is "more than ``seeds``"."""

    seeds: int
    reached: bool = True


def min_wilcoxon_p(n_blocks: int) -> float:
    """Smallest two-sided exact Wilcoxon p with n blocks (a clean sweep): 2 / 2**n, at most 1."""
    return min(1.0, 2.0 / 2.0**n_blocks)


def seeds_needed(n_tuners: int, alpha: float = ALPHA) -> int:
    """Fewest seeds at which a clean sweep survives Holm's first step, alpha / (k(k-1)/2).

    Holm's strictest threshold is what the smallest p of the family must beat, so below this
    many seeds no pair can ever be called significantly different (e.g. 5 tuners -> 9 seeds).
    """
    if n_tuners < 2 or not 0 < alpha < 1:
        raise ValueError("need n_tuners >= 2 and 0 < alpha < 1")
    return seeds_for(alpha / math.comb(n_tuners, 2))


def seeds_for(threshold: float) -> int:
    """Fewest seeds whose clean sweep has an exact p below ``threshold``."""
    n = 1
    while min_wilcoxon_p(n) >= threshold:
        n += 1
    return n


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
