"""The report's figures, drawn with Plotly and embedded as HTML fragments.

Plotly's JavaScript is inlined once per report by the template, so a report opens without network.
Every figure has a title, axis titles with units and a legend. Text that comes from result files is
HTML-escaped before it reaches Plotly, whose labels accept a little HTML.
"""

from __future__ import annotations

import html
import math
from collections import defaultdict

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tunerbench.records.schema import RunResult
from tunerbench.report.grouping import (
    best_so_far,
    environment,
    in_run_order,
    on_grid,
    sort_environments,
    sort_variants,
    variant,
)
from tunerbench.space import LEARNING_RATES

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]
DASHES = ["solid", "dash", "dot", "dashdot"]
WIDTH = 1180
CONFIG = {"responsive": True, "displaylogo": False}


def _esc(text: object) -> str:
    return html.escape(str(text))


def _colors(runs: list[RunResult]) -> dict[str, str]:
    return {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(sort_variants(map(variant, runs)))}


def _dashes(runs: list[RunResult]) -> dict[str, str]:
    envs = sort_environments(map(environment, runs))
    return {e: DASHES[i % len(DASHES)] for i, e in enumerate(envs)}


def _label(run_variant: str, env: str, several_envs: bool) -> str:
    return _esc(f"{run_variant} ({env})" if several_envs else run_variant)


def to_html(fig: go.Figure, div_id: str) -> str:
    """A div of the figure's own height (plotly's default of 100% collapses or balloons)."""
    fig.update_layout(template="plotly_white", autosize=True)
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        config=CONFIG,
        div_id=div_id,
        default_height=f"{fig.layout.height}px",
        default_width="100%",
    )


def _fill_rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def anytime(runs: list[RunResult], div_id: str) -> str:
    """Best-so-far val_accuracy against wall seconds and against cumulative training epochs."""
    colors, dashes = _colors(runs), _dashes(runs)
    several_envs = len(dashes) > 1
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("against search wall-clock time", "against training epochs spent"),
        horizontal_spacing=0.08,
    )
    by_line: dict[tuple[str, str], list[RunResult]] = defaultdict(list)
    for run in runs:
        by_line[(variant(run), environment(run))].append(run)
    for (name, env), line_runs in sorted(by_line.items()):
        label = _label(name, env, several_envs)
        for col, axis in ((1, "wall"), (2, "epochs")):
            curves = [best_so_far(r.trials, axis) for r in line_runs]
            curves = [c for c in curves if c[0]]
            if not curves:
                continue
            style = {"color": colors[name], "dash": dashes[env], "shape": "hv"}
            if len(curves) == 1:
                xs, ys = curves[0]
                fig.add_trace(
                    go.Scatter(x=xs, y=ys, mode="lines+markers", name=label, legendgroup=label,
                               showlegend=col == 1, line=style, marker={"size": 5}),
                    row=1, col=col,
                )  # fmt: skip
                continue
            grid, mean, low, high = on_grid(curves)
            band = _fill_rgba(colors[name], 0.15)
            fig.add_trace(
                go.Scatter(x=list(grid) + list(grid[::-1]), y=list(high) + list(low[::-1]),
                           fill="toself", fillcolor=band, line={"width": 0}, hoverinfo="skip",
                           name=f"{label}: min-max over {len(curves)} seeds", legendgroup=label,
                           showlegend=col == 1),
                row=1, col=col,
            )  # fmt: skip
            fig.add_trace(
                go.Scatter(x=grid, y=mean, mode="lines", name=f"{label}: mean of {len(curves)}",
                           legendgroup=label, showlegend=col == 1, line=style),
                row=1, col=col,
            )  # fmt: skip
    fig.update_xaxes(title_text="search wall-clock time (s)", row=1, col=1)
    fig.update_xaxes(title_text="cumulative training epochs", row=1, col=2)
    fig.update_yaxes(title_text="best val_accuracy so far (fraction)", row=1, col=1)
    fig.update_layout(
        title="Anytime performance: best validation accuracy found so far",
        height=460,
        legend_title_text="tuner",
    )
    return to_html(fig, div_id)


def searched(runs: list[RunResult], div_id: str) -> str:
    """Every trial in the units x learning-rate plane, coloured by its val_accuracy."""
    names = sort_variants(map(variant, runs))
    cols = min(len(names), 3)
    rows = math.ceil(len(names) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[_esc(n) for n in names],
        horizontal_spacing=0.07,
        vertical_spacing=0.18,
    )
    scores = [t.val_accuracy for r in runs for t in r.trials if t.val_accuracy is not None]
    low, high = (min(scores), max(scores)) if scores else (0.0, 1.0)
    for index, name in enumerate(names):
        row, col = index // cols + 1, index % cols + 1
        trials = [(r, t) for r in runs if variant(r) == name for t in r.trials]
        ok = [(r, t) for r, t in trials if t.val_accuracy is not None]
        failed = [(r, t) for r, t in trials if t.val_accuracy is None]
        fig.add_trace(
            go.Scatter(
                x=[t.hyperparameters.get("units") for _, t in ok],
                y=[t.hyperparameters.get("learning_rate") for _, t in ok],
                mode="markers",
                name="trial (colour: val_accuracy)",
                showlegend=index == 0,
                legendgroup="trials",
                marker={"size": 10, "opacity": 0.75, "color": [t.val_accuracy for _, t in ok],
                        "coloraxis": "coloraxis", "line": {"width": 0.5, "color": "#333"}},
                text=[_esc(f"{environment(r)}, seed {r.seed}, trial {t.trial_id}, "
                           f"{t.epochs} epochs") for r, t in ok],
                hovertemplate="units %{x}<br>learning rate %{y}<br>"
                              "val_accuracy %{marker.color:.4f}<br>%{text}<extra></extra>",
            ),
            row=row, col=col,
        )  # fmt: skip
        if failed:
            fig.add_trace(
                go.Scatter(
                    x=[t.hyperparameters.get("units") for _, t in failed],
                    y=[t.hyperparameters.get("learning_rate") for _, t in failed],
                    mode="markers", name="failed trial", legendgroup="failed",
                    marker={"symbol": "x", "size": 10, "color": "#888"},
                    text=[_esc(t.message or "") for _, t in failed],
                    hovertemplate="failed: %{text}<extra></extra>",
                ),
                row=row, col=col,
            )  # fmt: skip
        fig.update_xaxes(title_text="units (hidden layer width)", range=[0, 256], row=row, col=col)
        fig.update_yaxes(
            title_text="learning rate (log scale)",
            type="log",
            tickvals=LEARNING_RATES,
            ticktext=[f"{v:g}" for v in LEARNING_RATES],
            row=row,
            col=col,
        )
    fig.update_layout(
        title="Where each tuner searched (colour: trial val_accuracy)",
        height=330 * rows + 80,
        coloraxis={"colorscale": "Viridis", "cmin": low, "cmax": high,
                   "colorbar": {"title": {"text": "val_accuracy"}}},
        legend={"orientation": "h", "y": -0.12},
    )  # fmt: skip
    return to_html(fig, div_id)


def refit(runs: list[RunResult], div_id: str) -> str:
    """The 30-epoch refit of each run's best hyperparameters, its best epoch starred."""
    colors, dashes = _colors(runs), _dashes(runs)
    several_envs = len(dashes) > 1
    fig = go.Figure()
    for run in in_run_order(runs):
        name, env = variant(run), environment(run)
        label = _label(f"{name} seed {run.seed}", env, several_envs)
        epochs = list(range(1, len(run.refit_val_accuracy) + 1))
        style = {"color": colors[name], "dash": dashes[env]}
        fig.add_trace(
            go.Scatter(x=epochs, y=run.refit_val_accuracy, mode="lines", name=label,
                       legendgroup=label, line=style)
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(x=[run.best_epoch], y=[run.refit_val_accuracy[run.best_epoch - 1]],
                       mode="markers", name=f"{label}: best epoch {run.best_epoch}",
                       legendgroup=label, showlegend=False,
                       marker={"symbol": "star", "size": 14, "color": colors[name]},
                       hovertemplate="best epoch %{x}<br>val_accuracy %{y:.4f}<extra></extra>")
        )  # fmt: skip
    fig.update_layout(
        title="Best-epoch refit: val_accuracy per epoch (star: best epoch)",
        xaxis_title="epoch",
        yaxis_title="val_accuracy (fraction)",
        height=440,
        legend_title_text="run",
    )
    return to_html(fig, div_id)


def time_breakdown(runs: list[RunResult], div_id: str) -> str:
    """Mean wall seconds of search, refit and final fit per tuner (and environment)."""
    several_envs = len({environment(r) for r in runs}) > 1
    rows: dict[str, list[RunResult]] = defaultdict(list)
    order = {name: i for i, name in enumerate(sort_variants(map(variant, runs)))}
    for run in sorted(runs, key=lambda r: (order[variant(r)], environment(r))):
        rows[_label(variant(run), environment(run), several_envs)].append(run)
    labels = list(rows)
    fig = go.Figure()
    for phase, color in (("search", "#1f77b4"), ("refit", "#ff7f0e"), ("final", "#2ca02c")):
        means = [
            sum(r.phases[phase].wall_s for r in rows[label]) / len(rows[label]) for label in labels
        ]
        fig.add_trace(
            go.Bar(y=labels, x=means, name=phase, orientation="h", marker_color=color,
                   hovertemplate=f"{phase}: %{{x:.1f}} s<extra>%{{y}}</extra>")
        )  # fmt: skip
    fig.update_layout(
        barmode="stack",
        title="Time breakdown: mean wall seconds per phase",
        xaxis_title="wall-clock time (s)",
        yaxis={"title": {"text": "tuner"}, "autorange": "reversed"},
        height=120 + 40 * len(labels),
        legend_title_text="phase",
    )
    return to_html(fig, div_id)


def memory(runs: list[RunResult], div_id: str) -> str:
    """Resident memory after each trial, in the order trials finished, one line per run."""
    colors, dashes = _colors(runs), _dashes(runs)
    several_envs = len(dashes) > 1
    fig = go.Figure()
    for run in in_run_order(runs):
        trials = sorted(run.trials, key=lambda t: t.finished_at_s)
        points = [(i + 1, t.rss_mb) for i, t in enumerate(trials) if t.rss_mb is not None]
        if not points:
            continue
        name, env = variant(run), environment(run)
        fig.add_trace(
            go.Scatter(x=[p[0] for p in points], y=[p[1] for p in points], mode="lines+markers",
                       name=_label(f"{name} seed {run.seed}", env, several_envs),
                       line={"color": colors[name], "dash": dashes[env]}, marker={"size": 4})
        )  # fmt: skip
    fig.update_layout(
        title="Memory: resident set size after each trial",
        xaxis_title="trial (in the order trials finished)",
        yaxis_title="RSS (MB)",
        height=400,
        legend_title_text="run",
    )
    return to_html(fig, div_id)
