"""How much a replayed comparison can know: a bootstrap over the table's training seeds.

A thousand replay seeds carry no more information about training noise than the table's S
training runs per point: every replay seed that ends at point p reads p's test accuracy from
one of those S runs. Tests over replay seeds alone would treat the thousand as independent and
call differences of the S runs' luck significant. So each bootstrap draw resamples both levels:
the replay seeds (paired: one draw for every tuner) and the table's training runs (with
replacement, one draw shared by every tuner and seed, as the table is one table). The runs are
resampled as whole columns, one draw for every point of a framework's section (the two
frameworks' columns are separate trainings and are drawn apart): every cell trained from a seed
of its own, so the S columns are exchangeable draws of the table, and each bootstrap draw is
another table like it. A replay's outcome in a draw is its chosen point's test accuracy after
its best epoch in the run its final fit is mapped to. What stays fixed is each replay's choice
of point and epoch, so the interval covers the final fits' noise and the table's few runs, not
how a search would have chosen from other curves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

DRAWS = 2000
RNG_SEED = 20261206  # fixed: one report always says the same


@dataclass(frozen=True)
class FinalFit:
    """A replayed pipeline's final fit: the table's row, the run it read, and the chosen
    point's test accuracy after the best epoch in each of the table's runs (column order);
    ``section`` names the part of the table it read (its tuner's framework)."""

    point: int
    run: int
    accuracies: tuple[float, ...]
    section: str = "keras"


@dataclass(frozen=True)
class TableBootstrap:
    """Mean a - b over replay seeds, resampled with the table's training runs: its 95%
    interval, a two-sided bootstrap p, and the shares beyond and within the region."""

    table_seeds: int
    mean_difference: float
    low: float
    high: float
    p: float
    above: float  # P(a - b > rope)
    within: float  # P(|a - b| <= rope)
    below: float  # P(a - b < -rope)

    def beyond(self, a_better: bool) -> bool:
        """The better tuner ahead by more than the region in 95% of the draws."""
        return (self.above if a_better else self.below) >= 0.95

    @property
    def equivalent(self) -> bool:
        return self.within >= 0.95


def table_bootstrap(
    a: Mapping[int, FinalFit], b: Mapping[int, FinalFit], rope: float, draws: int = DRAWS
) -> TableBootstrap | None:
    """The bootstrap of a - b over the seeds both replayed (None without two such seeds or
    when their tables' runs per point differ)."""
    seeds = sorted(set(a) & set(b))
    fits = [a[s] for s in seeds] + [b[s] for s in seeds]
    runs = {len(f.accuracies) for f in fits}
    if len(seeds) < 2 or len(runs) != 1:
        return None
    (s_runs,) = runs
    n = len(seeds)
    rng = np.random.default_rng(RNG_SEED)
    sections, section = np.unique([f.section for f in fits], return_inverse=True)
    columns = np.array([f.run for f in fits])
    accuracy = np.array([f.accuracies for f in fits], dtype=float)  # (2n, S)
    observed = accuracy[np.arange(2 * n), columns]
    # Per draw and section, where each of the table's runs is sent (drawn with replacement).
    mapped = rng.integers(s_runs, size=(draws, len(sections), s_runs))
    redrawn = accuracy[np.arange(2 * n), mapped[:, section, columns]]  # (draws, 2n)
    picks = rng.integers(n, size=(draws, n))
    diffs = redrawn[:, :n] - redrawn[:, n:]
    means = np.take_along_axis(diffs, picks, axis=1).mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    p = min(1.0, 2 * min(np.mean(means <= 0), np.mean(means >= 0)))
    return TableBootstrap(
        table_seeds=s_runs,
        mean_difference=float(np.mean(observed[:n] - observed[n:])),
        low=float(low),
        high=float(high),
        p=float(max(p, 1.0 / draws)),
        above=float(np.mean(means > rope)),
        within=float(np.mean(np.abs(means) <= rope)),
        below=float(np.mean(means < -rope)),
    )
