"""Anytime performance: the best value of the objective found so far (the highest, or the lowest
of an objective minimised), against search wall seconds and against training epochs spent (the
second removes machine speed from the comparison). Over several seeds each tuner is one curve,
the IQM over seeds with its bootstrap band; each seed's own curve is there on demand (click its
legend entry), or beyond ``MANY_SEEDS`` seeds the spread of the seeds' curves. Tuners that
followed another objective than the group's are left out. The y axis spans where the tuners
differ (the first trials' poor values would squeeze every curve into the top), and tuners whose
curves are identical (seeded alike, one oracle proposing what another does) are named and drawn
dashed over each other, or one would seem missing."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tunerbench.records.run_result import RunResult
from tunerbench.report.decision.statistics.descriptive import iqm_band
from tunerbench.report.inputs.best_so_far import best_so_far
from tunerbench.report.inputs.labels import environment, variant
from tunerbench.report.inputs.objective import Objective, group_objective
from tunerbench.report.inputs.seed_tables import runs_by_seed
from tunerbench.report.plots.many_seeds import (
    Spread,
    band_resamples,
    many,
    spread,
    spread_trace,
)
from tunerbench.report.plots.style import (
    band_trace,
    colors,
    dashes,
    drawn_alike,
    esc,
    fitted_range,
    line_label,
    seeds_trace,
    tie_dashes,
    tie_note,
    ties,
)

AXES = ("wall", "epochs")


def sampled(
    curves: list[tuple[list[float], list[float]]], points: int = 120
) -> tuple[np.ndarray, np.ndarray]:
    """Step curves sampled on one x grid: (grid, one row per curve), NaN before a curve starts."""
    top = max(max(xs) for xs, _ in curves if xs)
    grid = np.linspace(0.0, top, points)
    rows = []
    for xs, ys in curves:
        idx = np.searchsorted(np.asarray(xs), grid, side="right") - 1
        rows.append(np.where(idx >= 0, np.asarray(ys)[np.clip(idx, 0, None)], np.nan))
    return grid, np.vstack(rows)


def on_grid(curves: list[tuple[list[float], list[float]]], points: int = 120) -> tuple:
    """Step curves sampled on one x grid: (grid, IQM, low, high); the summary starts once every
    seed has its first trial; no band below 3 seeds."""
    grid, matrix = sampled(curves, points)
    return (grid, *iqm_band(matrix))


@dataclass(frozen=True)
class AnytimeLine:
    """One tuner's curve on one axis: a single seed's steps, or the IQM over seeds with its
    95% bootstrap band (``low``/``high``, None below 3 seeds) and every seed's own curve, or
    beyond ``MANY_SEEDS`` seeds their ``spread`` instead (``seeds`` None)."""

    variant: str
    environment: str
    axis: str
    n_runs: int
    x: list[float]
    y: list[float]
    low: list[float] | None = None
    high: list[float] | None = None
    seeds: list[tuple[list[float], list[float]]] | None = None
    spread: Spread | None = None


@dataclass(frozen=True)
class AnytimeData:
    lines: list[AnytimeLine]
    variants: list[str]
    environments: list[str]
    objective: Objective  # what the lines' values are of, and which way is better
    y_range: list[float]  # where the drawn values differ (``fitted_range``)
    ties: dict[str, list[list[str]]]  # per axis, tuners whose lines there are identical


def _nullable(values: np.ndarray | None) -> list[float] | None:
    return None if values is None else [float(v) for v in values]


def _summary(
    name: str, env: str, axis: str, curves: list[tuple[list[float], list[float]]]
) -> AnytimeLine:
    """Several seeds' curves as their IQM with its band, and each seed's curve or, beyond
    ``MANY_SEEDS`` seeds, their spread (where every seed has started, as the IQM)."""
    grid, matrix = sampled(curves)
    iqm, low, high = iqm_band(matrix, band_resamples(len(curves)))
    summarised = many(len(curves))
    if summarised:
        matrix[:, ~np.all(np.isfinite(matrix), axis=0)] = np.nan
    return AnytimeLine(
        name,
        env,
        axis,
        len(curves),
        list(grid),
        list(iqm),
        _nullable(low),
        _nullable(high),
        None if summarised else curves,
        spread(matrix.T) if summarised else None,
    )


def anytime_data(runs: list[RunResult]) -> AnytimeData:
    """One line per tuner, environment and axis; a seed run more than once by its first run
    (steps of repeats cannot be averaged), so a seed counts once. Only the runs that followed
    the group's objective: another objective's values do not compare."""
    compared = group_objective(runs)
    maximize = compared.objective.maximize
    by_line: dict[tuple[str, str], list[RunResult]] = defaultdict(list)
    for run in compared.kept(runs):
        by_line[(variant(run), environment(run))].append(run)
    lines = []
    for (name, env), line_runs in sorted(by_line.items()):
        firsts = [rs[0] for seeds in runs_by_seed(line_runs).values() for rs in seeds.values()]
        for axis in AXES:
            found = (best_so_far(r.search.trials, axis, maximize=maximize) for r in firsts)
            curves = [c for c in found if c[0]]
            if len(curves) == 1:
                lines.append(AnytimeLine(name, env, axis, 1, *curves[0]))
            elif curves:
                lines.append(_summary(name, env, axis, curves))
    variants, environments = sorted({v for v, _ in by_line}), sorted({e for _, e in by_line})
    # A quarter of the points may lie below: the steps before a tuner's first good trial.
    y_range = fitted_range((v for line in lines for v in line.y), maximize=maximize, tail=0.25)
    return AnytimeData(lines, variants, environments, compared.objective, y_range, _ties(lines))


def _ties(lines: list[AnytimeLine]) -> dict[str, list[list[str]]]:
    """Per axis, the tuners whose lines are identical in every environment they ran in."""
    found = {}
    for axis in AXES:
        drawn: dict[str, list[tuple]] = defaultdict(list)
        for line in lines:
            if line.axis == axis:
                drawn[line.variant].append((line.environment, *map(drawn_alike, (line.x, line.y))))
        found[axis] = ties({name: tuple(curves) for name, curves in drawn.items()})
    return found


def _tie_subtitle(found: dict[str, list[list[str]]]) -> str:
    """The ties named once: plainly where both panels tie, else with the panel that does."""
    both = [group for group in found["wall"] if group in found["epochs"]]
    parts = [tie_note(both)] if both else []
    for axis, panel in (("wall", "time panel"), ("epochs", "epochs panel")):
        alone = [group for group in found[axis] if group not in both]
        if alone:
            parts.append(f"{tie_note(alone)} ({panel})")
    return f"Identical curves, drawn dashed: {'; '.join(parts)}" if parts else ""


def draw_anytime(data: AnytimeData) -> go.Figure:
    palette, styles = colors(data.variants), dashes(data.environments)
    several = len(data.environments) > 1
    seeds = Counter(line.n_runs for line in data.lines).most_common(1)[0][0] if data.lines else 1
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("by search wall-clock time", "by training epochs spent"),
        horizontal_spacing=0.08,
    )
    for line in data.lines:
        col = AXES.index(line.axis) + 1
        label = line_label(line.variant, line.environment, several)
        dash = styles[line.environment]
        if not several:  # one environment: dashes free to tell tied tuners apart
            dash = tie_dashes(data.ties[line.axis]).get(line.variant, dash)
        style = {"color": palette[line.variant], "dash": dash, "shape": "hv"}
        for trace in _line_traces(line, label, style, seeds, first_panel=col == 1):
            fig.add_trace(trace, row=1, col=col)
    fig.update_xaxes(title_text="search wall-clock time (s)", row=1, col=1)
    fig.update_xaxes(title_text="cumulative training epochs", row=1, col=2)
    objective = data.objective
    fig.update_yaxes(range=data.y_range)
    fig.update_yaxes(title_text=f"best {esc(objective.name)} ({objective.better})", row=1, col=1)
    summarised = f"IQM of {seeds} seeds, band: 95% interval" if seeds > 1 else "one seed"
    fig.update_layout(
        title={
            "text": f"Anytime performance: best {esc(objective.name)} found so far",
            "subtitle": {"text": _tie_subtitle(data.ties)},
        },
        height=460,
        legend_title_text=f"tuner ({summarised}):",
    )
    return fig


def _line_traces(
    line: AnytimeLine, label: str, style: dict[str, str], seeds: int, first_panel: bool
) -> list[go.Scatter]:
    """One tuner's traces in one panel: a single run's steps with markers; else its summary
    over seeds, the band of its 95% interval, and (shown on demand from the legend) each seed's
    curve, or the seeds' spread where there are too many to draw one by one. The legend lists
    each group once, from the first panel."""
    common = {"legendgroup": label, "showlegend": first_panel}
    color = style["color"]
    if line.n_runs == 1:
        steps = {"mode": "lines+markers", "name": label, "line": style, "marker": {"size": 5}}
        return [go.Scatter(x=line.x, y=line.y, **steps, **common)]
    traces = []
    if line.low is not None and line.high is not None:
        band = band_trace(line.x, line.low, line.high, color, label, **common)
        traces.append(band.update(showlegend=False))
    name = label if line.n_runs == seeds else f"{label} ({line.n_runs} seeds)"
    traces.append(go.Scatter(x=line.x, y=line.y, mode="lines", name=name, line=style, **common))
    on_demand = {"visible": "legendonly", "legendgroup": f"{label} seeds"}
    if line.spread is not None:
        band = spread_trace(line.x, line.spread, color, label, **on_demand)
        return [*traces, band.update(showlegend=first_panel)]
    each = seeds_trace(
        line.seeds or [], f"{label}: each seed", style, showlegend=first_panel, **on_demand
    )
    return [*traces, each]
