"""Location and spread of one tuner's per-seed scores (a plain mean and deviation too), and the
complete blocks of a table."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

ScoreTable = Mapping[str, Mapping[int, float]]


def finite(values: Sequence[float]) -> np.ndarray:
    """Values as a float array; NaN/inf are refused because they would poison every statistic."""
    x = np.asarray(values, dtype=float).ravel()
    if not np.all(np.isfinite(x)):
        raise ValueError("values must be finite (drop failed runs before computing statistics)")
    return x


@dataclass(frozen=True)
class Summary:
    """Mean and sample standard deviation (None for a single value) of one quantity."""

    mean: float
    sd: float | None
    n: int

    @classmethod
    def of(cls, values: list[float]) -> Summary:
        """NaN for no values at all (a figure no run could give, shown as a dash)."""
        if not values:
            return cls(math.nan, None, 0)
        sd = statistics.stdev(values) if len(values) > 1 else None
        return cls(statistics.fmean(values), sd, len(values))


@dataclass(frozen=True)
class Description:
    """Location and spread of one tuner's per-seed scores (interval: 95% bootstrap of the IQM)."""

    n: int
    mean: float
    sd: float | None
    median: float
    iqm: float
    iqm_low: float | None
    iqm_high: float | None


def describe(values: Sequence[float], resamples: int = 10_000, seed: int = 0) -> Description:
    """Summarise per-seed scores, with the interquartile mean (IQM) and its bootstrap interval.

    The IQM (``trim_mean(values, 0.25)``) ignores one diverged seed yet uses more data than the
    median. The percentile bootstrap runs with a fixed ``seed`` so a report rendered twice shows
    the same interval. The interval is None when n < 3 or all values are equal (nothing to
    resample). At small n a percentile interval of a trimmed mean can miss the point estimate
    (skewed, discrete bootstrap distribution); it is clipped so ``iqm_low <= iqm <= iqm_high``
    always holds, since a report showing "0.91 [0.92, 0.95]" would contradict itself.
    """
    x = finite(values)
    if x.size == 0:
        raise ValueError("describe() needs at least one value")
    iqm = float(stats.trim_mean(x, 0.25))
    low, high = percentile_interval(
        x, lambda s, axis=-1: stats.trim_mean(s, 0.25, axis=axis), iqm, resamples, seed
    ) or (None, None)
    sd = float(np.std(x, ddof=1)) if x.size >= 2 else None
    return Description(x.size, float(x.mean()), sd, float(np.median(x)), iqm, low, high)


def percentile_interval(
    x: np.ndarray,
    statistic: Callable[..., np.ndarray],
    point: float,
    resamples: int,
    seed: int = 0,
) -> tuple[float, float] | None:
    """95% percentile bootstrap of ``statistic`` over ``x`` (scipy, seeded: a report rendered
    twice agrees), clipped to contain ``point``, since an interval that misses its own estimate
    would contradict itself; None below 3 values or without spread (nothing to resample)."""
    if x.size < 3 or np.ptp(x) == 0:
        return None
    ci = stats.bootstrap(
        (x,),
        statistic,
        n_resamples=resamples,
        confidence_level=0.95,
        method="percentile",
        rng=np.random.default_rng(seed),
    ).confidence_interval
    return min(float(ci.low), point), max(float(ci.high), point)


def iqm_band(
    matrix: np.ndarray, resamples: int = 2_000, seed: int = 0
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """A curve over seeds: per column (a point of the curve), the IQM of the rows (one per seed)
    and its 95% percentile bootstrap interval, resampling seeds (scipy, seeded); no interval
    below 3 seeds. A column holding NaN (a seed's curve not yet started) is NaN throughout.
    """
    m = np.asarray(matrix, dtype=float)
    iqm = np.full(m.shape[1], np.nan)
    complete = np.all(np.isfinite(m), axis=0)
    iqm[complete] = stats.trim_mean(m[:, complete], 0.25, axis=0)
    if m.shape[0] < 3 or not complete.any():
        return iqm, None, None
    low, high = np.full_like(iqm, np.nan), np.full_like(iqm, np.nan)
    spread = complete & (np.ptp(np.where(np.isfinite(m), m, 0.0), axis=0) > 0)
    flat = complete & ~spread
    low[flat] = high[flat] = iqm[flat]
    if spread.any():
        ci = stats.bootstrap(
            (m[:, spread],),
            lambda s, axis=-1: stats.trim_mean(s, 0.25, axis=axis),
            n_resamples=resamples,
            confidence_level=0.95,
            method="percentile",
            axis=0,
            rng=np.random.default_rng(seed),
            # Resamples in batches of about 25M values: a thousand seeds' curves would
            # otherwise need every resample at once (gigabytes), for the same draws.
            batch=max(1, 25_000_000 // m[:, spread].size),
        ).confidence_interval
        low[spread] = np.minimum(ci.low, iqm[spread])
        high[spread] = np.maximum(ci.high, iqm[spread])
    return iqm, low, high


def block_means(table: ScoreTable) -> dict[str, float]:
    """Each tuner's mean over the complete blocks only: what the paired tests compare."""
    tuners, seeds, m = complete_blocks(table)
    return {t: float(m[:, j].mean()) for j, t in enumerate(tuners)} if seeds else {}


def complete_blocks(table: ScoreTable) -> tuple[list[str], list[int], np.ndarray]:
    """Tuners (table order), the seeds every tuner has (sorted), and the [seed, tuner] matrix."""
    tuners = list(table)
    seeds = sorted(set.intersection(*(set(table[t]) for t in tuners))) if tuners else []
    rows = [[float(table[t][s]) for t in tuners] for s in seeds]
    return tuners, seeds, finite(rows).reshape(len(seeds), len(tuners))
