"""Render saved results into one self-contained HTML report.

Reads only result JSON (ours or pytest-benchmark's), so a report can be re-rendered and merged
across runs, seeds and TensorFlow versions on a machine without TensorFlow. Jinja2 autoescaping is
on; the only unescaped fragments are Plotly's own figure HTML and its inlined library. Numbers are
formatted by the filters below, so every table formats alike.
"""

from __future__ import annotations

import html
import importlib.resources
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import jinja2
import markupsafe

from tunerbench.records.atomic_file import atomic_write_texts, not_regular
from tunerbench.records.results_file import load_file, once_each
from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import COMPLETED
from tunerbench.records.validation import RecordError, cut, escaped
from tunerbench.report.context import ReportContext, build_context
from tunerbench.report.grouping import Summary
from tunerbench.report.listing import listing
from tunerbench.report.rope import DEFAULT_ROPE
from tunerbench.report.seed_tables import seed_spans
from tunerbench.report.statistics.descriptive import Description
from tunerbench.report.text_escaping import Output, code_filter, markdown_text, terminal_text
from tunerbench.report.verdict import VerdictState
from tunerbench.report.versions import UpgradeState
from tunerbench.search.registry import TUNERS

TEMPLATES = "tunerbench.report_templates"
T = TypeVar("T")


class ReportError(Exception):
    """The report cannot be written; the message names the file and the problem."""


# plotly.js's own partial bundle (npm's plotly.js-cartesian-dist-min, MIT licensed, its licence
# beside it), of the plotly.js version the plotly package pinned in pyproject.toml draws for.
PLOTLY_BUNDLE = "plotly-cartesian.min.js"


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


def environment(markup: Output = "html") -> jinja2.Environment:
    """The templates' environment: every value a template writes is escaped for what it writes
    (HTML by autoescaping, Markdown and the terminal's text by ``finalize``)."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        autoescape=True,
        finalize={"markdown": markdown_text, "text": terminal_text}.get(markup),
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
        listed=listing,
        squash=squash,
        code=code_filter(markup),
    )
    # The states templates branch on, by name: a misspelt state fails, a string would not.
    env.globals.update(VerdictState=VerdictState, UpgradeState=UpgradeState, COMPLETED=COMPLETED)
    return env


def _rendered(render: Callable[[], T], sources: list[str]) -> T:
    """Run one rendering; a measurement that is not of its record's shape (read as typed
    records by a section) is one line naming the files and the field. Every field the report
    uses is checked when its file is read, so any other error is a bug of tunerbench: it stays
    a traceback, to be reported as one, rather than blamed on the files."""
    try:
        return render()
    except RecordError as exc:
        files = ", ".join(map(escaped, sources)) or "these results"
        raise ReportError(f"cannot render a report from {files} ({exc})") from exc


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
    """The report's HTML from its context, with plotly.js's cartesian bundle inlined (the
    figures draw only scatter, bar and heatmap traces: 1.4 MB against the full bundle's 4.9)."""
    template = environment().get_template("report.html.j2")
    plotly_js = _template_source(PLOTLY_BUNDLE)
    return _rendered(lambda: template.render(plotly_js=plotly_js, report=context), context.sources)


def render_verdict(context: ReportContext, markdown: bool = True) -> str:
    """The verdicts as Markdown (``verdict.md``, a CI job summary) or as the terminal's text:
    one template, so the two say the same as the report's cards."""
    return _text(context, "verdict.md.j2", "markdown" if markdown else "text") + "\n"


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
                    f"{escaped(str(path))}: result {index}: tuner {cut(repr(run.identity.tuner))} "
                    f"is not one of {', '.join(TUNERS.names)}"
                )
            # Files written before runs carried their session: the file stands for the session.
            run.identity.session = run.identity.session or str(path)
        results.extend(file_results)
        perf.extend(file_perf)
    return results, once_each(perf)


def render_upgrade(context: ReportContext) -> str:
    """Each setup's upgrade verdict as text: the message of ``--fail-on-change``."""
    return _text(context, "upgrade.txt.j2", "text")


def _text(context: ReportContext, template_name: str, markup: Output) -> str:
    """A text template rendered from the report's context, without surrounding blank lines."""
    template = environment(markup).get_template(template_name)
    text = _rendered(lambda: template.render(report=context), context.sources).strip()
    return html.unescape(text) if markup == "text" else text


@dataclass(frozen=True)
class WrittenReport:
    """A report and its verdict as Markdown, always written as a pair: both go to temporary
    files first, then the verdict is renamed into place and the report last, and both end with
    the same generation line. A kill between the two renames leaves a newer verdict beside the
    older report; their last lines then differ, so a reader can tell, and the next rendering
    writes both again. The report is renamed last: it is the pair's commit."""

    path: Path
    verdict_path: Path  # verdict.md beside index.html, NAME.verdict.md beside NAME.html
    context: ReportContext

    @staticmethod
    def verdict_beside(out: Path) -> Path:
        """Where the verdict of a report at ``out`` goes: a report under another name gets a
        verdict of its own name, so rendering one never overwrites a session's verdict.md."""
        return out.with_name("verdict.md" if out.name == "index.html" else f"{out.stem}.verdict.md")

    @property
    def verdict_text(self) -> str:
        return render_verdict(self.context, markdown=False)

    def save(self, html: str, verdict: str) -> None:
        """Write the pair (a ReportError in one line if it cannot be written)."""
        try:
            atomic_write_texts([(self.verdict_path, verdict), (self.path, html)])
        except OSError as exc:
            raise ReportError(
                f"cannot write the report to {self.path} ({exc.strerror or exc})"
            ) from None


def write_report(
    paths: list[str | Path], out: str | Path, rope: float = DEFAULT_ROPE
) -> WrittenReport:
    """Read every results file, render, and write ``out`` and its verdict beside it as one
    pair (``WrittenReport``). Anything but a regular file is refused before it is opened: a
    FIFO would block the read for ever."""
    for path in paths:
        kind = not_regular(path)
        if kind is not None:
            raise ReportError(f"{path}: {kind}, not a results file; pass a results JSON file")
    results, perf = read_results(paths)
    out = Path(out)
    context = report_context(results, [str(p) for p in paths], perf, rope)
    written = WrittenReport(out, WrittenReport.verdict_beside(out), context)
    generation = f"\n<!-- tunerbench generation {uuid.uuid4().hex} -->\n"
    written.save(page(context) + generation, render_verdict(context) + generation)
    return written


def publish(written: WrittenReport, out: Path) -> WrittenReport:
    """A copy of a written report and its verdict at ``out``, written as a pair."""
    copy = WrittenReport(out, WrittenReport.verdict_beside(out), written.context)
    try:
        html = written.path.read_text(encoding="utf-8")
        verdict = written.verdict_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"cannot write the report to {out} ({exc.strerror or exc})") from None
    copy.save(html, verdict)
    return copy
