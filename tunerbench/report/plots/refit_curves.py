"""The best-epoch refit of each run's best hyperparameters, its best epoch starred."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from tunerbench.records.schema import RunResult
from tunerbench.report.grouping import environment, in_run_order, variant
from tunerbench.report.plots.style import colors, dashes, line_label


@dataclass(frozen=True)
class RefitCurve:
    variant: str
    environment: str
    seed: int
    val_accuracy: list[float]
    best_epoch: int


def refit_data(runs: list[RunResult]) -> list[RefitCurve]:
    return [
        RefitCurve(variant(r), environment(r), r.seed, r.refit_val_accuracy, r.best_epoch)
        for r in in_run_order(runs)
    ]


def draw_refit(curves: list[RefitCurve]) -> go.Figure:
    palette = colors(c.variant for c in curves)
    styles = dashes(c.environment for c in curves)
    several = len(styles) > 1
    fig = go.Figure()
    for curve in curves:
        label = line_label(f"{curve.variant} seed {curve.seed}", curve.environment, several)
        color = palette[curve.variant]
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(curve.val_accuracy) + 1)),
                y=curve.val_accuracy,
                mode="lines",
                name=label,
                legendgroup=label,
                line={"color": color, "dash": styles[curve.environment]},
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[curve.best_epoch],
                y=[curve.val_accuracy[curve.best_epoch - 1]],
                mode="markers",
                name=f"{label}: best epoch {curve.best_epoch}",
                legendgroup=label,
                showlegend=False,
                marker={"symbol": "star", "size": 14, "color": color},
                hovertemplate="best epoch %{x}<br>val_accuracy %{y:.4f}<extra></extra>",
            )
        )
    fig.update_layout(
        title="Best-epoch refit: val_accuracy per epoch (star: best epoch)",
        xaxis_title="epoch",
        yaxis_title="val_accuracy (fraction)",
        height=440,
        legend_title_text="run",
    )
    return fig
