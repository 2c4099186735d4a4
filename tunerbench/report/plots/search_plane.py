"""Where each tuner searched: every trial in the plane of two hyperparameters (units x learning
rate for the reference MLP, the space's first two otherwise), coloured by its value of the
group's objective (the better end of the scale alike whichever way is better), failed trials
marked apart. A tuner that followed another objective keeps its panel, its trials uncoloured.
Beyond ``MANY_SEEDS`` runs of a tuner, its trials at one point are one marker, sized by their
number and coloured by their median (a thousand seeds' trials would be tens of thousands of
markers stacked on the same points)."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tunerbench.records.run_result import RunResult
from tunerbench.report.inputs.labels import environment, sort_variants, variant
from tunerbench.report.inputs.objective import Objective, group_objective
from tunerbench.report.plots.many_seeds import many
from tunerbench.report.plots.style import esc


@dataclass(frozen=True)
class PlanePoint:
    x: float | None
    y: float | None
    val_accuracy: float | None  # its objective's value; None: the trial failed
    label: str  # where the trial comes from (environment, seed, trial id, epochs)
    message: str | None = None
    trials: int = 1  # beyond MANY_SEEDS runs: the trials at this point (the value their median)


@dataclass(frozen=True)
class SearchPlaneData:
    panels: dict[str, list[PlanePoint]]  # per tuner, in report order
    x_name: str
    y_name: str
    y_values: list[float]  # the y values trials took, for the ticks of a log axis
    low: float  # the colour scale's ends: the lowest and highest trial value of the objective
    high: float
    objective: Objective  # what the colours are of, and which way is better
    off_scale: dict[str, Objective]  # panels of another objective: not on the colour scale


def _axes(runs: list[RunResult]) -> tuple[str, str]:
    """The plane's two hyperparameters: units and learning rate where the space has them (the
    reference MLP's), else the first two the trials name."""
    names = list(dict.fromkeys(k for r in runs for t in r.search.trials for k in t.hyperparameters))
    if {"units", "learning_rate"} <= set(names):
        return "units", "learning_rate"
    first, second, *_ = [*names, "", ""]
    return first, second


def search_plane_data(runs: list[RunResult]) -> SearchPlaneData:
    """Every trial of every run, by tuner; the colour scale spans the trials of the runs that
    followed the group's objective."""
    compared = group_objective(runs)
    panels: dict[str, list[PlanePoint]] = {name: [] for name in sort_variants(map(variant, runs))}
    x_name, y_name = _axes(runs)
    for run in runs:
        for t in run.search.trials:
            panels[variant(run)].append(
                PlanePoint(
                    t.hyperparameters.get(x_name),
                    t.hyperparameters.get(y_name),
                    t.val_accuracy,
                    f"{environment(run)}, seed {run.identity.seed}, trial {t.trial_id}, "
                    f"{t.epochs} epochs",
                    t.message,
                )
            )
    scores = [
        p.val_accuracy
        for name, ps in panels.items()
        if name not in compared.others
        for p in ps
        if p.val_accuracy is not None
    ]
    counts = Counter(map(variant, runs))
    panels = {
        name: _per_point(points) if many(counts[name]) else points
        for name, points in panels.items()
    }
    low, high = (min(scores), max(scores)) if scores else (0.0, 1.0)
    ys = sorted({p.y for ps in panels.values() for p in ps if isinstance(p.y, int | float)})
    return SearchPlaneData(
        panels, x_name, y_name, ys, low, high, compared.objective, compared.others
    )


def _per_point(points: list[PlanePoint]) -> list[PlanePoint]:
    """A tuner's trials as one point per place they were at, failed trials apart: how many,
    and the median of their values."""
    at: dict[tuple[object, object, bool], list[PlanePoint]] = defaultdict(list)
    for p in points:
        at[(p.x, p.y, p.val_accuracy is None)].append(p)
    merged = []
    for (x, y, failed), found in at.items():
        n = len(found)
        label = f"{n} trials here, their median" if n > 1 else found[0].label
        if failed:
            message = f"{found[0].message or ''} ({n} trials here)" if n > 1 else found[0].message
            merged.append(PlanePoint(x, y, None, label, message, n))
        else:
            median = statistics.median(p.val_accuracy for p in found if p.val_accuracy is not None)
            merged.append(PlanePoint(x, y, median, label, None, n))
    return merged


def _sizes(points: list[PlanePoint]) -> int | list[float]:
    """Markers of single trials at one size; merged ones by the square root of their count."""
    most = max((p.trials for p in points), default=1)
    if most == 1:
        return 10
    return [6 + 14 * math.sqrt(p.trials / most) for p in points]


def _trials_trace(data: SearchPlaneData, points: list[PlanePoint], first: bool) -> go.Scatter:
    return go.Scatter(
        x=[p.x for p in points],
        y=[p.y for p in points],
        mode="markers",
        name=f"trial (colour: {esc(data.objective.name)})",
        showlegend=first,
        legendgroup="trials",
        marker={
            "size": _sizes(points),
            "opacity": 0.75,
            "color": [p.val_accuracy for p in points],
            "coloraxis": "coloraxis",
            "line": {"width": 0.5, "color": "#333"},
        },
        text=[esc(p.label) for p in points],
        hovertemplate=f"{esc(data.x_name)} %{{x}}<br>{esc(data.y_name)} %{{y}}<br>"
        f"{esc(data.objective.name)} %{{marker.color:.4f}}<br>%{{text}}<extra></extra>",
    )


def _off_scale_trace(
    data: SearchPlaneData, points: list[PlanePoint], objective: Objective, first: bool
) -> go.Scatter:
    """Trials scored by another objective than the colour scale's: drawn plain, their own value
    named on hover."""
    return go.Scatter(
        x=[p.x for p in points],
        y=[p.y for p in points],
        mode="markers",
        name=f"trial of another objective than {esc(data.objective.name)} (not coloured)",
        showlegend=first,
        legendgroup="off-scale",
        marker={"size": _sizes(points), "opacity": 0.75, "color": "#bbb", "line": {"width": 0.5}},
        customdata=[p.val_accuracy for p in points],
        text=[esc(p.label) for p in points],
        hovertemplate=f"{esc(data.x_name)} %{{x}}<br>{esc(data.y_name)} %{{y}}<br>"
        f"{esc(objective.name)} %{{customdata:.4f}}<br>%{{text}}<extra></extra>",
    )


def _failed_trace(points: list[PlanePoint]) -> go.Scatter:
    return go.Scatter(
        x=[p.x for p in points],
        y=[p.y for p in points],
        mode="markers",
        name="failed trial",
        legendgroup="failed",
        marker={"symbol": "x", "size": _sizes(points), "color": "#888"},
        text=[esc(p.message or "") for p in points],
        hovertemplate="failed: %{text}<extra></extra>",
    )


def _y_axis(data: SearchPlaneData) -> dict[str, Any]:
    """A log axis ticked at the values tried where they span a factor of 100 or more (learning
    rates), a linear one otherwise."""
    ys = data.y_values
    if ys and ys[0] > 0 and ys[-1] / ys[0] >= 100:
        ticks = {"tickvals": ys, "ticktext": [f"{v:g}" for v in ys]} if len(ys) <= 8 else {}
        return {"title_text": f"{esc(data.y_name)} (log scale)", "type": "log", **ticks}
    return {"title_text": esc(data.y_name)}


def draw_search_plane(data: SearchPlaneData) -> go.Figure:
    names = list(data.panels)
    cols = min(len(names), 3)
    rows = math.ceil(len(names) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[esc(n) for n in names],
        horizontal_spacing=0.07,
        vertical_spacing=0.18,
    )
    # Each kind of trial in the legend once, from its first panel.
    first_on = next((n for n in names if n not in data.off_scale), None)
    first_off = next((n for n in names if n in data.off_scale), None)
    for index, name in enumerate(names):
        row, col = index // cols + 1, index % cols + 1
        ok = [p for p in data.panels[name] if p.val_accuracy is not None]
        failed = [p for p in data.panels[name] if p.val_accuracy is None]
        if name in data.off_scale:
            trace = _off_scale_trace(data, ok, data.off_scale[name], name == first_off)
        else:
            trace = _trials_trace(data, ok, name == first_on)
        fig.add_trace(trace, row=row, col=col)
        if failed:
            fig.add_trace(_failed_trace(failed), row=row, col=col)
        fig.update_xaxes(title_text=esc(data.x_name), row=row, col=col)
        fig.update_yaxes(**_y_axis(data), row=row, col=col)
    fig.update_layout(
        title=f"Where each tuner searched (colour: trial {esc(data.objective.name)})",
        height=330 * rows + 80,
        coloraxis={
            "colorscale": "Viridis",
            # The better end yellow whichever way is better.
            "reversescale": not data.objective.maximize,
            "cmin": data.low,
            "cmax": data.high,
            "colorbar": {"title": {"text": esc(data.objective.described)}},
        },
    )
    return fig
