"""Render saved results into one self-contained HTML report.

Reads only result JSON (ours or pytest-benchmark's), so a report can be re-rendered and merged
across runs, seeds and TensorFlow versions on a machine without TensorFlow. Jinja2 autoescaping is
on; the only unescaped fragments are Plotly's own figure HTML and its inlined library. Numbers are
formatted by the filters below, so every table formats alike.
"""

from __future__ import annotations

import importlib.resources
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import jinja2
import markupsafe

from tunerbench.records.atomic_file import atomic_write_text
from tunerbench.records.results_file import load_file
from tunerbench.records.run_result import RunResult
from tunerbench.report.context import ReportContext, build_context
from tunerbench.report.grouping import Summary
from tunerbench.report.rope import DEFAULT_ROPE
from tunerbench.report.seed_tables import seed_spans
from tunerbench.report.statistics.descriptive import Description
from tunerbench.search.registry import TUNERS

TEMPLATES = "tunerbench.report_templates"
T = TypeVar("T")


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


def fmt_points(value: float | None) -> str:
    """A difference in accuracy as percentage points, signed where it is not 0."""
    if value is None:
        return ""
    points = 100 * value
    return f"{points:+.2f}" if round(points, 2) != 0 else "0.00"


def squash(text: str) -> str:
    """A macro's output on one line (its template is wrapped for reading); stays safe HTML."""
    joined = " ".join(str(text).split())
    return markupsafe.Markup(joined) if isinstance(text, markupsafe.Markup) else joined


def environment(autoescape: bool = True) -> jinja2.Environment:
    """The templates' environment: HTML and Markdown escape what they render (a job summary
    renders HTML too); only the terminal's text does not."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        autoescape=autoescape,
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
        pts=fmt_points,
        seedlist=seed_spans,
        squash=squash,
    )
    return env


def _rendered(render: Callable[[], T], sources: list[str]) -> T:
    """Run one rendering; a record that reads but lacks what a section needs is one line
    naming the files."""
    try:
        return render()
    except (
        ArithmeticError,
        KeyError,
        LookupError,
        TypeError,
        ValueError,
        jinja2.TemplateError,
    ) as exc:
        raise ReportError(
            f"cannot render a report from {', '.join(sources) or 'these results'} "
            f"({type(exc).__name__}: {exc}); were they written by this version of tunerbench?"
        ) from exc


def report_context(
    results: list[RunResult],
    sources: list[str],
    perf: list[dict[str, Any]] | None = None,
    rope: float = DEFAULT_ROPE,
) -> ReportContext:
    return _rendered(lambda: build_context(results, sources, perf, rope), sources)


def render_html(
    results: list[RunResult],
    sources: list[str],
    perf: list[dict[str, Any]] | None = None,
    rope: float = DEFAULT_ROPE,
) -> str:
    return page(report_context(results, sources, perf, rope))


def page(context: ReportContext) -> str:
    """The report's HTML from its context."""
    import plotly.offline

    template = environment().get_template("report.html.j2")
    return _rendered(
        lambda: template.render(plotly_js=plotly.offline.get_plotlyjs(), report=context),
        context.sources,
    )


def render_verdict(context: ReportContext, markdown: bool = True) -> str:
    """The verdicts as Markdown (``verdict.md``, a CI job summary) or as the terminal's text:
    one template, so the two say the same as the report's cards."""
    return _text(context, "verdict.md.j2", autoescape=markdown) + "\n"


def read_results(paths: list[str | Path]) -> tuple[list[RunResult], list[dict[str, Any]]]:
    """The run records and speed measurements of every file, each measurement once."""
    if not paths:
        raise ReportError("no results files given; pass one or more JSON files")
    results: list[RunResult] = []
    perf: list[dict[str, Any]] = []
    for path in paths:
        file_results, file_perf = load_file(path)
        for index, run in enumerate(file_results):
            if run.identity.tuner not in TUNERS:
                raise ReportError(
                    f"{path}: result {index}: tuner {run.identity.tuner!r} is not one of "
                    f"{', '.join(TUNERS.names)}"
                )
            # Files written before runs carried their session: the file stands for the session.
            run.identity.session = run.identity.session or str(path)
        results.extend(file_results)
        perf.extend(file_perf)
    perf = [p for i, p in enumerate(perf) if p not in perf[:i]]  # one session, two files
    return results, perf


def render_upgrade(context: ReportContext) -> str:
    """Each setup's upgrade verdict as text: the message of ``--fail-on-change``."""
    return _text(context, "upgrade.txt.j2", autoescape=False)


def _text(context: ReportContext, template_name: str, autoescape: bool) -> str:
    """A text template rendered from the report's context, without surrounding blank lines."""
    template = environment(autoescape=autoescape).get_template(template_name)
    return _rendered(lambda: template.render(report=context), context.sources).strip()


@dataclass(frozen=True)
class WrittenReport:
    path: Path
    verdict_path: Path  # verdict.md beside the report
    context: ReportContext

    @property
    def verdict_text(self) -> str:
        return render_verdict(self.context, markdown=False)


def write_report(
    paths: list[str | Path], out: str | Path, rope: float = DEFAULT_ROPE
) -> WrittenReport:
    """Read every results file, render, and write ``out`` and ``verdict.md`` beside it, each
    atomically."""
    results, perf = read_results(paths)
    out = Path(out)
    context = report_context(results, [str(p) for p in paths], perf, rope)
    verdict_path = out.with_name("verdict.md")
    try:
        atomic_write_text(out, page(context))
        atomic_write_text(verdict_path, render_verdict(context))
    except OSError as exc:
        raise ReportError(f"cannot write the report to {out} ({exc.strerror or exc})") from None
    return WrittenReport(out, verdict_path, context)


def publish(written: WrittenReport, out: Path) -> WrittenReport:
    """A copy of a written report and its verdict.md at ``out`` (each atomically)."""
    copy = WrittenReport(out, out.with_name("verdict.md"), written.context)
    try:
        atomic_write_text(copy.path, written.path.read_text(encoding="utf-8"))
        atomic_write_text(copy.verdict_path, written.verdict_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportError(f"cannot write the report to {out} ({exc.strerror or exc})") from None
    return copy
