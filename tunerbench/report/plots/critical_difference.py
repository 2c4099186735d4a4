"""The critical-difference diagram: each tuner at its mean rank over seeds (1 = best, on the
left), and a bar over every group of tuners whose ranks lie within Nemenyi's critical
difference, which the test cannot tell apart."""

from __future__ import annotations

import plotly.graph_objects as go

from tunerbench.report.decision.statistics.ranks import RankTest
from tunerbench.report.plots.style import colors, esc


def draw_critical_difference(ranks: RankTest) -> go.Figure:
    order = sorted(ranks.mean_rank, key=ranks.mean_rank.__getitem__)
    palette = colors(order)
    k = len(order)
    fig = go.Figure()
    for i, name in enumerate(order):
        rank = ranks.mean_rank[name]
        height = -0.8 - 0.6 * i  # one label row per tuner: equal ranks never overlap
        fig.add_trace(
            go.Scatter(
                x=[rank, rank],
                y=[0, height],
                mode="lines+markers+text",
                line={"color": palette[name], "width": 2},
                marker={"size": [10, 0], "color": palette[name]},
                text=["", esc(f"{name} ({rank:.2f})")],
                textposition="bottom center",
                name=esc(name),
                hovertemplate=f"{esc(name)}: mean rank %{{x:.2f}}<extra></extra>",
            )
        )
    for level, clique in enumerate(ranks.cliques):
        low, high = (ranks.mean_rank[clique[0]], ranks.mean_rank[clique[-1]])
        fig.add_trace(
            go.Scatter(
                x=[low - 0.03, high + 0.03],
                y=[0.35 + 0.3 * level] * 2,
                mode="lines",
                line={"color": "#222", "width": 6},
                name=esc(f"not told apart: {', '.join(clique)}"),
                hoverinfo="name",
            )
        )
    top = 0.35 + 0.3 * len(ranks.cliques) + 0.4
    fig.add_trace(
        go.Scatter(
            x=[1, 1 + ranks.critical_difference],
            y=[top, top],
            mode="lines+text",
            line={"color": "#cf222e", "width": 3},
            text=[f"CD = {ranks.critical_difference:.2f}", ""],
            textposition="top right",
            name=f"critical difference ({ranks.critical_difference:.2f} ranks)",
        )
    )
    fig.update_layout(
        title=f"Critical-difference diagram: mean rank by test accuracy over {ranks.n_blocks} "
        f"seeds (Friedman p = {ranks.p_value:.3g}; Nemenyi, alpha {ranks.alpha})",
        xaxis={"title": {"text": "mean rank (1 = best)"}, "range": [0.8, k + 0.2], "dtick": 1},
        yaxis={"visible": False, "range": [-0.8 - 0.6 * k - 0.3, top + 0.6]},
        height=260 + 30 * k,
        showlegend=False,
    )
    return fig
