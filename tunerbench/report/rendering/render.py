"""Render saved results into one self-contained HTML report, its verdict as Markdown or the
terminal's text, and the upgrade message of ``--fail-on-change``.

Reads only result JSON (ours or pytest-benchmark's), so a report can be re-rendered and merged
across runs, seeds and TensorFlow versions on a machine without TensorFlow. Jinja2 autoescaping is
on; the only unescaped fragments are Plotly's own figure HTML and its inlined library. Numbers are
formatted by the templates' filters, so every table formats alike. Everything is checked when it
is read (``inputs.results_files``): an error while rendering is a bug, and surfaces as one.
"""

from __future__ import annotations

import html
from typing import Any

from tunerbench.records.run_result import RunResult
from tunerbench.report.decision.rope import DEFAULT_ROPE
from tunerbench.report.inputs.results_files import typed_measurements
from tunerbench.report.rendering.context import ReportContext, build_context
from tunerbench.report.rendering.templates import PLOTLY_BUNDLE, environment, template_source
from tunerbench.report.rendering.text_escaping import Output


def report_context(
    results: list[RunResult],
    sources: list[str],
    perf: list[dict[str, Any]] | None = None,
    rope: float = DEFAULT_ROPE,
) -> ReportContext:
    """The report's context from runs and measurements as ``read_results`` returns them; a
    measurement not of its record's shape is one line (``ReportError``) before anything is
    computed."""
    return build_context(results, sources, typed_measurements(perf or [], sources), rope)


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
    return template.render(plotly_js=template_source(PLOTLY_BUNDLE), report=context)


def render_verdict(context: ReportContext, markdown: bool = True) -> str:
    """The verdicts as Markdown (``verdict.md``, a CI job summary) or as the terminal's text:
    one template, so the two say the same as the report's cards."""
    return _text(context, "verdict.md.j2", "markdown" if markdown else "text") + "\n"


def render_upgrade(context: ReportContext) -> str:
    """Each setup's upgrade verdict as text: the message of ``--fail-on-change``."""
    return _text(context, "upgrade.txt.j2", "text")


def _text(context: ReportContext, template_name: str, markup: Output) -> str:
    """A text template rendered from the report's context, without surrounding blank lines."""
    text = environment(markup).get_template(template_name).render(report=context).strip()
    return html.unescape(text) if markup == "text" else text
