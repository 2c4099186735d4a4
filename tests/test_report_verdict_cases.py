"""The verdict on built results whose right answer is known, one case per rule of
docs/method.md's "The verdict": the region of practical equivalence in the star, every
significant difference binding the recommendation, tied seeds, seeds-to-tell by simulation,
the practical pick, and the same decisions at 1,000 seeds as at 200. Assertions are on the
verdict object and on the sentences written from it."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from reporting import command_of, study, variant_of
from scipy import stats

from tunerbench.records.run_result import RunResult
from tunerbench.report.decision.verdict import VerdictState
from tunerbench.report.rendering.context import EnvironmentStatistics, build_context
from tunerbench.report.rendering.render import render_verdict
from tunerbench.search.registry import TUNERS


def judged(runs: list[RunResult], rope: float = 0.005) -> EnvironmentStatistics:
    (environment,) = build_context(runs, [], rope=rope).groups[0].environments
    return environment


def said(runs: list[RunResult]) -> str:
    """The verdict as the terminal prints it, on one line."""
    return " ".join(render_verdict(build_context(runs, []), markdown=False).split())


def test_a_significant_lead_inside_the_region_gets_no_star() -> None:
    """200 seeds, hyperband ahead by +0.38 points [+0.26, +0.51]: significant, but with
    P(equivalent) 0.85 neither shown larger than the half-point region nor inside it. It is
    the tuner to use (random is significantly worse), never the starred one."""
    runs = study({"random": 0.0, "hyperband": 0.004}, seeds=200, noise=0.006)
    env = judged(runs)
    (pair,) = env.statistics.pairwise.pairs
    assert pair.significant and pair.better == "hyperband" and not pair.equivalent
    assert 0.05 < pair.equivalence.p_equivalent < 0.95
    assert not pair.decides and pair.binds
    v = env.verdict
    assert v.best is None and v.status == VerdictState.UNBEATEN and v.recommended == ["hyperband"]
    assert v.beaten == ["random"] and v.small == [pair]
    assert not any(row.best for row in env.leaderboard.rows)
    text = said(runs)
    assert "better than every other tuner" not in text
    assert "not shown larger than ±0.50 points" in text
    # With a region the lead clearly exceeds, the star is earned.
    assert judged(runs, rope=0.001).verdict.status == VerdictState.BEST


def test_a_tuner_beaten_by_an_unjudged_one_is_not_recommended() -> None:
    """Hyperband shares 4 seeds with grid (too few for that pair: it is set aside) but beats
    random on all 9 seeds they share (Holm-corrected p = 0.0117). Random and grid are alike,
    yet random is beaten, so only grid is recommended and the text names random as beaten."""
    runs = [
        r
        for r in study({"random": 0.0, "grid": 0.0, "hyperband": 0.02}, seeds=15, noise=0.001)
        if not (r.identity.tuner == "hyperband" and r.identity.seed > 9)
        and not (r.identity.tuner == "grid" and r.identity.seed < 6)
    ]
    env = judged(runs)
    pair = env.statistics.pairwise.pair("hyperband", "random")
    assert pair.binds and pair.better == "hyperband" and pair.p_holm == pytest.approx(0.01171875)
    v = env.verdict
    assert v.unjudged == ["hyperband"] and v.beaten == ["random"]
    assert v.status == VerdictState.UNBEATEN and v.recommended == ["grid"]
    assert "Use grid:" in said(runs) and "while random is beaten" in said(runs)


def test_tied_seeds_are_not_counted_as_evidence() -> None:
    """Three tuners over 10 seeds, every pair tied on 5: Holm's first threshold (0.05 / 3) needs
    6 untied seeds, and no pair has more than 5, so the headline counts 5, not 10."""
    runs = study({"random": 0.0, "grid": 0.01, "hyperband": 0.02}, seeds=10, noise=0.001)
    for run in runs:
        if run.identity.seed <= 5:
            run.test.accuracy = 0.9
    v = judged(runs).verdict
    assert v.status == VerdictState.TOO_FEW_SEEDS and v.most_untied_seeds == 5
    assert {p.n_blocks for p in v.pairs} == {10}
    text = said(runs)
    assert "at most 5 untied seeds in any pair" in text
    assert "10 seeds at most shared" not in text


def _settled_share(d: np.ndarray, n: int, threshold: float) -> float:
    """Share of 200 studies of n seeds, resampled from ``d``, that scipy's Wilcoxon calls
    significant at ``threshold``: an independent check of the estimate."""
    rng = np.random.default_rng(12345)
    rows = rng.choice(d, size=(200, n), replace=True)
    p = [stats.wilcoxon(row, zero_method="wilcox").pvalue if np.any(row) else 1.0 for row in rows]
    return float(np.mean(np.asarray(p) < threshold))


def test_seeds_to_tell_come_from_simulating_the_rule() -> None:
    """Nine seeds a point ahead and one diverged seed 20 points behind: a t-test's power asks
    for about 521 seeds; resampling the signed-rank rule itself settles it at a few dozen."""
    from tunerbench.report.decision.statistics.seeds_to_tell import seeds_to_tell

    d = np.array([0.011, 0.009, 0.012, 0.008, 0.010, 0.013, 0.007, 0.010, 0.011, -0.2])
    estimate = seeds_to_tell(d, rope=0.005, threshold=0.005, fewest=11)
    assert estimate is not None and estimate.reached and 11 <= estimate.seeds <= 80
    assert _settled_share(d, estimate.seeds, 0.005) >= 0.7
    assert _settled_share(d, max(11, estimate.seeds // 2), 0.005) < 0.8
    # Seeded: the same estimate every time.
    assert seeds_to_tell(d, rope=0.005, threshold=0.005, fewest=11) == estimate


def test_a_pair_beyond_the_simulated_range_is_never_dropped() -> None:
    """Grid is one to three points above or below random, as often and as far each way (no
    difference on the whole, a wide spread): with a region of a tenth of a point no seed count
    up to 1,000 settles that pair, and the verdict says "more than 1000", not the smaller
    estimate of the pair that is open besides."""
    runs = study({"random": 0.0, "grid": 0.0, "hyperband": 0.0}, seeds=10, noise=0.0)
    apart = [0.03, -0.03, 0.01, -0.01, 0.025, -0.025, 0.015, -0.015, 0.02, -0.02]
    for run in runs:
        seed = run.identity.seed
        base = 0.85 + 0.002 * seed
        if run.identity.tuner == "grid":
            run.test.accuracy = base + apart[seed - 1]
        elif run.identity.tuner == "hyperband":
            run.test.accuracy = base + (0.004 if seed % 3 and seed % 5 else -0.003)
        else:
            run.test.accuracy = base
    v = judged(runs, rope=0.001).verdict
    pair = next(p for p in v.open_pairs if {p.a, p.b} == {"random", "grid"})
    assert pair.seeds_to_tell is not None and not pair.seeds_to_tell.reached
    assert any(p.seeds_to_tell.reached for p in v.open_pairs if p is not pair)
    assert v.next_run is not None and not v.next_run.seeds.reached
    assert v.next_run.seeds.seeds >= 1000 and v.next_run.run is None
    text = " ".join(render_verdict(build_context(runs, [], rope=0.001), markdown=False).split())
    assert "would take more than 1000 seeds" in text


def test_the_grow_command_keeps_the_sessions_tuners() -> None:
    """Every sklearn pipeline of the session failed (no record): the command that grows the
    session still names all five tuners, or --tb-resume would not match it."""
    runs = study({t: (0.02 if t == "hyperband" else 0.0) for t in TUNERS.names}, seeds=6)
    runs = [
        variant_of(r, session="tests", session_tuners=list(TUNERS.names))
        for r in runs
        if r.identity.tuner != "sklearn"
    ]
    (env,) = build_context(runs, ["reports/tunerbench-tests.json"]).groups[0].environments
    command = command_of(env.verdict)
    assert command is not None and "--tb-resume" in command
    assert f"--tb-tuners {','.join(TUNERS.names)}" in command


def test_nothing_significant_still_names_a_practical_pick() -> None:
    """Ten seeds, differences smaller than the spread: no finding, yet the verdict names the
    tuner with the best evidence and the cheapest tuner no other beats, as a practical pick."""
    advantage = {"random": 0.0, "grid": -0.002, "hyperband": 0.003, "bayesian": 0.0}
    runs = study(advantage, seeds=10, noise=0.01)
    v = judged(runs).verdict
    assert v.status in (VerdictState.UNDECIDED, VerdictState.TOO_FEW_SEEDS) and v.recommended == []
    p_best = judged(runs).statistics.p_best
    assert v.pick == max(p_best, key=p_best.__getitem__)
    assert v.pick_cheapest == min(v.tuners, key=v.cpu_s.__getitem__)
    assert f"Practical pick for now, not a finding: {v.pick} has the best evidence" in said(runs)


def test_a_thousand_seeds_decide_as_two_hundred_do() -> None:
    """The same truth (hyperband two points ahead, the others alike) at 200 and 1,000 seeds:
    the same star and recommendation; every equivalence shown at 200 seeds still holds at
    1,000, where every pair of the four alike tuners is shown equivalent."""
    advantage = {t: (0.02 if t == "hyperband" else 0.0) for t in TUNERS.names}
    small, large = (judged(study(advantage, seeds=n, noise=0.01)).verdict for n in (200, 1000))
    for v in (small, large):
        assert (
            v.status == VerdictState.BEST
            and v.best == "hyperband"
            and v.recommended == ["hyperband"]
        )
        assert v.next_run is None
    alike = {
        frozenset(p) for p in itertools.combinations(sorted(set(TUNERS.names) - {"hyperband"}), 2)
    }
    shown = [{frozenset((p.a, p.b)) for p in v.equivalent} for v in (small, large)]
    assert shown[0] <= shown[1] == alike
