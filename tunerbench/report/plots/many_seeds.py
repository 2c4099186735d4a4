"""Figures over many seeds. Up to ``MANY_SEEDS`` seeds of a tuner a figure can show each seed's
own curve, and a reader can follow one; beyond it the curves are a smear of thousands of traces
that only weigh the page down (a thousand seeds of five tuners made a 22 MB report). There each
tuner's seeds are summarised by their spread: the median and the 10th to 90th percentiles over
seeds, which is what a reader looked at the smear for. Only figures change: every statistic is
still computed from every seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from tunerbench.report.plots.style import fill_rgba

MANY_SEEDS = 20  # more seeds than this per tuner: their spread, not each seed's curve
SPREAD = (0.1, 0.9)  # the quantiles of the spread's band


def many(seeds: int) -> bool:
    return seeds > MANY_SEEDS


def band_resamples(seeds: int) -> int:
    """Bootstrap resamples of a drawn IQM band: 2,000, or 500 beyond ``MANY_SEEDS`` seeds, where
    the band is narrow and each resample of a thousand seeds' curves costs a thousand times a
    seed's (a 1,000-seed study's anytime bands took minutes). Figures only: no statistic of
    the verdict reads these bands."""
    return 500 if many(seeds) else 2000


@dataclass(frozen=True)
class Spread:
    """Per point of a curve, the median over seeds and the ``SPREAD`` quantiles around it, over
    the seeds that reach that point (NaN where none does)."""

    median: list[float]
    low: list[float]
    high: list[float]


def spread(columns: Sequence[Sequence[float]]) -> Spread:
    """The spread of each column's values (one value per seed that reaches that point; NaN
    values and empty columns leave the point NaN)."""
    rows = []
    for values in columns:
        finite = np.asarray(values, dtype=float)
        finite = finite[np.isfinite(finite)]
        if finite.size:
            rows.append(np.quantile(finite, (0.5, *SPREAD)))
        else:
            rows.append(np.full(3, np.nan))
    median, low, high = (np.vstack(rows).T if rows else np.empty((3, 0))).tolist()
    return Spread(median, low, high)


def spread_trace(
    x: list[float], band: Spread, color: str, label: str, **common: object
) -> go.Scatter:
    """The seeds' 10th to 90th percentiles as a light band (no hover of its own)."""
    low, high = (int(100 * q) for q in SPREAD)
    return go.Scatter(
        x=x + x[::-1],
        y=band.high + band.low[::-1],
        fill="toself",
        fillcolor=fill_rgba(color, 0.08),
        mode="lines",
        line={"width": 0.5, "color": fill_rgba(color, 0.4), "dash": "dot"},
        hoverinfo="skip",
        name=f"{label}: {low}th-{high}th percentile of seeds",
        **common,
    )
