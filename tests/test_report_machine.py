"""This machine against the reference figures: each row computed from real recorded runs (and
measurement records) changed on purpose, so every figure has a known answer."""

from __future__ import annotations

import copy
import html
import re
from typing import Any

import pytest
from reporting import recorded

from tunerbench.records.results_file import read_measurements
from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import PhaseTiming
from tunerbench.report.inputs.groups import group_key
from tunerbench.report.inputs.run_totals import total_wall
from tunerbench.report.rendering.render import render_html
from tunerbench.report.sections.machine_vs_reference import MachineFigures, machine_figures
from tunerbench.report.sections.performance import performance
from tunerbench.report.sections.reference import REFERENCE

HOSTILE = "<script>alert(1)</script>"


def changed(run: RunResult, **changes: Any) -> RunResult:
    """A copy of a recorded run; its start time stays a real time stamp (the study bound reads
    it), which orders the copies like the runs they were made from."""
    return copy.deepcopy(run).replace(**changes)


def slower(run: RunResult, factor: float, **changes: Any) -> RunResult:
    """The same pipeline, every phase ``factor`` times as long; with Keras' default loop unless
    ``changes`` say otherwise."""
    phases = {k: PhaseTiming(t.wall_s * factor, t.cpu_s) for k, t in run.cost.phases.items()}
    return changed(run, **{"loop": "keras-default", "phases": phases, **changes})


def figures(runs: list[RunResult], perf: list[dict[str, Any]] | None = None) -> MachineFigures:
    """The section of ``runs`` and measurements as a results file holds them."""
    key = group_key(runs[0])
    return machine_figures(key, runs, performance(key, runs, read_measurements(perf or [])))


@pytest.fixture(scope="module")
def reference_setup() -> list[RunResult]:
    """The recorded runs as if at the reference run's dataset and profile, in one session."""
    return [
        changed(r, dataset="fashion_mnist", profile="reference", session="s1") for r in recorded()
    ]


def test_the_fast_loop_against_keras_default_per_tuner() -> None:
    """Two hyperband pairs (6x and 4x) make one row: the time-weighted ratio and the spread."""
    runs = {r.identity.tuner: r for r in recorded()}
    hyperband, random = runs["hyperband"], runs["random"]
    second = slower(hyperband, 2.0, loop="fast", seed=2)  # its own fast pipeline took 2x
    pairs = [
        hyperband, slower(hyperband, 6.0), second, slower(second, 4.0), random,
        slower(random, 3.0),
    ]  # fmt: skip
    random_row, hyperband_row = figures(pairs).loops  # in the registry's order of tuners
    assert (random_row.tuner, random_row.pairs) == ("random", 1)
    assert random_row.ratio == pytest.approx(3.0) and random_row.low == random_row.high
    assert (hyperband_row.tuner, hyperband_row.pairs) == ("hyperband", 2)
    assert hyperband_row.fast_s == pytest.approx(3 * total_wall(hyperband))
    assert hyperband_row.default_s == pytest.approx(14 * total_wall(hyperband))
    assert hyperband_row.ratio == pytest.approx(14 / 3)  # not the mean of the pairs' 6x and 4x
    assert (hyperband_row.low, hyperband_row.high) == (pytest.approx(4.0), pytest.approx(6.0))
    assert figures(recorded()).loops == []  # no default-loop run: no pair, no row


def test_hyperbands_search_stands_beside_the_reference_in_its_setup_only(
    reference_setup: list[RunResult],
) -> None:
    hyperband = next(r for r in reference_setup if r.identity.tuner == "hyperband")
    fewer = {"n_trials": 1, "trials": hyperband.search.trials[:1]}
    others = [changed(hyperband, **fewer, **c) for c in ({"seed": 2}, {"workers": 2})]
    runs = others + reference_setup  # started at the same time: the first of them would count
    result = figures(runs)
    (search,) = result.hyperband  # seed 1 in one process only
    assert (search.session, search.loop) == ("s1", "fast")
    assert search.trials == hyperband.search.n_trials
    assert search.search_s == hyperband.cost.phases["search"].wall_s
    assert result.comparable and result.reference is REFERENCE
    assert not figures(recorded()).comparable  # digits, quick profile


def test_the_one_seed_study_one_after_another(reference_setup: list[RunResult]) -> None:
    """Five seed-1 pipelines with their start-up; a session missing a tuner has no study, and
    a throughput measurement's sequential half counts only its seed-1 pipelines."""
    runs = [changed(r, startup_s=10.0 + i) for i, r in enumerate(reference_setup)]
    partial = [changed(r, session="s2") for r in runs[:4]]
    pipeline = {"startup_s": 2.0, "threads": 1, "test_accuracy": 0.9}
    sequential = [
        {"tuner": r.identity.tuner, "seed": seed, "wall_s": 100.0 * seed, **pipeline}
        for seed in (2, 1)
        for r in runs
    ]
    measured = {
        "kind": "cluster_throughput", "dataset": "fashion_mnist", "profile": "reference",
        "cluster": "local:2", "pipelines": 10, "sequential_s": 1512.0, "cluster_s": 1008.0,
        "ratio": 1.5, "sequential": sequential, "on_cluster": [],
    }  # fmt: skip
    elsewhere = {**measured, "dataset": "digits", "ratio": 9.0}
    result = figures(runs + partial, [measured, elsewhere])
    session, throughput = result.studies
    expected = sum(total_wall(r) for r in runs) + sum(10.0 + i for i in range(5))
    assert (session.session, session.throughput) == ("s1", None)
    assert session.seconds == pytest.approx(expected)
    assert throughput.throughput == 1 and throughput.seconds == pytest.approx(5 * 102.0)
    (row,) = result.throughput  # the digits record belongs to another group
    assert (row.cluster, row.pipelines, row.ratio) == ("local:2", 10, 1.5)
    assert (row.sequential_s, row.cluster_s) == (1512.0, 1008.0)


def test_the_session_process_memory_from_the_second_pipeline() -> None:
    """Read in the order the session collected them (their start), not the files' order."""
    runs = recorded()  # started in this order, one pipeline after another
    memory = (400.0, 500.0, 520.0, 550.0, 560.0)
    grown = [changed(r, collector_rss_mb=mb) for r, mb in zip(runs, memory, strict=True)]
    short = [changed(r, session="other", collector_rss_mb=300.0) for r in runs[:2]]
    (row,) = figures(grown[::-1] + short).memory  # two pipelines are too few to tell growth
    assert (row.pipelines, row.second_mb, row.last_mb) == (5, 500.0, 560.0)
    assert row.growth_percent == pytest.approx(12.0)


def _section(page: str) -> str:
    section = page[page.index(">This machine against the reference figures<") :]
    section = section[: section.index("<h4>", 1)]
    return re.sub(r"\s+", " ", section)


def test_the_section_shows_measured_figures_beside_the_reference(
    reference_setup: list[RunResult],
) -> None:
    runs = [
        changed(r, collector_rss_mb=400.0 + 10 * i, session=HOSTILE)
        for i, r in enumerate(reference_setup)
    ]
    hyperband = next(r for r in runs if r.identity.tuner == "hyperband")
    epoch = {
        "kind": "epoch_speed", "dataset": "fashion_mnist", "profile": "reference", "units": 176,
        "default_epoch_s": 1.907, "fast_epoch_s": 0.308, "speedup": 6.19, "matmul_gflops": 431.2,
        "gflop_per_epoch": 43.6, "bound_epoch_s": 0.101, "fast_over_bound": 3.05,
        "epochs_timed": 6,
    }  # fmt: skip
    default = slower(hyperband, 6.0, collector_rss_mb=None)
    section = _section(render_html([*runs, default], ["x"], [epoch]))
    text = html.unescape(re.sub(r"<[^>]+>", " ", section)).lower()
    for word in ("target", "goal", "set for", " met ", "at least", "under 6"):
        assert word not in text
    reference = '<td class="text">30 trials in 3.1 min (184 s)</td>'
    search = hyperband.cost.phases["search"].wall_s
    assert section.count(reference) == 2  # beside Hyperband's search only, under each loop
    for seconds in (search, 6 * search):
        trials = f"{hyperband.search.n_trials} trials in {seconds / 60:.1f} min ({seconds:.0f} s)"
        assert f'<td class="text">{trials}</td>{reference}' in section
    assert "fast loop over Keras' default, whole pipeline: hyperband" in section
    assert "6.00x (" in section
    assert "0.308 s against 0.101 s: 3.05x (matmul 431 GFLOP/s)" in section
    assert "410 MB to 440 MB (7.3% over 5 pipelines)" in section
    assert HOSTILE not in section and "session &lt;script&gt;alert(1)&lt;/script&gt;" in section
    digits = _section(render_html(recorded(), ["x"]))
    assert reference not in digits and "every row has a dash" in digits
