"""What every figure shares: colours per tuner, dashes per environment, escaping, embedding.

Plotly's JavaScript is inlined once per report by the template, so a report opens without
network. Text that comes from result files is HTML-escaped before it reaches Plotly, whose labels
accept a little HTML. Legends sit below their plot, horizontal, so a phone's width goes to the
plot; on a narrow screen the report's script (``report.html.j2``) swaps in each figure's narrow
layout, computed here: a wrapped title, thin margins, and side-by-side panels stacked.
"""

from __future__ import annotations

import html
import json
import math
import textwrap
from collections.abc import Hashable, Iterable
from typing import Any

import numpy as np
import plotly.graph_objects as go

from tunerbench.report.inputs.labels import sort_environments, sort_variants

# Below the plot, across: ``yref="container"`` keeps it clear of the x-axis title, and Plotly
# pushes the bottom margin up to fit it, so it never needs a scroll bar of its own.
LEGEND = {
    "orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0,
    "title": {"side": "top"},  # its own line: the entries get the whole width
}  # fmt: skip
NARROW_TITLE = 38  # characters per title line on a narrow screen
PANEL_PX = 260  # a stacked panel's height on a narrow screen
PANEL_GAP_PX = 110  # room between stacked panels for a title above and an axis title below
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
        mode="lines",
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


def ties(drawn: dict[str, Hashable]) -> list[list[str]]:
    """Names whose drawn data are identical, in groups of two or more (in ``drawn``'s order):
    their lines lie on top of each other, so the figure must say so or one seems missing."""
    groups: dict[Hashable, list[str]] = {}
    for name, data in drawn.items():
        groups.setdefault(data, []).append(name)
    return [names for names in groups.values() if len(names) > 1]


def drawn_alike(values: Iterable[float]) -> tuple[float | None, ...]:
    """Values as a comparable key for ``ties``: NaN (no value yet) as None, since NaN never
    equals NaN."""
    return tuple(None if math.isnan(v) else float(v) for v in values)


def tie_note(groups: list[list[str]]) -> str:
    """``"random = bayesian"`` per group of identical lines, for a figure's subtitle."""
    return "; ".join(" = ".join(map(esc, names)) for names in groups)


def tie_dashes(groups: list[list[str]]) -> dict[str, str]:
    """A dash per tuner after the first of each tie, so the line underneath shows through."""
    return {name: DASHES[1 + i % 3] for names in groups for i, name in enumerate(names[1:])}


def fitted_range(values: Iterable[float], *, maximize: bool, tail: float = 0.1) -> list[float]:
    """An axis range over where the lines differ: from the ``tail`` quantile of the values to
    the best one (mirrored for a minimised objective), padded by 5%. The first trials' poor
    values would otherwise squeeze every curve into the top of the plot."""
    finite = np.asarray([v for v in values if v is not None], dtype=float)
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return [0.0, 1.0]
    low, high = (
        (float(np.quantile(finite, tail)), float(finite.max()))
        if maximize
        else (float(finite.min()), float(np.quantile(finite, 1 - tail)))
    )
    pad = 0.05 * (high - low) or 0.01
    return [low - pad, high + pad]


def narrow_layout(fig: go.Figure) -> tuple[dict[str, Any], dict[str, Any]]:
    """The layout changes for a narrow screen, and the values they replace (to go back on a
    wider one): the title wrapped, thin side margins, and every subplot in a row of its own,
    its title above it."""
    lines = textwrap.wrap(fig.layout.title.text or "", NARROW_TITLE)
    below = textwrap.wrap(fig.layout.title.subtitle.text or "", NARROW_TITLE + 12)
    # A title line takes about 26 px, a subtitle line 20, and the subtitle starts below the
    # title's last line: the first panel's title (added below) then clears both.
    narrow: dict[str, Any] = {"margin.t": 30 + 26 * len(lines) + 20 * len(below)}
    narrow["margin.l"], narrow["margin.r"] = 55, 15
    if lines:
        narrow["title.text"] = "<br>".join(lines)
    if below:
        narrow["title.subtitle.text"] = "<br>".join(below)
    used = {f"xaxis{(trace.xaxis or 'x')[1:]}" for trace in fig.data}
    axes = sorted((name for name in fig.layout if name.startswith("xaxis")), key=_axis_number)
    panels = [name for name in axes if name in used]
    for name in set(axes) - used:  # an empty cell of the grid: nothing to stack
        narrow[f"{name}.visible"] = narrow[f"y{name[1:]}.visible"] = False
    if len(panels) > 1:
        narrow["margin.t"] += 40  # the first panel's title above it
        n = len(panels)
        area = n * PANEL_PX + (n - 1) * PANEL_GAP_PX
        gap = PANEL_GAP_PX / area
        height = (1 - gap * (n - 1)) / n
        for i, name in enumerate(panels):
            top = 1 - i * (height + gap)
            narrow[f"{name}.domain"] = [0, 1]
            narrow[f"y{name[1:]}.domain"] = [top - height, top]
            if i < len(fig.layout.annotations):  # make_subplots' titles, in panel order
                narrow[f"annotations[{i}].x"] = 0.5
                narrow[f"annotations[{i}].y"] = top
        narrow["height"] = area + narrow["margin.t"] + 70 + _legend_px(fig)
    elif _legend_px(fig) > 60:  # a legend of many rows: room for it, or it would scroll
        narrow["height"] = fig.layout.height + _legend_px(fig)
    if fig.layout.coloraxis.colorbar.title.text:  # a short bar beside the first panel
        for key, value in {"thickness": 10, "lenmode": "pixels", "len": PANEL_PX, "y": 1,
                           "yanchor": "top"}.items():  # fmt: skip
            narrow[f"coloraxis.colorbar.{key}"] = value
        title = textwrap.wrap(fig.layout.coloraxis.colorbar.title.text, 12)
        narrow["coloraxis.colorbar.title.text"] = "<br>".join(title)
    wide = {key: _value(fig.layout, key) for key in narrow}
    return narrow, wide


def _legend_px(fig: go.Figure) -> int:
    """Room for the legend on a narrow screen: a line of its own per entry, and its title."""
    entries = sum(1 for trace in fig.data if trace.showlegend is not False and trace.name)
    return 22 * (entries + 1)


def _axis_number(name: str) -> int:
    return int(name.removeprefix("xaxis") or 1)


def _value(layout: go.Layout, key: str) -> Any:
    """A layout value by the dotted path ``Plotly.relayout`` takes (``annotations[0].y``)."""
    value: Any = layout
    for part in key.replace("[", ".").replace("]", "").split("."):
        value = value[int(part)] if part.isdigit() else value[part]
    return list(value) if isinstance(value, tuple) else value


def to_html(fig: go.Figure, div_id: str) -> str:
    """A div of the figure's own height (plotly's default of 100% collapses or balloons), its
    legend below it, registered with the report's script with its narrow layout."""
    fig.update_layout(template="plotly_white", autosize=True, legend=LEGEND)
    narrow, wide = narrow_layout(fig)
    layouts = ", ".join(json.dumps(d).replace("<", "\\u003c") for d in (narrow, wide))
    register = f"tunerbench.figure('{{plot_id}}', {layouts});"
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        config=CONFIG,
        div_id=div_id,
        default_height=f"{fig.layout.height}px",
        default_width="100%",
        post_script=register,
    )
