"""Replayed studies in the report: never pooled with real runs (nor across tables), said to be
replayed wherever their verdict is written, advised to grow their table rather than their seeds;
and light at many seeds: figures summarise the seeds beyond ``MANY_SEEDS``, tables of runs list a
bounded number of rows, every statistic unchanged."""

from __future__ import annotations

import re

import numpy as np
import pytest
from reporting import command_of, study, variant_of

from tunerbench.records.run_result import RunResult
from tunerbench.report.decision.next_run import TabulationRun
from tunerbench.report.inputs.groups import ReplaySource
from tunerbench.report.plots.anytime import anytime_data
from tunerbench.report.plots.many_seeds import MANY_SEEDS, spread
from tunerbench.report.plots.memory import memory_data
from tunerbench.report.plots.refit_curves import refit_data, refit_summaries
from tunerbench.report.plots.search_plane import search_plane_data
from tunerbench.report.rendering.context import build_context
from tunerbench.report.rendering.listing import LISTED_ROWS, listing
from tunerbench.report.rendering.render import page, render_verdict
from tunerbench.report.rendering.templates import PLOTLY_BUNDLE, template_source
from tunerbench.search.registry import TUNERS

TABLE = "0123abcd4567ef89"
SAID = (
    f"Replayed against table {TABLE} (5 training seeds per point): every fit answered from "
    "recorded training, not trained anew."
)


def replayed(runs: list[RunResult], table: str = TABLE, seeds: int = 5) -> list[RunResult]:
    """Copies of ``runs`` as if replayed against a table of ``seeds`` training seeds per point."""
    return [variant_of(r, mode="replay", table_fingerprint=table, table_seeds=seeds) for r in runs]


def cards(html: str) -> dict[str, str]:
    """Each group's verdict cards, by the group's title."""
    found = {}
    for section in html.split('<section id="g')[1:]:
        title = re.search(r"<h2>(.*?)</h2>", section).group(1)
        found[title] = " ".join(re.findall(r'<div class="verdict .*?</details>', section, re.S))
    return found


def test_real_and_replayed_runs_of_one_problem_are_two_groups() -> None:
    real = study({"random": 0.0, "hyperband": 0.002}, seeds=3)
    context = build_context(real + replayed(real), [])
    real_group, replay_group = context.groups
    assert real_group.key.replay is None and real_group.environments[0].verdict.replay is None
    assert replay_group.key.replay == ReplaySource(TABLE, 5)
    assert replay_group.environments[0].verdict.replay == ReplaySource(TABLE, 5)
    assert [len(g.header.seeds) for g in context.groups] == [3, 3]
    assert replay_group.title.endswith("replayed against table 0123abcd")
    by_title = cards(page(context))
    assert SAID in " ".join(by_title[replay_group.title].split())
    assert "Replayed" not in by_title[real_group.title]
    text = " ".join(render_verdict(context, markdown=False).split())
    assert text.count(SAID) == 1
    markdown = render_verdict(context)
    assert f"*{SAID}*" in " ".join(markdown.split())


def test_runs_replayed_against_two_tables_are_not_pooled() -> None:
    real = study({"random": 0.0, "hyperband": 0.002}, seeds=2)
    runs = replayed(real) + replayed(real, "fedcba9876543210", seeds=10)
    groups = build_context(runs, []).groups
    assert [g.key.replay for g in groups] == [
        ReplaySource(TABLE, 5),
        ReplaySource("fedcba9876543210", 10),
    ]


def test_the_fingerprint_is_escaped_where_it_is_written() -> None:
    runs = replayed(study({"random": 0.0, "hyperband": 0.0}, seeds=2), table="<b>&x")
    context = build_context(runs, [])
    html = page(context)
    assert "<b>&x" not in html and "&lt;b&gt;&amp;x" in html


def test_a_replayed_group_is_advised_more_training_seeds_per_point() -> None:
    """The six-seed study whose real runs are told to run more seeds: replayed, its advice is
    to tabulate more training seeds per point, with --tb-table-seeds, never --tb-seeds."""
    real = study({t: (0.02 if t == "hyperband" else 0.0) for t in TUNERS.names}, seeds=6)
    context = build_context(real + replayed(real), ["reports/tunerbench-tests.json"])
    real_v, replay_v = (g.environments[0].verdict for g in context.groups)
    real_command = command_of(real_v)
    assert real_command is not None and "--tb-seeds" in real_command
    assert replay_v.next_run is not None and isinstance(replay_v.next_run.run, TabulationRun)
    assert command_of(replay_v) == (
        "pytest bench/ --tb-tabulate --tb-dataset digits --tb-profile quick --tb-table-seeds 10"
    )
    text = " ".join(render_verdict(context, markdown=False).split()).split(SAID)[1]
    assert "The table's 5 training seeds per point limit what replaying can tell" in text
    assert "more replayed seeds add nothing about it beyond them" in text
    assert "tabulate more training seeds per point" in text and "--tb-seeds" not in text
    html = " ".join(page(context).split())
    assert "--tb-table-seeds 10</code>" in html


def test_a_table_grows_where_it_was_saved_not_where_it_was_replayed() -> None:
    """Replayed into another output folder than the table's: the advice tabulates into the
    table's own (its cells are kept there, so only the new training seeds train)."""
    real = study({t: (0.02 if t == "hyperband" else 0.0) for t in TUNERS.names}, seeds=6)
    runs = [variant_of(r, table_output="/studies/my tables") for r in replayed(real)]
    context = build_context(runs, ["/studies/replay/tunerbench-tests.json"])
    (group,) = context.groups
    assert command_of(group.environments[0].verdict) == (
        "pytest bench/ --tb-tabulate --tb-dataset digits --tb-profile quick --tb-table-seeds 10 "
        "--tb-output '/studies/my tables'"
    )


def test_spread_is_the_median_and_percentiles_of_what_each_point_has() -> None:
    band = spread([[1.0, 2.0, 3.0, 4.0, 5.0], [7.0, np.nan], []])
    assert band.median[:2] == [3.0, 7.0] and np.isnan(band.median[2])
    assert band.low[0] == pytest.approx(1.4) and band.high[0] == pytest.approx(4.6)


def test_figures_summarise_seeds_beyond_the_threshold() -> None:
    few = study({"random": 0.0, "hyperband": 0.002}, seeds=MANY_SEEDS)
    many = study({"random": 0.0, "hyperband": 0.002}, seeds=MANY_SEEDS + 5)
    assert all(line.seeds and line.spread is None for line in anytime_data(few).lines)
    lines = anytime_data(many).lines
    assert all(line.seeds is None and line.spread is not None for line in lines)
    assert all(len(line.spread.low) == len(line.x) for line in lines)

    assert len(memory_data(few).lines) == 2 * MANY_SEEDS and not memory_data(few).bands
    memory = memory_data(many)
    assert not memory.lines and [b.runs for b in memory.bands] == [MANY_SEEDS + 5] * 2

    summaries = refit_summaries(refit_data(many))
    for s in summaries:
        assert s.spread is not None and sum(b.seeds for b in s.best_epochs) == MANY_SEEDS + 5
    assert all(s.spread is None and not s.best_epochs for s in refit_summaries(refit_data(few)))

    panels = search_plane_data(many).panels
    trials = {t: sum(len(r.search.trials) for r in many if r.identity.tuner == t) for t in panels}
    for name, points in panels.items():
        assert sum(p.trials for p in points) == trials[name]
        assert len({(p.x, p.y, p.val_accuracy is None) for p in points}) == len(points)
    assert all(p.trials == 1 for ps in search_plane_data(few).panels.values() for p in ps)


def test_a_listing_keeps_every_tuners_first_rows() -> None:
    rows = [variant_of(r, seed=s) for s in range(1, 61) for r in study({"random": 0.0}, 1)]
    rows += [variant_of(r, seed=s) for s in range(1, 61) for r in study({"grid": 0.0}, 1)]
    shown = listing([r.identity for r in rows], "tuner")
    assert shown.total == 120 and shown.unlisted == 120 - LISTED_ROWS
    assert [i.seed for i in shown.rows if i.tuner == "grid"] == list(range(1, 51))
    assert listing(rows[:5]).rows == rows[:5] and listing(rows[:5]).unlisted == 0


def test_tables_of_runs_list_a_bounded_number_of_rows() -> None:
    """25 seeds of five tuners: the tables of runs and trials show at most LISTED_ROWS rows and
    say how many they leave out and where those are; every statistic counts every seed."""
    runs = replayed(study({t: 0.0 for t in TUNERS.names}, seeds=25))
    context = build_context(runs, ["out/tunerbench-s.json"])
    html = page(context)
    (env,) = context.groups[0].environments
    assert {t.n_seeds for t in env.statistics.tuners} == {25}
    for table in ("per-seed", "trials"):
        body = re.search(rf'<table class="{table}[" ].*?</table>', html, re.S).group(0)
        assert body.count("<tr>") - 1 <= LISTED_ROWS
    assert "100 of 125 seeds listed; the other 25 are in the results file" in " ".join(html.split())
    trials = len(context.groups[0].trials)
    assert f"100 of {trials} trials listed; the other {trials - 100}" in " ".join(html.split())


@pytest.mark.slow
def test_a_thousand_replayed_seeds_render_a_light_report() -> None:
    """1,000 seeds of five tuners (a 22 MB page when every seed was drawn and listed, with
    the full plotly.js): under 5 MB, and beyond plotly.js (inlined once) under 1 MB."""
    runs = replayed(study({t: 0.0 for t in TUNERS.names}, seeds=1000, noise=0.01))
    html = page(build_context(runs, [])).encode()
    assert len(html) < 5_000_000
    assert len(html) - len(template_source(PLOTLY_BUNDLE).encode()) < 1_000_000
