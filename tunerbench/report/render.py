"""Render saved results into one self-contained HTML report.

Reads only result JSON (ours or pytest-benchmark's), so a report can be re-rendered and merged
across runs, seeds and TensorFlow versions on a machine without TensorFlow. Jinja2 autoescaping is
on; the only unescaped fragments are Plotly's own figure HTML and its inlined library.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from tunerbench.records.atomic_file import atomic_write_text
from tunerbench.records.results_file import ResultsError, load_file
from tunerbench.records.schema import PHASES, RunResult
from tunerbench.report import plots
from tunerbench.report.grouping import (
    GroupKey,
    Summary,
    deduplicate,
    environment,
    in_run_order,
    mean_ranks,
    sort_environments,
    sort_variants,
    split_groups,
    total_cpu,
    total_wall,
    variant,
)

TEMPLATES = "tunerbench.report_templates"

# The reference run of DEVELOPERS.md: Hyperband, TensorFlow 2.4 on CPU, reference profile.
REFERENCE = {
    "setup": "Hyperband, TensorFlow 2.4, CPU (DEVELOPERS.md)",
    "n_trials": 30,
    "search_wall_s": 184.0,
    "best_val_accuracy": 0.8864,
    "units": 176,
    "learning_rate": 0.001,
    "best_epoch": 14,
    "test_accuracy": 0.8894,
}


class ReportError(Exception):
    """The report cannot be written; the message names the file and the problem."""


@dataclass
class Cell:
    text: str
    value: float | None = None
    best: bool = False


@dataclass
class Column:
    key: str
    label: str
    better: str | None  # "max", "min" or None (no best)
    digits: int


COLUMNS = [
    Column("best_val_accuracy", "best val_accuracy", "max", 4),
    Column("test_accuracy", "test accuracy", "max", 4),
    Column("test_loss", "test loss", "min", 4),
    Column("best_epoch", "best epoch", None, 1),
    Column("n_trials", "trials", None, 1),
    *[
        Column(f"{phase}_{kind}", f"{phase} {kind.replace('_s', '')} s", "min", 1)
        for phase in PHASES
        for kind in ("wall_s", "cpu_s")
    ],
    Column("total_wall_s", "total wall s", "min", 1),
    Column("cpu_per_wall", "CPU/wall", None, 2),
    Column("mean_rank", "mean rank", "min", 2),
]


@dataclass
class Leaderboard:
    environment: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)


def _metrics(run: RunResult) -> dict[str, float]:
    values = {
        "best_val_accuracy": run.best_val_accuracy,
        "test_accuracy": run.test_accuracy,
        "test_loss": run.test_loss,
        "best_epoch": run.best_epoch,
        "n_trials": run.n_trials,
        "total_wall_s": total_wall(run),
        "cpu_per_wall": total_cpu(run) / max(total_wall(run), 1e-9),
    }
    for phase, timing in run.phases.items():
        values[f"{phase}_wall_s"] = timing.wall_s
        values[f"{phase}_cpu_s"] = timing.cpu_s
    return values


def _fmt(summary: Summary, digits: int) -> str:
    if summary.sd is None:
        return f"{summary.mean:.{digits}f}"
    return f"{summary.mean:.{digits}f} ± {summary.sd:.{digits}f}"


def _hp_text(hp: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in hp.items())


def leaderboard(env: str, runs: list[RunResult]) -> Leaderboard:
    board = Leaderboard(env, COLUMNS)
    ranks = mean_ranks(runs)
    by_variant: dict[str, list[RunResult]] = defaultdict(list)
    for run in runs:
        by_variant[variant(run)].append(run)
    for name in sort_variants(by_variant):
        variant_runs = sorted(by_variant[name], key=lambda r: r.seed)
        per_run = [_metrics(r) for r in variant_runs]
        cells = {}
        for column in COLUMNS:
            if column.key == "mean_rank":
                cells[column.key] = Cell(f"{ranks[name]:.2f}", ranks[name])
                continue
            summary = Summary.of([m[column.key] for m in per_run])
            cells[column.key] = Cell(_fmt(summary, column.digits), summary.mean)
        hps = [f"seed {r.seed}: {_hp_text(r.best_hyperparameters)}" for r in variant_runs]
        if len(variant_runs) == 1:
            hps = [_hp_text(variant_runs[0].best_hyperparameters)]
        board.rows.append(
            {"variant": name, "seeds": len(variant_runs), "hyperparameters": hps, "cells": cells}
        )
    for column in COLUMNS:
        if column.better is None or len(board.rows) < 2:
            continue
        values = [row["cells"][column.key].value for row in board.rows]
        target = max(values) if column.better == "max" else min(values)
        for row in board.rows:
            row["cells"][column.key].best = row["cells"][column.key].value == target
    return board


def versions_side_by_side(runs: list[RunResult]) -> dict[str, Any]:
    """Test accuracy and total wall time per tuner per environment, with differences to the
    oldest environment (accuracy in percentage points, time as a ratio)."""
    envs = sort_environments(map(environment, runs))
    cells: dict[tuple[str, str], list[RunResult]] = defaultdict(list)
    for run in runs:
        cells[(variant(run), environment(run))].append(run)
    rows = []
    for name in sort_variants(map(variant, runs)):
        row: dict[str, Any] = {"variant": name, "envs": []}
        base = cells.get((name, envs[0]))
        for env in envs:
            these = cells.get((name, env))
            if not these:
                row["envs"].append(None)
                continue
            acc = Summary.of([r.test_accuracy for r in these]).mean
            wall = Summary.of([total_wall(r) for r in these]).mean
            entry = {"acc": acc, "wall": wall, "n": len(these), "d_acc": None, "ratio": None}
            if base and env != envs[0]:
                entry["d_acc"] = 100 * (acc - Summary.of([r.test_accuracy for r in base]).mean)
                entry["ratio"] = wall / Summary.of([total_wall(r) for r in base]).mean
            row["envs"].append(entry)
        rows.append(row)
    return {"environments": envs, "rows": rows}


def reference_comparison(key: GroupKey, runs: list[RunResult]) -> dict[str, Any]:
    comparable = key.dataset == "fashion_mnist" and key.profile == "reference"
    measured = [
        {
            "label": f"{environment(r)}, seed {r.seed}, loop {r.loop}",
            "n_trials": r.n_trials,
            "search_wall_s": r.phases["search"].wall_s,
            "best_val_accuracy": r.best_val_accuracy,
            "units": r.best_hyperparameters.get("units"),
            "learning_rate": r.best_hyperparameters.get("learning_rate"),
            "best_epoch": r.best_epoch,
            "test_accuracy": r.test_accuracy,
        }
        for r in sorted(runs, key=lambda r: (environment(r), r.seed))
        if r.tuner == "hyperband"
    ]
    return {"reference": REFERENCE, "measured": measured, "comparable": comparable}


def _pairs(runs: list[RunResult], key: str) -> dict[tuple, dict[Any, RunResult]]:
    """Runs that differ only in ``key`` ("loop" or "workers"), grouped by everything else, within
    one benchmark session: speeds from different sessions were not measured side by side."""
    other = "workers" if key == "loop" else "loop"
    pairs: dict[tuple, dict[Any, RunResult]] = defaultdict(dict)
    for run in runs:
        pair = (run.tuner, run.seed, environment(run), getattr(run, other), run.session)
        pairs[pair][getattr(run, key)] = run
    return {k: v for k, v in pairs.items() if len(v) > 1}


def performance(key: GroupKey, runs: list[RunResult], perf: list[dict[str, Any]]) -> dict:
    """The speed figures: epoch speed, loop and worker speed-ups, overhead, memory per trial."""
    loops = []
    for (tuner, seed, env, workers, _), by_loop in sorted(_pairs(runs, "loop").items()):
        if "fast" in by_loop and "keras-default" in by_loop:
            slow, fast = total_wall(by_loop["keras-default"]), total_wall(by_loop["fast"])
            loops.append({"run": f"{tuner}, seed {seed}, {workers} worker(s), {env}",
                          "default_s": slow, "fast_s": fast, "ratio": slow / fast,
                          "default_acc": by_loop["keras-default"].test_accuracy,
                          "fast_acc": by_loop["fast"].test_accuracy})  # fmt: skip
    workers = []
    for (tuner, seed, env, loop, _), by_workers in sorted(_pairs(runs, "workers").items()):
        one = by_workers.get(1)
        for n, many in sorted(by_workers.items()):
            if one is None or n == 1:
                continue
            workers.append({"run": f"{tuner}, seed {seed}, loop {loop}, {env}", "workers": n,
                            "one_s": one.phases["search"].wall_s,
                            "many_s": many.phases["search"].wall_s,
                            "ratio": one.phases["search"].wall_s / many.phases["search"].wall_s,
                            "one_trials": one.n_trials, "many_trials": many.n_trials,
                            "one_cpu": one.phases["search"].cpu_s,
                            "many_cpu": many.phases["search"].cpu_s})  # fmt: skip
    overhead = [
        {"run": f"{variant(r)}, seed {r.seed}, {environment(r)}", "wall_s": total_wall(r),
         "fit_s": r.fit_s, "percent": 100 * (total_wall(r) - r.fit_s) / total_wall(r)}
        for r in runs if r.fit_s is not None
    ]  # fmt: skip
    memory = []
    for r in runs:
        rss = [t.rss_mb for t in sorted(r.trials, key=lambda t: t.finished_at_s) if t.rss_mb]
        if len(rss) >= 6:
            memory.append({"run": f"{variant(r)}, seed {r.seed}, {environment(r)}",
                           "fifth": rss[4], "last": rss[-1], "n": len(rss),
                           "growth": 100 * (rss[-1] - rss[4]) / rss[4]})  # fmt: skip
    epochs = [p for p in perf if (p.get("dataset"), p.get("profile")) == (key.dataset, key.profile)]
    return {"epochs": epochs, "loops": loops, "accuracy": loop_accuracy(runs), "workers": workers,
            "overhead": overhead, "memory": memory}  # fmt: skip


def loop_accuracy(runs: list[RunResult]) -> list[dict[str, Any]]:
    """Best val_accuracy and test accuracy of each loop over seeds, and whether the fast loop's
    mean lies within the default loop's seed-to-seed range (the speed issue's accuracy check)."""
    by_loop: dict[tuple, dict[str, list[RunResult]]] = defaultdict(lambda: defaultdict(list))
    for run in runs:
        by_loop[(run.tuner, environment(run), run.workers)][run.loop].append(run)
    rows = []
    for (tuner, env, workers), loops in sorted(by_loop.items()):
        if "fast" not in loops or "keras-default" not in loops:
            continue
        row: dict[str, Any] = {"run": f"{tuner}, {workers} worker(s), {env}"}
        for metric in ("best_val_accuracy", "test_accuracy"):
            default = [getattr(r, metric) for r in loops["keras-default"]]
            fast = Summary.of([getattr(r, metric) for r in loops["fast"]])
            row[metric] = {
                "default": _fmt(Summary.of(default), 4),
                "range": f"{min(default):.4f}-{max(default):.4f}",
                "fast": _fmt(fast, 4),
                "within": min(default) <= fast.mean <= max(default),
            }
        row["seeds"] = f"{len(loops['keras-default'])} / {len(loops['fast'])}"
        rows.append(row)
    return rows


def header(runs: list[RunResult]) -> dict[str, Any]:
    envs: dict[str, dict[str, str]] = {}
    for run in runs:
        envs.setdefault(environment(run), run.versions)
    machines = sorted({f"{r.machine.get('cpu')} ({r.machine.get('cores')} cores)" for r in runs})
    starts = sorted(r.started_at for r in runs)
    first = runs[0]
    return {
        "dates": f"{starts[0]} to {starts[-1]}" if starts[0] != starts[-1] else starts[0],
        "machines": machines,
        "environments": [(e, envs[e]) for e in sort_environments(envs)],
        "seeds": sorted({r.seed for r in runs}),
        "loops": sorted({r.loop for r in runs}),
        "budget": first.budget,
        "data": first.data,
        "n_runs": len(runs),
    }


def trial_rows(runs: list[RunResult]) -> list[dict[str, Any]]:
    rows = []
    for run in in_run_order(runs):
        for t in run.trials:
            rows.append(
                {
                    "variant": variant(run),
                    "environment": environment(run),
                    "seed": run.seed,
                    "trial": t,
                    "hyperparameters": _hp_text(t.hyperparameters),
                }
            )
    return rows


def build_context(
    results: list[RunResult], sources: list[str], perf: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    results, duplicates = deduplicate(results)
    groups = split_groups(results)
    warnings = []
    if duplicates:
        warnings.append(
            f"{duplicates} run(s) appeared in more than one file (same tuner, seed, start time "
            "and machine) and are counted once."
        )
    if len(groups) > 1:
        setups = "; ".join(key.title for key in groups)
        warnings.append(
            f"These files hold {len(groups)} different setups ({setups}). Results of different "
            "datasets, profiles or budgets are not comparable, so each setup has its own "
            "sections below and none of their numbers are mixed."
        )
    rendered = []
    for index, (key, runs) in enumerate(groups.items()):
        by_env: dict[str, list[RunResult]] = defaultdict(list)
        for run in runs:
            by_env[environment(run)].append(run)
        rendered.append(
            {
                "id": f"g{index}",
                "title": key.title,
                "key": key,
                "header": header(runs),
                "leaderboards": [leaderboard(e, by_env[e]) for e in sort_environments(by_env)],
                "anytime": plots.anytime(runs, f"g{index}-plot-anytime"),
                "searched": plots.searched(runs, f"g{index}-plot-searched"),
                "refit": plots.refit(runs, f"g{index}-plot-refit"),
                "time": plots.time_breakdown(runs, f"g{index}-plot-time"),
                "versions": versions_side_by_side(runs),
                "reference": reference_comparison(key, runs),
                "trials": trial_rows(runs),
                "performance": performance(key, runs, perf or []),
                "memory_plot": plots.memory(runs, f"g{index}-plot-memory"),
            }
        )
    return {
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sources": sources,
        "warnings": warnings,
        "groups": rendered,
    }


def _template_source(name: str) -> str:
    """A template read from the installed package (a wheel, an editable install or a zip alike)."""
    return importlib.resources.files(TEMPLATES).joinpath(name).read_text(encoding="utf-8")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda v, d=4: "" if v is None else f"{v:.{d}f}"
    return env


def render_html(
    results: list[RunResult], sources: list[str], perf: list[dict[str, Any]] | None = None
) -> str:
    import plotly.offline

    template = _environment().get_template("report.html.j2")
    context = build_context(results, sources, perf)
    return template.render(plotly_js=plotly.offline.get_plotlyjs(), **context)


def write_report(paths: list[str | Path], out: str | Path) -> Path:
    """Read every results file, render, and write ``out`` atomically."""
    if not paths:
        raise ReportError("no results files given; pass one or more JSON files")
    results: list[RunResult] = []
    perf: list[dict[str, Any]] = []
    for path in paths:
        file_results, file_perf = load_file(path)
        for run in file_results:
            # Files written before runs carried their session: the file stands for the session.
            run.session = run.session or str(path)
        results.extend(file_results)
        perf.extend(file_perf)
    perf = [p for i, p in enumerate(perf) if p not in perf[:i]]  # one session, two files
    out = Path(out)
    page = render_html(results, [str(p) for p in paths], perf)
    try:
        atomic_write_text(out, page)
    except OSError as exc:
        raise ReportError(f"cannot write the report to {out} ({exc.strerror or exc})") from None
    return out


__all__ = ["ReportError", "ResultsError", "build_context", "render_html", "write_report"]
