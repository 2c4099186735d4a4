"""One paired comparison outside the tuner family: b - a over the seeds both ran (the two
training loops, or two TensorFlow versions that ran the same seeds)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from tunerbench.report.decision.statistics import ALPHA
from tunerbench.report.decision.statistics.paired import paired_differences
from tunerbench.report.decision.statistics.signed_rank import wilcoxon_p


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
    a: dict[int, float], b: dict[int, float], alpha: float = ALPHA
) -> PairedDifference:
    seeds = sorted(set(a) & set(b))
    x = np.array([a[s] for s in seeds], dtype=float)
    y = np.array([b[s] for s in seeds], dtype=float)
    d = paired_differences(b, a)
    low = high = None
    if d.size >= 2 and np.ptp(d) > 0:
        interval = stats.ttest_rel(y, x).confidence_interval(1 - alpha)
        low, high = float(interval.low), float(interval.high)
    p = wilcoxon_p(d)
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
