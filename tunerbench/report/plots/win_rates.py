"""The pairwise win-rate matrix: how often the row's tuner beats the column's on test accuracy,
over the seeds both ran (a tie counts half)."""

from __future__ import annotations

import plotly.graph_objects as go

from tunerbench.report.decision.statistics.win_rates import WinRates
from tunerbench.report.plots.style import esc


def draw_win_rates(rates: WinRates) -> go.Figure:
    names = [esc(t) for t in rates.tuners]
    z = [[rates.matrix[a][b] for b in rates.tuners] for a in rates.tuners]
    text = [["" if v is None else f"{100 * v:.0f}%" for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=names,
            y=names,
            zmin=0,
            zmax=1,
            colorscale="RdBu",
            text=text,
            texttemplate="%{text}",
            hovertemplate="%{y} beats %{x} on %{z:.0%} of the seeds<extra></extra>",
            colorbar={"title": {"text": "win rate"}, "tickformat": ".0%"},
        )
    )
    fig.update_layout(
        title=f"Win rates on test accuracy over {rates.n_blocks} seeds (row beats column)",
        xaxis={"title": {"text": "against"}},
        yaxis={"title": {"text": "tuner"}, "autorange": "reversed"},
        height=200 + 45 * len(names),
    )
    return fig
