"""The verdict, the statistics behind it, the versions' comparison and the reference's spread, on
constructed results with known answers. Assertions are on the verdict object and the section
data, never on the report's English."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest
from baycomp import SignedRankTest
from reporting import command_of, study, variant_of
from scipy import stats
from statsmodels.stats.multitest import multipletests

from tunerbench.records.run_result import RunResult
from tunerbench.report.decision.next_run import PRACTICAL_SEEDS, StudyRun
from tunerbench.report.decision.seed_statistics import seed_statistics
from tunerbench.report.decision.statistics.equivalence import SAMPLES
from tunerbench.report.decision.upgrade_verdict import UpgradeState, versions_table
from tunerbench.report.decision.verdict import Verdict, VerdictState, verdict
from tunerbench.report.inputs.groups import group_key
from tunerbench.report.rendering.context import EnvironmentStatistics, build_context
from tunerbench.report.rendering.render import render_html, render_verdict
from tunerbench.report.sections.reference import reference_comparison
from tunerbench.search.registry import TUNERS


def judged(runs: list[RunResult]) -> EnvironmentStatistics:
    """The one environment of these runs, as the report computes it."""
    (environment,) = build_context(runs, []).groups[0].environments
    return environment


def marks(env: EnvironmentStatistics) -> set[str]:
    """Every tuner the leaderboard marks in any way."""
    return {r.variant for r in env.leaderboard.rows if r.best or r.recommended or r.cheapest}


def test_the_direction_comes_from_the_test_not_the_mean() -> None:
    """Hyperband ahead by 0.001 on 19 seeds and behind by 0.05 on one (a diverged seed): the
    mean favours random, the signed ranks hyperband. Hyperband is better, never random."""
    runs = study({"random": 0.0, "hyperband": 0.0}, seeds=20, noise=0.0)
    for run in runs:
        if run.identity.tuner == "random":
            run.test.accuracy = 0.90 + 0.001 * run.identity.seed
        else:
            run.test.accuracy = (
                0.90 + 0.001 * run.identity.seed + (0.001 if run.identity.seed != 7 else -0.05)
            )
    env = judged(runs)
    (pair,) = env.statistics.pairwise.pairs
    assert pair.mean_difference * (1 if pair.a == "hyperband" else -1) < 0  # the mean says random
    assert pair.significant and pair.better == "hyperband" and pair.worse == "random"
    hl = pair.hodges_lehmann if pair.a == "hyperband" else -pair.hodges_lehmann
    assert hl == pytest.approx(0.001)
    # A tenth of a point is inside the default region of practical equivalence: real, yet no
    # reason to choose; the verdict says so and marks neither tuner best.
    assert (
        pair.equivalent
        and env.verdict.status == VerdictState.EQUIVALENT
        and env.verdict.best is None
    )
    assert not any(row.best for row in env.leaderboard.rows)
    # With a region narrower than the lead, hyperband is the answer, never random.
    (env,) = build_context(runs, [], rope=0.0005).groups[0].environments
    v = env.verdict
    assert (
        v.status == VerdictState.BEST and v.best == "hyperband" and v.recommended == ["hyperband"]
    )
    assert marks(env) == {"hyperband"}
    assert [r.variant for r in env.leaderboard.rows if r.best] == ["hyperband"]
    assert env.statistics.win_rates.matrix["hyperband"]["random"] == pytest.approx(19 / 20)


def test_reruns_count_once_everywhere() -> None:
    runs = study({"random": 0.0, "hyperband": 0.005}, seeds=10)
    again = [variant_of(r, test_accuracy=0.5, threads=1) for r in runs if r.identity.seed == 1]
    env = judged(runs + again)
    assert {t.n_seeds for t in env.statistics.tuners} == {10}
    assert {p.n_blocks for p in env.statistics.pairwise.pairs} == {10}
    assert {row.seeds for row in env.leaderboard.rows} == {10}
    assert all(
        len(row.per_seed) == 10 and row.per_seed[0].runs == 2 for row in env.leaderboard.rows
    )
    assert env.verdict.seeds == list(range(1, 11)) and not env.verdict.missing
    seed_one = next(s for s in env.leaderboard.rows[0].per_seed if s.seed == 1)
    first = next(
        r
        for r in runs
        if r.identity.seed == 1 and r.identity.tuner == env.leaderboard.rows[0].variant
    )
    assert seed_one.test_accuracy == pytest.approx((first.test.accuracy + 0.5) / 2)
    assert "seed 1 (2 runs)" in env.statistics.notes[0]
    older = [
        variant_of(r, versions={**r.provenance.versions, "tensorflow": "2.15.1"})
        for r in runs + again
    ]
    table = versions_table(runs + again + older)
    assert {cell.n_runs for row in table.rows for cell in row.cells if cell} == {10}


def test_six_seeds_with_a_consistent_leader_mark_nothing() -> None:
    """Hyperband first on every one of 6 seeds: Friedman may reject, yet no pair can survive
    Holm's correction at 6 seeds, so no mark anywhere and a command that can decide."""
    runs = study({t: (0.02 if t == "hyperband" else 0.0) for t in TUNERS.names}, seeds=6)
    env = judged(runs)
    assert env.statistics.ranks is not None and env.statistics.ranks.p_value < 0.05
    v = env.verdict
    assert v.status == VerdictState.TOO_FEW_SEEDS and v.best is None and v.recommended == []
    assert marks(env) == set() and v.equivalent == []  # 6 seeds show no equivalence either
    command = command_of(v)
    assert command is not None and v.next_run is not None and v.next_run.seeds.seeds >= 9
    assert f"--tb-seeds {v.next_run.seeds.seeds}" in command
    assert "--tb-dataset digits --tb-profile quick" in command


def study_run_of(v: Verdict) -> StudyRun:
    """The verdict's next run, which must be a study of more seeds."""
    assert v.next_run is not None and isinstance(v.next_run.run, StudyRun)
    return v.next_run.run


@pytest.mark.parametrize(
    ("sources", "grows"),
    [
        ([], ""),  # where the runs were saved is not known: a new session
        (["reports/tunerbench-tests.json"], " --tb-resume --tb-dataset"),
        (["my runs/tunerbench-tests.json"], " --tb-resume --tb-output 'my runs' --tb-dataset"),
        (["elsewhere/tunerbench-another.json"], " --tb-dataset"),
    ],
)
def test_the_command_grows_the_session_the_runs_came_from(sources: list[str], grows: str) -> None:
    """Every run is session "tests"'s: where its results file was read, the command continues
    it with more seeds (in its output folder) and its time counts only the seeds it adds."""
    runs = study({t: (0.02 if t == "hyperband" else 0.0) for t in TUNERS.names}, seeds=6)
    runs = [variant_of(r, session="tests") for r in runs]
    (env,) = build_context(runs, sources).groups[0].environments
    command = command_of(env.verdict)
    assert command is not None and command.startswith(f"pytest bench/{grows}")
    run = study_run_of(env.verdict)
    assert (run.resume_in is not None) == bool(sources and "tests" in sources[0])
    (fresh,) = build_context(runs, []).groups[0].environments
    anew = study_run_of(fresh.verdict)
    if run.resume_in is not None:  # 6 of the seeds are there already
        assert run.minutes < anew.minutes
        share = (run.seeds - 6) / run.seeds
        assert run.minutes == pytest.approx(anew.minutes * share, abs=1)


def test_tuners_that_tie_on_some_seeds_are_judged_not_set_aside() -> None:
    """Hyperband and Bayesian chose alike on 4 of 10 shared seeds (the same test accuracy) and
    differ by more than a point on four others, less the other way on two: too few untied seeds
    for their own pair to be significant, and not alike, yet 10 shared seeds, so both are
    judged and, beating sklearn as random does, recommended with random."""
    runs = study({"random": 0.0, "hyperband": 0.0, "bayesian": 0.0, "sklearn": -0.02}, seeds=10)
    hyperband = {r.identity.seed: r.test.accuracy for r in runs if r.identity.tuner == "hyperband"}
    for run in runs:
        if run.identity.tuner == "bayesian":
            apart = 0.0 if run.identity.seed <= 4 else (0.012 if run.identity.seed <= 8 else -0.006)
            run.test.accuracy = hyperband[run.identity.seed] + apart
    env = judged(runs)
    pair = next(p for p in env.statistics.pairwise.pairs if {p.a, p.b} == {"hyperband", "bayesian"})
    assert pair.ties == 4 and not pair.decidable and pair.enough_seeds and not pair.equivalent
    assert env.verdict.unjudged == []
    assert set(env.verdict.recommended) == {"random", "hyperband", "bayesian"}


def test_equivalence_is_claimed_only_when_the_posterior_says_so() -> None:
    same = judged(study({"random": 0.0, "grid": 0.0, "bayesian": 0.0}, seeds=10, noise=0.0))
    assert all(p.p_holm == 1.0 and not p.significant for p in same.statistics.pairwise.pairs)
    assert all(p.equivalence.p_equivalent == 1.0 for p in same.statistics.pairwise.pairs)
    assert same.verdict.status == VerdictState.EQUIVALENT and len(same.verdict.equivalent) == 3
    assert same.verdict.recommended == ["random", "grid", "bayesian"]
    cpu = same.verdict.cpu_s
    assert same.verdict.cheapest == min(same.verdict.recommended, key=cpu.__getitem__)
    # Noisy seeds, no true difference: nothing significant, yet nothing shown equivalent
    # either with a ROPE narrower than the noise; the verdict says so and asks for more seeds.
    noisy = study({"random": 0.0, "grid": 0.0}, seeds=8, noise=0.02)
    env = build_context(noisy, [], rope=0.001).groups[0].environments[0]
    (pair,) = env.statistics.pairwise.pairs
    assert not pair.significant and not pair.equivalent and pair.equivalence.p_equivalent < 0.95
    assert env.verdict.status == VerdictState.UNDECIDED and env.verdict.undecided == [pair]
    # Telling them apart would take far more seeds than a next run: no command, the estimate.
    settling = env.verdict.next_run
    assert settling is not None and settling.run is None and env.verdict.recommended == []
    assert not settling.seeds.reached or settling.seeds.seeds > PRACTICAL_SEEDS


def test_a_tuner_missing_seeds_is_named_and_the_others_still_compared() -> None:
    advantage = {"random": 0.0, "grid": 0.0, "hyperband": 0.01, "bayesian": 0.0, "sklearn": 0.0}
    runs = [
        r
        for r in study(advantage, seeds=10)
        if not (r.identity.tuner == "bayesian" and r.identity.seed > 8)
    ]
    env = judged(runs)
    v = env.verdict
    assert v.missing == {"bayesian": [9, 10]} and v.seeds == list(range(1, 11))
    assert v.complete_seeds == list(range(1, 9)) and env.statistics.ranks.n_blocks == 8
    stats = env.statistics.pairwise
    assert stats.pair("hyperband", "random").n_blocks == 10
    assert stats.pair("hyperband", "bayesian").n_blocks == 8
    # Hyperband led on all 10 seeds: on the 10 seeds it shares with random, grid and sklearn it
    # beats them, and bayesian's missing seeds do not hide that. Bayesian's 8 seeds are too few
    # for any of its pairs to pass Holm's first threshold: it is set aside, named, and the
    # others are judged without it.
    assert all(stats.beats("hyperband", t) for t in ("random", "grid", "sklearn"))
    assert (
        v.status == VerdictState.UNBEATEN
        and v.recommended == ["hyperband"]
        and v.unjudged == ["bayesian"]
    )
    assert v.best is None  # not shown better than bayesian


def test_a_tuner_on_too_few_seeds_is_never_recommended_for_want_of_evidence() -> None:
    runs = study({"random": 0.0, "hyperband": 0.01, "sklearn": -0.05}, seeds=10)
    runs = [r for r in runs if not (r.identity.tuner == "sklearn" and r.identity.seed > 1)]
    v = judged(runs).verdict
    assert v.unjudged == ["sklearn"] and "sklearn" not in v.recommended
    assert v.recommended == ["hyperband"] and v.cheapest == "hyperband"


def test_equivalence_needs_as_many_seeds_as_a_difference() -> None:
    """Two seeds whose differences lie inside the region: baycomp's prior alone would say
    "equivalent" (P = 1.0); the verdict does not."""
    runs = study({"random": 0.0, "grid": 0.0, "hyperband": 0.0}, seeds=2, noise=0.001)
    env = judged(runs)
    assert any(p.equivalence.p_equivalent > 0.95 for p in env.statistics.pairwise.pairs)
    assert not any(p.equivalent for p in env.statistics.pairwise.pairs)
    assert env.verdict.status == VerdictState.TOO_FEW_SEEDS and env.verdict.recommended == []


def test_a_setup_whose_every_run_is_broken_still_renders_and_names_them() -> None:
    runs = study({"random": 0.0, "hyperband": 0.0}, seeds=2)
    for run in runs:
        run.test.accuracy = None
    context = build_context(runs, [])
    (group,) = context.groups
    assert group.environments == [] and len(group.unplaced) == 4
    page = render_html(runs, ["x"])
    assert "random seed 1" in page and "hyperband seed 2" in page
    assert "hyperband seed 2" in render_verdict(context)


@pytest.mark.parametrize("broken", [None, math.nan, math.inf, 1.5])
def test_broken_runs_are_excluded_and_named(broken: float | None) -> None:
    runs = study({"random": 0.0, "hyperband": 0.005}, seeds=4)
    bad = next(r for r in runs if r.identity.tuner == "hyperband" and r.identity.seed == 3)
    bad.test.accuracy = broken  # type: ignore[assignment]
    context = build_context(runs, [])
    (group,) = context.groups
    (excluded,) = group.excluded
    assert (excluded.variant, excluded.seed) == ("hyperband", 3)
    (env,) = group.environments
    assert env.verdict.excluded == [excluded]
    assert env.verdict.missing == {"hyperband": [3]}
    assert env.statistics.pairwise.pairs[0].n_blocks == 3
    page = render_html(runs, ["x"])  # never a crash
    assert "hyperband seed 3" in page and excluded.reason.split(" (")[0] in page


def test_a_consistent_small_lead_over_20_seeds_is_significant() -> None:
    runs = study({"random": 0.0, "hyperband": 0.002}, seeds=20, noise=0.0005)
    env = judged(runs)
    (pair,) = env.statistics.pairwise.pairs
    assert pair.significant and pair.better == "hyperband"
    lead = (pair.hl_low, pair.hl_high) if pair.a == "hyperband" else (-pair.hl_high, -pair.hl_low)
    assert 0 < lead[0] <= 0.002 <= lead[1] < 0.005
    # A fifth of a point is inside the default region: significant, yet both are good choices.
    assert env.verdict.status == VerdictState.EQUIVALENT and pair.equivalent
    narrow = build_context(runs, [], rope=0.001).groups[0].environments[0].verdict
    assert narrow.status == VerdictState.BEST and narrow.best == "hyperband"


def test_pairs_agree_with_scipy_statsmodels_and_baycomp_called_directly() -> None:
    advantage = {
        "random": 0.0,
        "grid": -0.004,
        "hyperband": 0.006,
        "bayesian": 0.0,
        "sklearn": 0.002,
    }
    runs = study(advantage, seeds=10, noise=0.004)
    stats_ = seed_statistics("env", runs)
    table = {
        t: {r.identity.seed: r.test.accuracy for r in runs if r.identity.tuner == t}
        for t in TUNERS.names
    }
    pairs = list(itertools.combinations(TUNERS.names, 2))
    expected_p = []
    for a, b in pairs:
        d = np.round(np.array([table[a][s] - table[b][s] for s in range(1, 11)]), 12)
        expected_p.append(stats.wilcoxon(d, zero_method="wilcox").pvalue)
    expected_holm = multipletests(expected_p, method="holm")[1]
    assert len(stats_.pairwise.pairs) == 10
    for (a, b), p, q in zip(pairs, expected_p, expected_holm, strict=True):
        test = stats_.pairwise.pair(a, b)
        assert (test.a, test.b) == (a, b)
        assert test.p_raw == pytest.approx(p) and test.p_holm == pytest.approx(q)
        x = np.array([table[a][s] for s in range(1, 11)])
        y = np.array([table[b][s] for s in range(1, 11)])
        left, rope, right = SignedRankTest.probs(x, y, rope=0.005, nsamples=SAMPLES, random_state=0)
        assert test.equivalence.p_a_better == pytest.approx(left)
        assert test.equivalence.p_equivalent == pytest.approx(rope)
        assert test.equivalence.p_b_better == pytest.approx(right)
        walsh = [(d1 + d2) / 2 for d1, d2 in itertools.combinations_with_replacement(x - y, 2)]
        assert test.hodges_lehmann == pytest.approx(np.median(walsh), abs=1e-12)
        assert test.hl_low <= test.hodges_lehmann <= test.hl_high


def test_a_significant_difference_below_the_best_is_named() -> None:
    """The best by mean ties with everyone, yet one pair below it differs on every seed: the
    verdict names the pair and recommends only the tuners nobody beats."""
    runs = study({"random": 0.0, "grid": -0.012, "hyperband": 0.002}, seeds=10, noise=0.0)
    for run in runs:
        # random: the highest mean, but above and below the others by turns
        if run.identity.tuner == "random":
            run.test.accuracy = 0.903 + (0.02 if run.identity.seed % 2 else -0.02)
        if run.identity.tuner == "grid":  # the cheapest, but beaten: no choice
            run.cost.phases = {name: replace(p, cpu_s=0.1) for name, p in run.cost.phases.items()}
    env = judged(runs)
    v = env.verdict
    assert v.best is None and v.status == VerdictState.UNBEATEN
    assert [(p.better, p.worse) for p in v.significant] == [("hyperband", "grid")]
    assert v.recommended == ["random", "hyperband"] and v.cheapest != "grid"
    assert marks(env) == {"random", "hyperband"}
    assert not any(row.best for row in env.leaderboard.rows)


def test_tuners_that_searched_alike_are_said_to_tie_by_construction() -> None:
    alike = study({"random": 0.0, "grid": 0.0, "bayesian": 0.0}, seeds=3, noise=0.0)
    v = judged(alike).verdict
    assert v.alike == [["random", "bayesian"]] and v.tied_alike == [["random", "bayesian"]]
    apart = judged(study({"random": 0.0, "bayesian": 0.01}, seeds=3)).verdict
    assert apart.alike == [["random", "bayesian"]] and apart.tied_alike == []


def test_one_tuner_is_compared_with_nothing() -> None:
    runs = study({"hyperband": 0.0}, seeds=3)
    v = verdict(group_key(runs[0]), seed_statistics("env", runs), runs)
    assert (
        v.status == VerdictState.ALONE and v.best is None and v.leaders == [] and v.next_run is None
    )


def test_intervals_contain_their_estimates_and_the_true_mean() -> None:
    advantage = {"random": 0.0, "hyperband": 0.01}
    stats_ = seed_statistics("env", study(advantage, seeds=10))
    for tuner in stats_.tuners:
        d = tuner.described["test_accuracy"]
        assert d.iqm_low is not None and d.iqm_high is not None
        assert d.iqm_low <= d.iqm <= d.iqm_high
        assert d.iqm_low <= d.mean <= d.iqm_high  # symmetric noise: mean and IQM agree
        assert d.iqm_low <= 0.90 + advantage[tuner.variant] <= d.iqm_high
    assert sum(stats_.p_best.values()) == pytest.approx(1.0)
    assert stats_.p_best["hyperband"] > 0.99


def test_rank_over_the_budget_has_the_three_points() -> None:
    stats_ = seed_statistics("env", study({"random": 0.0, "grid": 0.0, "hyperband": 0.0}, 3))
    assert stats_.budget is not None and stats_.budget.fractions[0] == 0.0
    assert set(stats_.ranks_at) == {0.25, 0.5, 1.0}
    for ranks in stats_.ranks_at.values():
        assert sum(ranks.values()) == pytest.approx(6.0)  # 1 + 2 + 3, ties shared


def test_versions_one_family_and_an_upgrade_verdict() -> None:
    older = study({"random": 0.0, "hyperband": 0.0}, seeds=10, tensorflow="2.15.1")
    same = study({"random": 0.0, "hyperband": 0.0}, seeds=10)
    shifted = study({"random": 0.03, "hyperband": 0.0}, seeds=10)
    table = versions_table(older + shifted)
    cells = {row.variant: row.cells[1] for row in table.rows}
    assert (
        cells["random"].status == UpgradeState.CHANGED and cells["random"].accuracy_test.different
    )
    assert [what for what, _ in cells["random"].changes] == ["test accuracy"]
    assert cells["hyperband"].status == UpgradeState.UNCHANGED
    assert [u.variant for u in table.changed] == ["random"]
    # Six tests (test accuracy, units, learning rate per tuner) in one Holm family.
    tests = [t for c in cells.values() for t in c.tests]
    assert len(tests) == 6 and all(t.p_holm >= t.p_value for t in tests)
    expected = multipletests([t.p_value for t in tests], method="holm")[1]
    assert [t.p_holm for t in tests] == pytest.approx(list(expected))
    assert cells["random"].paired is not None  # same seeds in both versions: the paired view
    assert versions_table(older + same).changed == []
    few = versions_table(
        study({"random": 0.0}, 3, tensorflow="2.15.1") + study({"random": 0.03}, 3)
    )
    (cell,) = [c for c in few.rows[0].cells if c and c.status]
    assert cell.status == UpgradeState.TOO_FEW and not cell.accuracy_test.can_differ


def test_the_verdict_as_markdown_says_what_the_card_says() -> None:
    runs = study({"random": 0.0, "grid": 0.0, "hyperband": 0.01, "bayesian": 0.0}, seeds=10)
    context = build_context(runs, [])
    text = render_verdict(context, markdown=False)
    markdown = render_verdict(context)
    assert text.startswith("# tunerbench verdict") and "**Use hyperband" in markdown
    page = render_html(runs, [])
    headline = text.split("**")[1]
    assert headline in page  # the card and the Markdown come from one macro


def test_hyperband_over_seeds_beside_the_reference() -> None:
    runs = study({"hyperband": 0.0, "random": 0.0}, seeds=6)
    (fidelity,) = reference_comparison(group_key(runs[0]), runs).fidelity
    assert fidelity.n_seeds == 6 and sum(fidelity.units.values()) == 6
    assert fidelity.test_low <= fidelity.test_accuracy.mean <= fidelity.test_high
    assert fidelity.test_within == (fidelity.test_low <= 0.8894 <= fidelity.test_high)


def test_a_diverged_final_fit_leaves_its_loss_out() -> None:
    runs = study({"random": 0.0, "grid": 0.0}, seeds=3)
    runs[0].test.loss = None  # saved as null: the final fit's loss was not finite
    rows = {row.variant: row for row in judged(runs).leaderboard.rows}
    other = "grid" if runs[0].identity.tuner == "random" else "random"
    assert (
        rows[runs[0].identity.tuner].detail["test_loss"].n == 2
        and rows[other].detail["test_loss"].n == 3
    )


def test_tuners_set_aside_are_neither_beaten_nor_recommended() -> None:
    # Random and grid share only 5 seeds: too few for their pair; both beat hyperband.
    conflict = [
        r
        for r in study({"random": 0.03, "grid": 0.03, "hyperband": 0.0}, seeds=15)
        if not (r.identity.tuner == "random" and r.identity.seed > 10)
        and not (r.identity.tuner == "grid" and r.identity.seed <= 5)
    ]
    v = judged(conflict).verdict
    assert v.status == VerdictState.UNDECIDED and v.recommended == [] and len(v.significant) == 2
    assert v.unjudged == ["random", "grid"] and command_of(v) is not None
    # Bayesian ran one seed: set aside, its pairs left open, a run to settle them proposed.
    aside = [
        r
        for r in study({"random": 0.0, "grid": 0.01, "hyperband": 0.02, "bayesian": 0.08}, 12)
        if not (r.identity.tuner == "bayesian" and r.identity.seed > 1)
    ]
    v = judged(aside).verdict
    assert (
        v.status == VerdictState.UNBEATEN
        and v.recommended == ["hyperband"]
        and v.unjudged == ["bayesian"]
    )
    assert {frozenset((p.a, p.b)) for p in v.open_pairs} == {frozenset(("hyperband", "bayesian"))}
    assert command_of(v) is not None
    # Three alike tuners are not held back by a fourth that ran one seed.
    alike = [
        r
        for r in study({"random": 0, "grid": 0, "hyperband": 0, "bayesian": -0.3}, 12, 0.0005)
        if not (r.identity.tuner == "bayesian" and r.identity.seed > 1)
    ]
    v = judged(alike).verdict
    assert v.status == VerdictState.EQUIVALENT and v.recommended == ["random", "grid", "hyperband"]


def test_tied_seeds_do_not_count_towards_a_difference() -> None:
    runs = study({"random": 0.0, "grid": 0.03}, seeds=6)
    grid = {r.identity.seed: r for r in runs if r.identity.tuner == "grid"}
    grid[1].test.accuracy = next(
        r for r in runs if r.identity.tuner == "random" and r.identity.seed == 1
    ).test.accuracy
    env = judged(runs)
    (pair,) = env.statistics.pairwise.pairs
    assert pair.ties == 1 and not pair.decidable and pair.seeds_to_tell.seeds >= 7
    assert env.verdict.status == VerdictState.TOO_FEW_SEEDS
