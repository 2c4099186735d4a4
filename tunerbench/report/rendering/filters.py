"""The templates' filters: every number formatted alike in every table and sentence, and every
conversion of a unit (a fraction of accuracy to points, seconds to minutes, a share to percent)
named here, so no template computes a figure of its own."""

from __future__ import annotations

import math
from typing import Any

import markupsafe

from tunerbench.report.decision.statistics.descriptive import Description, Summary


def fmt_number(value: float | None, digits: int = 4) -> str:
    if value is None:
        return ""
    return "\u2013" if math.isnan(value) else f"{value:.{digits}f}"  # an en dash


def fmt_summary(summary: Summary, digits: int = 4) -> str:
    """Mean ± sample standard deviation, or the mean alone for a single value."""
    if summary.sd is None or math.isnan(summary.mean):
        return fmt_number(summary.mean, digits)
    return f"{summary.mean:.{digits}f} ± {summary.sd:.{digits}f}"


def fmt_description(description: Description, digits: int = 4) -> str:
    """Mean ± sample standard deviation of a Description (the mean alone for one value)."""
    return fmt_summary(Summary(description.mean, description.sd, description.n), digits)


def fmt_iqm(description: Description, digits: int = 4) -> str:
    """The interquartile mean with its 95% bootstrap interval, where there is one."""
    if description.iqm_low is None or description.iqm_high is None:
        return fmt_number(description.iqm, digits)
    return (
        f"{description.iqm:.{digits}f} [{description.iqm_low:.{digits}f}, "
        f"{description.iqm_high:.{digits}f}]"
    )


def fmt_p(value: float | None) -> str:
    """A p-value: four decimals, or three significant digits below 0.001."""
    if value is None:
        return ""
    return f"{value:.3g}" if value < 0.001 else f"{value:.4f}"


def fmt_ratio(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}x"


def fmt_hyperparameters(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


def fmt_points(value: float | None) -> str:
    """A difference in accuracy as percentage points, signed where it is not 0."""
    if value is None:
        return ""
    points = 100 * value
    return f"{points:+.2f}" if round(points, 2) != 0 else "0.00"


def in_points(fraction: float) -> float:
    """A fraction of accuracy (a region, a change) in percentage points, to be formatted."""
    return 100 * fraction


def in_percent(share: float) -> float:
    """A share (of the budget, of a bound reached) in percent, to be formatted."""
    return 100 * share


def in_minutes(seconds: float) -> float:
    """Seconds in minutes, to be formatted."""
    return seconds / 60


def squash(text: str) -> str:
    """A macro's output on one line (its template is wrapped for reading); stays safe HTML."""
    joined = " ".join(str(text).split())
    return markupsafe.Markup(joined) if isinstance(text, markupsafe.Markup) else joined
