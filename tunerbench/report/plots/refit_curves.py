"""The best-epoch refit: the objective per epoch of each tuner's chosen hyperparameters. Over
several seeds each tuner is one curve, the IQM over seeds with its bootstrap band; each seed's
curve and its best epoch (starred) are there on demand (click its legend entry); beyond
``MANY_SEEDS`` seeds, the spread of their curves and how many seeds chose each best epoch. Tuners
that followed another objective than the group's are left out: their curves are of another
scale. Tuners that refit identically (seeded alike, the same hyperparameters) are named and drawn
dashed over each other, and the y axis spans where the curves differ."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go

from tunerbench.records.run_result import RunResult
from tunerbench.report.decision.statistics.descriptive import iqm_band
from tunerbench.report.inputs.labels import environment, in_run_order, variant
from tunerbench.report.inputs.objective import Objective, group_objective
from tunerbench.report.plots.many_seeds import (
    Spread,
    band_resamples,
    many,
    spread,
    spread_trace,
)
from tunerbench.report.plots.style import (
    band_trace,
    colors,
    dashes,
    drawn_alike,
    esc,
    fitted_range,
    line_label,
    seeds_trace,
    tie_dashes,
    tie_note,
    ties,
)


@dataclass(frozen=True)
class RefitCurve:
    variant: str
    environment: str
    seed: int
    val_accuracy: list[float]  # the objective per epoch
    best_epoch: int


@dataclass(frozen=True)
class BestEpochs:
    """The seeds whose refit peaked at one epoch, and the median of their values there."""

    epoch: int
    seeds: int
    value: float


@dataclass(frozen=True)
class RefitSummary:
    """One tuner's refits in one environment: the IQM per epoch over seeds and its 95%
    bootstrap band (None below 3 seeds), and the seeds' own curves. Beyond ``MANY_SEEDS``
    seeds, what is drawn of them instead: their spread per epoch and their best epochs counted
    (else None and [])."""

    variant: str
    environment: str
    iqm: list[float]
    low: list[float] | None
    high: list[float] | None
    curves: list[RefitCurve]
    spread: Spread | None = None
    best_epochs: list[BestEpochs] = field(default_factory=list)


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


def refit_ties(curves: list[RefitCurve]) -> list[list[str]]:
    """Tuners whose refit curves are identical on every seed and environment."""
    drawn: dict[str, list[tuple]] = defaultdict(list)
    for c in curves:
        drawn[c.variant].append((c.environment, c.seed, drawn_alike(c.val_accuracy), c.best_epoch))
    return ties({name: tuple(found) for name, found in drawn.items()})


def refit_summaries(curves: list[RefitCurve]) -> list[RefitSummary]:
    grouped: dict[tuple[str, str], list[RefitCurve]] = defaultdict(list)
    for curve in curves:
        grouped[(curve.variant, curve.environment)].append(curve)
    summaries = []
    for (name, env), group in grouped.items():
        length = min(len(c.val_accuracy) for c in group)
        matrix = np.array([c.val_accuracy[:length] for c in group])
        iqm, low, high = iqm_band(matrix, band_resamples(len(group)))
        summarised = many(len(group))
        summaries.append(
            RefitSummary(
                name,
                env,
                [float(v) for v in iqm],
                None if low is None else [float(v) for v in low],
                None if high is None else [float(v) for v in high],
                group,
                spread(matrix.T) if summarised else None,
                best_epochs(group) if summarised else [],
            )
        )
    return summaries


def best_epochs(curves: list[RefitCurve]) -> list[BestEpochs]:
    """Each best epoch the seeds chose, with how many chose it, in epoch order."""
    values: dict[int, list[float]] = defaultdict(list)
    for c in curves:
        values[c.best_epoch].append(c.val_accuracy[c.best_epoch - 1])
    return [
        BestEpochs(epoch, len(found), float(np.median(found)))
        for epoch, found in sorted(values.items())
    ]


def _counted_best_epochs(
    found: list[BestEpochs], label: str, color: str, objective: Objective
) -> go.Scatter:
    """Many seeds' best epochs as one star per epoch chosen, sized by how many seeds chose it,
    at the median of their values there; on demand with the seeds' spread."""
    most = max(b.seeds for b in found)
    return go.Scatter(
        x=[b.epoch for b in found],
        y=[b.value for b in found],
        mode="markers",
        name=f"{label}: best epochs",
        legendgroup=f"{label} seeds",
        showlegend=False,
        visible="legendonly",
        marker={"symbol": "star", "size": [6 + 14 * (b.seeds / most) ** 0.5 for b in found]},
        marker_color=color,
        text=[f"{b.seeds} seeds" for b in found],
        hovertemplate=f"%{{text}}: best epoch %{{x}}<br>median {esc(objective.name)} "
        "%{y:.4f}<extra></extra>",
    )


def draw_refit(curves: list[RefitCurve], objective: Objective) -> go.Figure:
    palette = colors(c.variant for c in curves)
    styles = dashes(c.environment for c in curves)
    several = len(styles) > 1
    tied = refit_ties(curves)
    dashed = {} if several else tie_dashes(tied)  # several environments: dashes are theirs
    summaries = refit_summaries(curves)
    fig = go.Figure()
    for summary in summaries:
        label = line_label(summary.variant, summary.environment, several)
        color = palette[summary.variant]
        style = {"color": color, "dash": dashed.get(summary.variant, styles[summary.environment])}
        epochs = list(range(1, len(summary.iqm) + 1))
        if summary.low is not None and summary.high is not None:
            band = band_trace(epochs, summary.low, summary.high, color, label, legendgroup=label)
            fig.add_trace(band.update(showlegend=False))
        line = {"mode": "lines", "name": label, "legendgroup": label, "line": style}
        fig.add_trace(go.Scatter(x=epochs, y=summary.iqm, **line))
        fig.add_traces(_seed_traces(summary, label, style, objective))
    drawn = [v for s in summaries for v in (*s.iqm, *(s.low or []), *(s.high or []))]
    seeds = max((len(s.curves) for s in summaries), default=1)
    fig.update_layout(
        title={
            "text": f"Best-epoch refit: {esc(objective.name)} per epoch (stars: best epochs)",
            "subtitle": {"text": f"Identical curves, drawn dashed: {tie_note(tied)}" * bool(tied)},
        },
        xaxis_title="epoch",
        yaxis={
            "title": {"text": f"{esc(objective.name)} ({objective.better})"},
            "range": fitted_range(drawn, maximize=objective.maximize),
        },
        height=440,
        legend_title_text="tuner (IQM over seeds, band: 95% interval):" if seeds > 1 else "tuner:",
    )
    return fig


def _seed_traces(
    summary: RefitSummary, label: str, style: dict[str, str], objective: Objective
) -> list[go.Scatter]:
    """The seeds behind a summary, shown on demand from the legend (a single seed: always): each
    seed's curve with its best epoch starred, or, for many seeds, their spread and one star per
    epoch chosen."""
    group, color, n = f"{label} seeds", style["color"], len(summary.curves)
    epochs = list(range(1, len(summary.iqm) + 1))
    if summary.spread is not None:
        band = spread_trace(
            epochs, summary.spread, color, label, legendgroup=group, visible="legendonly"
        )
        return [band, _counted_best_epochs(summary.best_epochs, label, color, objective)]
    shown = {"legendgroup": group, "visible": True if n == 1 else "legendonly"}
    each = seeds_trace(
        ((list(range(1, len(c.val_accuracy) + 1)), c.val_accuracy) for c in summary.curves),
        f"{label}: each seed, best epoch starred",
        style,
        showlegend=n > 1,
        **shown,
    )
    stars = go.Scatter(
        x=[c.best_epoch for c in summary.curves],
        y=[c.val_accuracy[c.best_epoch - 1] for c in summary.curves],
        mode="markers",
        name=f"{label}: best epochs",
        showlegend=False,
        marker={"symbol": "star", "size": 12, "color": color},
        text=[f"seed {c.seed}" for c in summary.curves],
        hovertemplate=f"%{{text}}: best epoch %{{x}}<br>{esc(objective.name)} "
        "%{y:.4f}<extra></extra>",
        **shown,
    )
    return [each, stars]
