"""About how many seeds would settle a pair of tuners that these seeds leave open, found by
simulating the rule the verdict applies rather than by a formula for another test.

A paired t-test's power on the differences' mean and SD is not the signed-rank test under
Holm's correction, nor baycomp's equivalence rule: one diverged seed inflates the SD (the t-test
then asks for hundreds of seeds where the signed-rank test needs thirty), and a t-test knows
nothing of the region of practical equivalence. So studies of n seeds are drawn by resampling
the observed paired differences, each is judged as the verdict judges a pair (significant at
Holm's first threshold of the family, or practically equivalent by the same posterior), and the
estimate is the fewest seeds at which ``POWER`` of them settle it. The draws are seeded, so a
re-render says the same; each open pair costs well under a second up to a few hundred seeds
and about two seconds near ``MOST_SEEDS``.
"""

from __future__ import annotations

import numpy as np

from tunerbench.report.decision.statistics.equivalence import (
    THRESHOLD,
    posterior_draws,
    region_shares,
)
from tunerbench.report.decision.statistics.seed_counts import MOST_SEEDS, POWER, SeedEstimate
from tunerbench.report.decision.statistics.signed_rank import wilcoxon_p_rows

SIMULATIONS = 100  # simulated studies per seed count: the share settled to about +-0.04
DRAWS = 500  # posterior draws per simulated study: P(equivalent) to about +-0.02
CANDIDATES = 24  # seed counts tried, spaced geometrically up to MOST_SEEDS


def _settles(rows: np.ndarray, rope: float, threshold: float) -> int:
    """How many simulated studies (rows of paired differences) the verdict would settle: a
    difference significant at ``threshold``, or a posterior share within the region of at
    least ``THRESHOLD``. Equal rows are judged once; counting stops once the answer to "at
    least ``POWER``?" is known."""
    unique, counts = np.unique(rows, axis=0, return_counts=True)
    significant = wilcoxon_p_rows(unique) < threshold
    needed = int(np.ceil(POWER * rows.shape[0]))
    settled, left = int(counts[significant].sum()), int(counts[~significant].sum())
    draws = posterior_draws(rows.shape[1], DRAWS)
    for row, count in zip(unique[~significant], counts[~significant], strict=True):
        if settled >= needed or settled + left < needed:
            break
        left -= int(count)
        if region_shares(row, rope, draws)[1] >= THRESHOLD:
            settled += int(count)
    return settled


def _power_reached(d: np.ndarray, n: int, rope: float, threshold: float) -> bool:
    rows = np.random.default_rng([n, d.size]).choice(d, size=(SIMULATIONS, n), replace=True)
    return _settles(rows, rope, threshold) >= POWER * SIMULATIONS


def seeds_to_tell(d: np.ndarray, rope: float, threshold: float, fewest: int) -> SeedEstimate | None:
    """The estimate for the paired differences ``d`` (a - b per seed): at least ``fewest``
    seeds (a clean sweep's minimum, more than ran), found among seed counts spaced
    geometrically up to ``MOST_SEEDS`` (more seeds settle more often). None below two seeds:
    nothing to resample."""
    d = np.asarray(d, dtype=float)
    if d.size < 2:
        return None
    counts = [
        int(n) for n in np.unique(np.geomspace(fewest, max(MOST_SEEDS, fewest), CANDIDATES).round())
    ]
    # Galloping up from the fewest (small answers never pay for a thousand seeds), then
    # bisection between the last count that fell short and the first that reached the power.
    low, high, step = -1, 0, 1
    while not _power_reached(d, counts[high], rope, threshold):
        if high == len(counts) - 1:
            return SeedEstimate(counts[high], reached=False)
        low, step = high, 2 * step
        high = min(high + step, len(counts) - 1)
    while high - low > 1:
        middle = (low + high) // 2
        if _power_reached(d, counts[middle], rope, threshold):
            high = middle
        else:
            low = middle
    return SeedEstimate(counts[high])
