"""Average rank over the budget: each tuner's rank by the best objective value so far (in the
objective's direction) at every fraction of the epoch budget, averaged over seeds; where a tuner
leads early and where it leads late."""

from __future__ import annotations

import plotly.graph_objects as go

from tunerbench.report.decision.statistics.budget import BudgetRanks
from tunerbench.report.plots.style import colors, esc


def draw_budget_ranks(ranks: BudgetRanks, points: tuple[float, ...], objective: str) -> go.Figure:
    palette = colors(ranks.tuners)
    fig = go.Figure()
    percent = [100 * f for f in ranks.fractions]
    for name in ranks.tuners:
        fig.add_trace(
            go.Scatter(
                x=percent,
                y=ranks.mean_rank[name],
                mode="lines",
                name=esc(name),
                line={"color": palette[name], "shape": "hv"},
                hovertemplate=f"{esc(name)}: mean rank %{{y:.2f}} at %{{x:.0f}}%<extra></extra>",
            )
        )
    for point in points:
        fig.add_vline(x=100 * point, line={"color": "#999", "dash": "dot", "width": 1})
    fig.update_layout(
        title=f"Average rank over the epoch budget by best {esc(objective)} so far "
        f"({ranks.n_seeds} seeds; 1 = best)",
        xaxis={"title": {"text": "epoch budget spent (%)"}, "range": [0, 100]},
        yaxis={"title": {"text": "mean rank"}, "autorange": "reversed", "dtick": 1},
        height=420,
        legend_title_text="tuner",
    )
    return fig
