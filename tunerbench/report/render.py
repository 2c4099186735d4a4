"""Render saved results into one self-contained HTML report.

Reads only result JSON (ours or pytest-benchmark's), so a report can be re-rendered and merged
across runs, seeds and TensorFlow versions on a machine without TensorFlow. Jinja2 autoescaping is
on; the only unescaped fragments are Plotly's own figure HTML and its inlined library. Numbers are
formatted by the filters below, so every table formats alike.
"""

from __future__ import annotations

import importlib.resources
import math
from pathlib import Path
from typing import Any

import jinja2

from tunerbench.records.atomic_file import atomic_write_text
from tunerbench.records.results_file import load_file
from tunerbench.records.schema import RunResult
from tunerbench.report.context import build_context
from tunerbench.report.grouping import Summary
from tunerbench.report.statistics.descriptive import Description

TEMPLATES = "tunerbench.report_templates"


class ReportError(Exception):
    """The report cannot be written; the message names the file and the problem."""


def _template_source(name: str) -> str:
    """A template read from the installed package (a wheel, an editable install or a zip alike)."""
    return importlib.resources.files(TEMPLATES).joinpath(name).read_text(encoding="utf-8")


def fmt_number(value: float | None, digits: int = 4) -> str:
    if value is None:
        return ""
    return "\u2013" if math.isnan(value) else f"{value:.{digits}f}"  # an en dash


def fmt_summary(summary: Summary, digits: int = 4) -> str:
    """Mean ± sample standard deviation, or the mean alone for a single value."""
    if summary.sd is None or math.isnan(summary.mean):
        return fmt_number(summary.mean, digits)
    return f"{summary.mean:.{digits}f} ± {summary.sd:.{digits}f}"


def fmt_description(description: Description, digits: int = 4) -> str:
    """Mean ± sample standard deviation of a Description (the mean alone for one value)."""
    return fmt_summary(Summary(description.mean, description.sd, description.n), digits)


def fmt_iqm(description: Description, digits: int = 4) -> str:
    """The interquartile mean with its 95% bootstrap interval, where there is one."""
    if description.iqm_low is None or description.iqm_high is None:
        return fmt_number(description.iqm, digits)
    return (
        f"{description.iqm:.{digits}f} [{description.iqm_low:.{digits}f}, "
        f"{description.iqm_high:.{digits}f}]"
    )


def fmt_p(value: float | None) -> str:
    """A p-value: four decimals, or three significant digits below 0.001."""
    if value is None:
        return ""
    return f"{value:.3g}" if value < 0.001 else f"{value:.4f}"


def fmt_ratio(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}x"


def fmt_hyperparameters(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        num=fmt_number,
        pm=fmt_summary,
        describe=fmt_description,
        iqm=fmt_iqm,
        p=fmt_p,
        ratio=fmt_ratio,
        hp=fmt_hyperparameters,
    )
    return env


def render_html(
    results: list[RunResult], sources: list[str], perf: list[dict[str, Any]] | None = None
) -> str:
    import plotly.offline

    try:
        context = build_context(results, sources, perf)
        template = environment().get_template("report.html.j2")
        return template.render(plotly_js=plotly.offline.get_plotlyjs(), report=context)
    except (
        ArithmeticError,
        KeyError,
        LookupError,
        TypeError,
        ValueError,
        jinja2.TemplateError,
    ) as exc:
        # A record that reads but lacks what a section needs: one line, not a traceback.
        raise ReportError(
            f"cannot render a report from these results ({type(exc).__name__}: {exc}); "
            "were they written by this version of tunerbench?"
        ) from exc


def read_results(paths: list[str | Path]) -> tuple[list[RunResult], list[dict[str, Any]]]:
    """The run records and speed measurements of every file, each measurement once."""
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
    return results, perf


def write_report(paths: list[str | Path], out: str | Path) -> Path:
    """Read every results file, render, and write ``out`` atomically."""
    results, perf = read_results(paths)
    out = Path(out)
    page = render_html(results, [str(p) for p in paths], perf)
    try:
        atomic_write_text(out, page)
    except OSError as exc:
        raise ReportError(f"cannot write the report to {out} ({exc.strerror or exc})") from None
    return out
