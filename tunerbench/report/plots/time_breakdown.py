"""Where the time goes: mean wall seconds of search, refit and final fit per tuner."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import plotly.graph_objects as go

from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import PHASES
from tunerbench.report.inputs.labels import environment, sort_variants, variant
from tunerbench.report.plots.style import line_label

PHASE_COLORS = {"search": "#1f77b4", "refit": "#ff7f0e", "final": "#2ca02c"}


@dataclass(frozen=True)
class TimeBar:
    label: str  # the tuner, and its environment when there are several
    mean_wall_s: dict[str, float]  # per phase, over the runs of this bar


def time_data(runs: list[RunResult]) -> list[TimeBar]:
    several = len({environment(r) for r in runs}) > 1
    order = {name: i for i, name in enumerate(sort_variants(map(variant, runs)))}
    rows: dict[str, list[RunResult]] = defaultdict(list)
    for run in sorted(runs, key=lambda r: (order[variant(r)], environment(r))):
        rows[line_label(variant(run), environment(run), several)].append(run)
    return [
        TimeBar(
            label,
            {p: sum(r.cost.phases[p].wall_s for r in bar) / len(bar) for p in PHASES},
        )
        for label, bar in rows.items()
    ]


def draw_time(bars: list[TimeBar]) -> go.Figure:
    fig = go.Figure()
    labels = [bar.label for bar in bars]
    for phase in PHASES:
        fig.add_trace(
            go.Bar(
                y=labels,
                x=[bar.mean_wall_s[phase] for bar in bars],
                name=phase,
                orientation="h",
                marker_color=PHASE_COLORS[phase],
                hovertemplate=f"{phase}: %{{x:.1f}} s<extra>%{{y}}</extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        title="Time breakdown: mean wall seconds per phase",
        xaxis_title="wall-clock time (s)",
        yaxis={"title": {"text": "tuner"}, "autorange": "reversed"},
        height=120 + 40 * len(labels),
        legend_title_text="phase",
    )
    return fig
