"""Resident memory after each trial, in the order trials finished, one line per run."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from tunerbench.records.run_result import RunResult
from tunerbench.report.grouping import environment, in_run_order, variant
from tunerbench.report.plots.style import colors, dashes, line_label


@dataclass(frozen=True)
class MemoryLine:
    variant: str
    environment: str
    seed: int
    trial: list[int]  # 1-based, in the order trials finished
    rss_mb: list[float]


@dataclass(frozen=True)
class MemoryData:
    lines: list[MemoryLine]
    # Every tuner and environment of the section, so colours and dashes match the other figures.
    variants: list[str]
    environments: list[str]


def memory_data(runs: list[RunResult]) -> MemoryData:
    lines = []
    for run in in_run_order(runs):
        trials = sorted(run.search.trials, key=lambda t: t.finished_at_s)
        points = [(i + 1, t.rss_mb) for i, t in enumerate(trials) if t.rss_mb is not None]
        if points:
            lines.append(
                MemoryLine(
                    variant(run),
                    environment(run),
                    run.identity.seed,
                    [p[0] for p in points],
                    [p[1] for p in points],
                )
            )
    variants, environments = {variant(r) for r in runs}, {environment(r) for r in runs}
    return MemoryData(lines, sorted(variants), sorted(environments))


def draw_memory(data: MemoryData) -> go.Figure:
    palette, styles = colors(data.variants), dashes(data.environments)
    several = len(styles) > 1
    fig = go.Figure()
    for line in data.lines:
        fig.add_trace(
            go.Scatter(
                x=line.trial,
                y=line.rss_mb,
                mode="lines+markers",
                name=line_label(f"{line.variant} seed {line.seed}", line.environment, several),
                line={"color": palette[line.variant], "dash": styles[line.environment]},
                marker={"size": 4},
            )
        )
    fig.update_layout(
        title="Memory: resident set size after each trial",
        xaxis_title="trial (in the order trials finished)",
        yaxis_title="RSS (MB)",
        height=400,
        legend_title_text="run",
    )
    return fig
