"""The templates' Jinja2 environment: templates read from the installed package, every value
escaped for what it is written into (``text_escaping``), the filters that format numbers, and
the states the templates branch on, by name."""

from __future__ import annotations

import importlib.resources

import jinja2

from tunerbench.records.schema import COMPLETED
from tunerbench.report.decision.upgrade_verdict import UpgradeState
from tunerbench.report.decision.verdict import VerdictState
from tunerbench.report.inputs.seed_tables import seed_spans
from tunerbench.report.rendering import filters
from tunerbench.report.rendering.listing import listing
from tunerbench.report.rendering.text_escaping import (
    Output,
    code_filter,
    markdown_text,
    terminal_text,
)
from tunerbench.report.sections.leaderboard import Mark
from tunerbench.report.sections.next_run_command import command_line

TEMPLATES = "tunerbench.report_templates"
# plotly.js's own partial bundle (npm's plotly.js-cartesian-dist-min, MIT licensed, its licence
# beside it), of the plotly.js version the plotly package pinned in pyproject.toml draws for.
PLOTLY_BUNDLE = "plotly-cartesian.min.js"


def template_source(name: str) -> str:
    """A template read from the installed package (a wheel, an editable install or a zip alike)."""
    return importlib.resources.files(TEMPLATES).joinpath(name).read_text(encoding="utf-8")


def environment(markup: Output = "html") -> jinja2.Environment:
    """The templates' environment: every value a template writes is escaped for what it writes
    (HTML by autoescaping, Markdown and the terminal's text by ``finalize``)."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(template_source),
        autoescape=True,
        finalize={"markdown": markdown_text, "text": terminal_text}.get(markup),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        num=filters.fmt_number,
        pm=filters.fmt_summary,
        describe=filters.fmt_description,
        iqm=filters.fmt_iqm,
        p=filters.fmt_p,
        ratio=filters.fmt_ratio,
        hp=filters.fmt_hyperparameters,
        pts=filters.fmt_points,
        in_points=filters.in_points,
        in_percent=filters.in_percent,
        in_minutes=filters.in_minutes,
        seedlist=seed_spans,
        listed=listing,
        squash=filters.squash,
        code=code_filter(markup),
        command_line=command_line,
    )
    # The states templates branch on, by name: a misspelt state fails, a string would not.
    env.globals.update(
        VerdictState=VerdictState, UpgradeState=UpgradeState, Mark=Mark, COMPLETED=COMPLETED
    )
    return env
