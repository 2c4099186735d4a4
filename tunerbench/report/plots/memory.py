"""Resident memory after each trial, in the order trials finished: one line per run, or beyond
``MANY_SEEDS`` runs of a tuner its runs' median with the 10th to 90th percentiles, trial by
trial (a line per run of a thousand seeds is a thousand traces no one can tell apart)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import plotly.graph_objects as go

from tunerbench.records.run_result import RunResult
from tunerbench.report.inputs.labels import environment, in_run_order, variant
from tunerbench.report.plots.many_seeds import Spread, many, spread, spread_trace
from tunerbench.report.plots.style import colors, dashes, line_label


@dataclass(frozen=True)
class MemoryLine:
    variant: str
    environment: str
    seed: int
    trial: list[int]  # 1-based, in the order trials finished
    rss_mb: list[float]


@dataclass(frozen=True)
class MemoryBand:
    """A tuner's many runs in one environment: per trial (1-based, in the order trials
    finished), the spread of resident memory over the runs that reached that trial."""

    variant: str
    environment: str
    runs: int
    trial: list[int]
    rss_mb: Spread


@dataclass(frozen=True)
class MemoryData:
    lines: list[MemoryLine]
    bands: list[MemoryBand]
    # Every tuner and environment of the section, so colours and dashes match the other figures.
    variants: list[str]
    environments: list[str]


def memory_data(runs: list[RunResult]) -> MemoryData:
    """Each run's line; a tuner's runs in one environment as a band beyond ``MANY_SEEDS``."""
    per_line: dict[tuple[str, str], list[MemoryLine]] = defaultdict(list)
    for run in in_run_order(runs):
        trials = sorted(run.search.trials, key=lambda t: t.finished_at_s)
        points = [(i + 1, t.rss_mb) for i, t in enumerate(trials) if t.rss_mb is not None]
        if points:
            line = MemoryLine(
                variant(run),
                environment(run),
                run.identity.seed,
                [p[0] for p in points],
                [p[1] for p in points],
            )
            per_line[(line.variant, line.environment)].append(line)
    lines = [line for found in per_line.values() if not many(len(found)) for line in found]
    bands = [_band(found) for found in per_line.values() if many(len(found))]
    variants, environments = {variant(r) for r in runs}, {environment(r) for r in runs}
    return MemoryData(lines, bands, sorted(variants), sorted(environments))


def _band(lines: list[MemoryLine]) -> MemoryBand:
    by_trial: dict[int, list[float]] = defaultdict(list)
    for line in lines:
        for trial, rss in zip(line.trial, line.rss_mb, strict=True):
            by_trial[trial].append(rss)
    trials = sorted(by_trial)
    first = lines[0]
    return MemoryBand(
        first.variant, first.environment, len(lines), trials, spread([by_trial[t] for t in trials])
    )


def draw_memory(data: MemoryData) -> go.Figure:
    palette, styles = colors(data.variants), dashes(data.environments)
    several = len(styles) > 1
    fig = go.Figure()
    listed: set[str] = set()
    for line in data.lines:  # one legend entry per tuner: fifty runs' entries would not fit
        label = line_label(line.variant, line.environment, several)
        fig.add_trace(
            go.Scatter(
                x=line.trial,
                y=line.rss_mb,
                mode="lines+markers",
                name=label,
                legendgroup=label,
                showlegend=label not in listed,
                line={"color": palette[line.variant], "dash": styles[line.environment]},
                marker={"size": 4},
                hovertemplate=f"{label} seed {line.seed}: %{{y:.0f}} MB after trial %{{x}}"
                "<extra></extra>",
            )
        )
        listed.add(label)
    for band in data.bands:
        label = line_label(band.variant, band.environment, several)
        color = palette[band.variant]
        fig.add_trace(spread_trace(band.trial, band.rss_mb, color, label, legendgroup=label))
        fig.add_trace(
            go.Scatter(
                x=band.trial,
                y=band.rss_mb.median,
                mode="lines+markers",
                name=f"{label}: median of {band.runs} runs",
                legendgroup=label,
                line={"color": color, "dash": styles[band.environment]},
                marker={"size": 4},
            )
        )
    fig.update_layout(
        title="Memory: resident set size after each trial",
        xaxis_title="trial (in the order trials finished)",
        yaxis_title="RSS (MB)",
        height=400,
        legend_title_text="tuner (a line per run):",
    )
    return fig
