"""What every figure shares: colours per tuner, dashes per environment, escaping, embedding.

Plotly's JavaScript is inlined once per report by the template, so a report opens without
network. Text that comes from result files is HTML-escaped before it reaches Plotly, whose labels
accept a little HTML.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import plotly.graph_objects as go

from tunerbench.report.grouping import sort_environments, sort_variants

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]
DASHES = ["solid", "dash", "dot", "dashdot"]
CONFIG = {"responsive": True, "displaylogo": False}


def esc(text: object) -> str:
    return html.escape(str(text))


def colors(variants: Iterable[str]) -> dict[str, str]:
    return {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(sort_variants(variants))}


def dashes(environments: Iterable[str]) -> dict[str, str]:
    return {e: DASHES[i % len(DASHES)] for i, e in enumerate(sort_environments(environments))}


def fill_rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def joined(curves: Iterable[tuple[list[float], list[float]]]) -> tuple[list, list]:
    """Several curves as one trace, separated by gaps: one legend entry shows them all."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for x, y in curves:
        xs += [*x, None]
        ys += [*y, None]
    return xs, ys


def band_trace(
    x: list[float], low: list[float], high: list[float], color: str, label: str, **common: object
) -> go.Scatter:
    """A 95% interval as a filled band under its curve (no hover of its own)."""
    return go.Scatter(
        x=x + x[::-1],
        y=high + low[::-1],
        fill="toself",
        fillcolor=fill_rgba(color, 0.15),
        line={"width": 0},
        hoverinfo="skip",
        name=f"{label}: 95% interval",
        **common,
    )


def seeds_trace(
    curves: Iterable[tuple[list[float], list[float]]], name: str, style: dict, **common: object
) -> go.Scatter:
    """Every seed's own curve as one thin trace: one legend entry shows or hides them all."""
    xs, ys = joined(curves)
    return go.Scatter(
        x=xs, y=ys, mode="lines", name=name, line={**style, "width": 1}, opacity=0.5, **common
    )


def line_label(variant: str, environment: str, several_environments: bool) -> str:
    """A legend label: the environment is named only when the figure holds several."""
    return esc(f"{variant} ({environment})" if several_environments else variant)


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
