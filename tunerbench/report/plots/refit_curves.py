"""The best-epoch refit: the objective per epoch of each tuner's chosen hyperparameters. Over
several seeds each tuner is one curve, the IQM over seeds with its bootstrap band; each seed's
curve and its best epoch (starred) are there on demand (click its legend entry). Tuners that
followed another objective than the group's are left out: their curves are of another scale."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from tunerbench.records.run_result import RunResult
from tunerbench.report.grouping import environment, in_run_order, variant
from tunerbench.report.objective import Objective, group_objective
from tunerbench.report.plots.style import (
    band_trace,
    colors,
    dashes,
    esc,
    line_label,
    seeds_trace,
)
from tunerbench.report.statistics.descriptive import iqm_band


@dataclass(frozen=True)
class RefitCurve:
    variant: str
    environment: str
    seed: int
    val_accuracy: list[float]  # the objective per epoch
    best_epoch: int


@dataclass(frozen=True)
class RefitSummary:
    """One tuner's refits in one environment: the IQM per epoch over seeds and its 95%
    bootstrap band (None below 3 seeds), and the seeds' own curves."""

    variant: str
    environment: str
    iqm: list[float]
    low: list[float] | None
    high: list[float] | None
    curves: list[RefitCurve]


def refit_data(runs: list[RunResult]) -> list[RefitCurve]:
    """Each seed's refit once (the first run of a repeated seed), of the runs that followed the
    group's objective."""
    seen: set[tuple[str, str, int]] = set()
    curves = []
    for r in in_run_order(group_objective(runs).kept(runs)):
        key = (variant(r), environment(r), r.identity.seed)
        if key not in seen:
            seen.add(key)
            curves.append(RefitCurve(*key, r.search.refit_val_accuracy, r.search.best_epoch))
    return curves


def refit_summaries(curves: list[RefitCurve]) -> list[RefitSummary]:
    grouped: dict[tuple[str, str], list[RefitCurve]] = defaultdict(list)
    for curve in curves:
        grouped[(curve.variant, curve.environment)].append(curve)
    summaries = []
    for (name, env), group in grouped.items():
        length = min(len(c.val_accuracy) for c in group)
        iqm, low, high = iqm_band(np.array([c.val_accuracy[:length] for c in group]))
        summaries.append(
            RefitSummary(
                name,
                env,
                [float(v) for v in iqm],
                None if low is None else [float(v) for v in low],
                None if high is None else [float(v) for v in high],
                group,
            )
        )
    return summaries


def draw_refit(curves: list[RefitCurve], objective: Objective) -> go.Figure:
    palette = colors(c.variant for c in curves)
    styles = dashes(c.environment for c in curves)
    several = len(styles) > 1
    fig = go.Figure()
    for summary in refit_summaries(curves):
        label = line_label(summary.variant, summary.environment, several)
        color = palette[summary.variant]
        style = {"color": color, "dash": styles[summary.environment]}
        epochs = list(range(1, len(summary.iqm) + 1))
        if summary.low is not None and summary.high is not None:
            band = band_trace(epochs, summary.low, summary.high, color, label, legendgroup=label)
            fig.add_trace(band.update(showlegend=False))
        n = len(summary.curves)
        fig.add_trace(
            go.Scatter(
                x=epochs,
                y=summary.iqm,
                mode="lines",
                name=label if n == 1 else f"{label}: IQM of {n} seeds",
                legendgroup=label,
                line=style,
            )
        )
        group = f"{label} seeds"
        each = seeds_trace(
            ((list(range(1, len(c.val_accuracy) + 1)), c.val_accuracy) for c in summary.curves),
            f"{label}: each seed, best epoch starred",
            style,
            legendgroup=group,
            visible=True if n == 1 else "legendonly",
            showlegend=n > 1,
        )
        fig.add_trace(each)
        fig.add_trace(
            go.Scatter(
                x=[c.best_epoch for c in summary.curves],
                y=[c.val_accuracy[c.best_epoch - 1] for c in summary.curves],
                mode="markers",
                name=f"{label}: best epochs",
                legendgroup=group,
                showlegend=False,
                visible=True if n == 1 else "legendonly",
                marker={"symbol": "star", "size": 12, "color": color},
                text=[f"seed {c.seed}" for c in summary.curves],
                hovertemplate=f"%{{text}}: best epoch %{{x}}<br>{esc(objective.name)} "
                "%{y:.4f}<extra></extra>",
            )
        )
    fig.update_layout(
        title=f"Best-epoch refit: {esc(objective.name)} per epoch (IQM over seeds; stars: best "
        "epochs)",
        xaxis_title="epoch",
        yaxis_title=f"{esc(objective.name)} ({objective.better})",
        height=440,
        legend_title_text="tuner",
    )
    return fig
