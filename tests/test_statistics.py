"""Statistics over seeds on constructed data with known answers.

Every warning is an error here (``pytestmark``), so a degenerate case that makes scipy warn or
return NaN fails the test instead of slipping through.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import stats

from tunerbench.report.decision.statistics import (
    budget,
    descriptive,
    pair_tests,
    paired,
    ranks,
    seed_counts,
    version_tests,
    win_rates,
)

pytestmark = pytest.mark.filterwarnings("error")

TUNERS = ["random", "bayes", "hyperband", "tpe", "best"]


def ordered_table(n_seeds: int, n_tuners: int = 5, noise: float = 0.1, seed: int = 0) -> dict:
    """Tuner i scores i + noise on every seed, so the order is known (last tuner best)."""
    rng = np.random.default_rng(seed)
    return {
        TUNERS[i]: {s: i + float(rng.normal(0, noise)) for s in range(n_seeds)}
        for i in range(n_tuners)
    }


def clean_sweep_table(n_seeds: int, seed: int = 0) -> dict:
    """Four similar tuners plus 'best', which is +0.01 (plus small noise) above all on each seed."""
    rng = np.random.default_rng(seed)
    base = 0.8 + 0.05 * rng.random(n_seeds)
    table = {t: {s: float(base[s] + rng.normal(0, 0.001)) for s in range(n_seeds)} for t in TUNERS}
    table["best"] = {s: float(base[s] + 0.01 + rng.normal(0, 0.001)) for s in range(n_seeds)}
    return table


def test_clear_winner_is_significant_with_10_seeds_and_5_tuners() -> None:
    result = paired.pairwise_wilcoxon(clean_sweep_table(10))
    assert result.n_blocks == 10 and len(result.pairs) == 10 and result.can_be_significant
    for other in TUNERS[:-1]:
        test = result.pair(other, "best")
        assert test.wins_b == 10 and test.wins_a == 0 and test.mean_difference < -0.005
        assert test.p_raw == pytest.approx(2 / 2**10)
        assert test.p_holm < 0.05 and test.significant and test.better == "best"


def test_a_pairs_lead_is_read_from_its_better_tuner_whichever_it_is() -> None:
    """'best' is b in every pair it is in: its lead is -(a - b), the interval flipped with it,
    and its wins and posterior are b's; a pair whose a is better reads as stored."""
    result = paired.pairwise_wilcoxon(clean_sweep_table(10))
    test = result.pair("random", "best")
    assert test.better == "best" and test.a == "random" and not test.a_better
    assert (test.lead.estimate, test.lead.low, test.lead.high) == (
        -test.hodges_lehmann, -test.hl_high, -test.hl_low,
    )  # fmt: skip
    assert test.lead.low <= test.lead.estimate <= test.lead.high and test.lead.estimate > 0
    assert test.better_wins == test.wins_b == 10
    assert test.equivalence is not None and test.p_beyond_region == test.equivalence.p_b_better
    assert test.table_lead is None  # real runs: no table to resample
    ahead = pair_tests.Lead.of(0.02, 0.01, 0.03, a_ahead=True)
    assert (ahead.estimate, ahead.low, ahead.high) == (0.02, 0.01, 0.03)


def test_only_complete_blocks_are_used() -> None:
    table = clean_sweep_table(10)
    table["random"][99] = 0.0  # a seed only one tuner has must be ignored
    del table["tpe"][0]
    tuners, seeds, matrix = descriptive.complete_blocks(table)
    assert tuners == TUNERS and seeds == list(range(1, 10)) and matrix.shape == (9, 5)
    assert paired.pairwise_wilcoxon(table).n_blocks == 9


def test_identical_tuners_are_never_significant() -> None:
    values = {s: 0.8 + 0.01 * s for s in range(10)}
    table = {"a": dict(values), "b": dict(values), "c": {s: v + 0.05 for s, v in values.items()}}
    test = paired.pairwise_wilcoxon(table).pair("a", "b")
    assert test.p_raw == 1.0 and test.p_holm == 1.0 and not test.significant
    assert test.better is None and test.ties == 10 and test.mean_difference == 0.0
    # equal in exact arithmetic but not in floats: rounded differences make these ties
    noisy = {"a": {0: 0.1 + 0.2, 1: 0.7}, "b": {0: 0.3, 1: 0.7}}
    assert paired.pairwise_wilcoxon(noisy).pair("a", "b").ties == 2
    # accuracies on a 1/100 grid: one zero difference and tied |differences| (scipy's permutation
    # path); the zero is dropped, four wins of four give the exact p 2 / 2**4 without warnings
    grid = {"a": [0.85, 0.86, 0.90, 0.80, 0.93], "b": [0.84, 0.85, 0.88, 0.80, 0.90]}
    test = paired.pairwise_wilcoxon({t: dict(enumerate(v)) for t, v in grid.items()}).pairs[0]
    assert (test.wins_a, test.ties, test.p_raw) == (4, 1, pytest.approx(0.125))
    for n_seeds in (0, 1):  # fewer than two blocks: p = 1, not significant
        short = {t: {s: v for s, v in values.items() if s < n_seeds} for t in "ab"}
        short["b"] = {s: v + 1 for s, v in short["b"].items()}
        assert paired.pairwise_wilcoxon(short).pairs[0].p_raw == 1.0


def test_too_few_seeds_cannot_be_significant() -> None:
    result = paired.pairwise_wilcoxon(ordered_table(5, noise=0.01))  # every pair a clean sweep
    assert result.min_possible_p == 0.0625 and not result.can_be_significant
    assert result.pair("random", "best").p_raw == pytest.approx(0.0625)
    assert not any(p.significant for p in result.pairs)
    assert paired.pairwise_wilcoxon(ordered_table(9, noise=0.01)).can_be_significant


def test_seeds_needed() -> None:
    expected = {5: 0.0625, 6: 0.031, 7: 0.016, 8: 0.0078, 9: 0.0039, 10: 0.0020}
    for n, p in expected.items():
        assert seed_counts.min_wilcoxon_p(n) == pytest.approx(p, abs=5e-4)
        assert stats.wilcoxon(np.arange(1.0, n + 1)).pvalue == pytest.approx(
            seed_counts.min_wilcoxon_p(n)
        )
    assert (
        seed_counts.seeds_needed(5) == 9
        and seed_counts.seeds_needed(2) == 6
        and seed_counts.seeds_needed(3) == 7
    )
    with pytest.raises(ValueError):
        seed_counts.seeds_needed(1)


def test_describe_interval_contains_iqm_and_mean_of_symmetric_sample() -> None:
    values = [0.80, 0.82, 0.84, 0.86, 0.88, 0.90, 0.92]
    d = descriptive.describe(values, resamples=2000)
    assert d.n == 7 and d.mean == pytest.approx(0.86) and d.iqm == pytest.approx(0.86)
    assert d.median == pytest.approx(0.86) and d.sd == pytest.approx(np.std(values, ddof=1))
    assert d.iqm_low < d.iqm < d.iqm_high and d.iqm_low < d.mean < d.iqm_high
    assert descriptive.describe(values, resamples=2000) == d  # fixed seed: reproducible


def test_iqm_is_robust_to_an_outlier() -> None:
    d = descriptive.describe([1, 2, 3, 4, 100], resamples=1000)
    assert d.iqm == pytest.approx(3.0) and d.mean == pytest.approx(22.0)
    assert d.iqm_low <= 3.0 <= d.iqm_high < 100


def test_describe_degenerate_inputs() -> None:
    one = descriptive.describe([0.5])
    assert one.sd is None and one.iqm_low is None and one.iqm_high is None and one.iqm == 0.5
    same = descriptive.describe([0.7] * 6)
    assert same.sd == pytest.approx(0.0) and same.iqm_low is None and same.iqm == pytest.approx(0.7)
    with pytest.raises(ValueError):
        descriptive.describe([])


def test_describe_clips_an_interval_that_misses_the_iqm(monkeypatch: pytest.MonkeyPatch) -> None:
    interval = SimpleNamespace(confidence_interval=SimpleNamespace(low=5.0, high=6.0))
    monkeypatch.setattr(descriptive.stats, "bootstrap", lambda *args, **kwargs: interval)
    d = descriptive.describe([1, 2, 3, 4])
    assert (d.iqm_low, d.iqm, d.iqm_high) == (2.5, 2.5, 6.0)


def test_friedman_nemenyi_on_a_clearly_ordered_table() -> None:
    result = ranks.friedman_nemenyi(ordered_table(20))
    assert result is not None and result.n_blocks == 20
    assert [result.mean_rank[t] for t in TUNERS] == [5.0, 4.0, 3.0, 2.0, 1.0]  # 1 = best
    assert result.p_chi_square < 1e-10 and result.statistic == pytest.approx(80.0)
    assert result.p_value == pytest.approx(1 / 10_000)  # no permutation reaches it: 1 / (9,999 + 1)
    assert result.nemenyi("best", "random") < 0.001 < result.nemenyi("best", "tpe")
    assert result.nemenyi("best", "random") == result.nemenyi("random", "best")
    assert result.critical_difference == pytest.approx(1.36, abs=0.005)
    assert result.cliques == [
        ["best", "tpe"],
        ["tpe", "hyperband"],
        ["hyperband", "bayes"],
        ["bayes", "random"],
    ]


@pytest.mark.parametrize(("n_blocks", "cd"), [(5, 2.73), (10, 1.93), (20, 1.36)])
def test_critical_difference(n_blocks: int, cd: float) -> None:
    q = stats.studentized_range.ppf(0.95, 5, np.inf) / math.sqrt(2)
    assert q == pytest.approx(2.728, abs=5e-4)
    assert ranks.critical_difference(5, n_blocks) == pytest.approx(cd, abs=0.005)
    result = ranks.friedman_nemenyi(ordered_table(n_blocks))
    assert result is not None and result.critical_difference == pytest.approx(cd, abs=0.005)


def test_cliques_for_hand_built_mean_ranks() -> None:
    mean_rank = {"e": 4.8, "a": 1.0, "c": 2.9, "b": 1.5, "d": 3.2}
    assert ranks.cd_cliques(mean_rank, 2.0) == [["a", "b", "c"], ["b", "c", "d"], ["c", "d", "e"]]
    assert ranks.cd_cliques({"a": 1.0, "b": 1.2, "c": 4.0, "d": 4.1}, 1.0) == [
        ["a", "b"],
        ["c", "d"],
    ]
    assert ranks.cd_cliques({"a": 1.0, "b": 3.0, "c": 3.5}, 1.0) == [["b", "c"]]  # a stands alone
    assert ranks.cd_cliques({"a": 1.0, "b": 2.0, "c": 3.0}, 5.0) == [["a", "b", "c"]]


def test_friedman_degenerate_cases() -> None:
    assert ranks.friedman_nemenyi(ordered_table(10, n_tuners=2)) is None
    assert ranks.friedman_nemenyi(ordered_table(1)) is None
    tied = ranks.friedman_nemenyi({t: {s: 0.5 for s in range(6)} for t in "abc"})
    assert tied is not None and (tied.statistic, tied.p_value) == (0.0, 1.0)
    assert tied.mean_rank == {"a": 2.0, "b": 2.0, "c": 2.0} and tied.nemenyi("a", "c") == 1.0


def test_win_rates_with_a_tie() -> None:
    table = {"a": {0: 1, 1: 2, 2: 3, 3: 4, 9: 7}, "b": {0: 0, 1: 2, 2: 5, 3: 1}}
    # a wins seeds 0 and 3, ties seed 1, loses seed 2; seed 9 is a's alone
    rates = win_rates.win_rates(paired.pairwise_wilcoxon(table))
    assert rates.n_blocks == 4 and rates.tuners == ["a", "b"]
    assert rates.matrix == {"a": {"a": None, "b": 0.625}, "b": {"a": 0.375, "b": None}}


def test_rank_over_budget_late_starter_ranks_last() -> None:
    curves = {
        "a": {0: ([0.1, 0.5, 0.9], [0.5, 0.7, 0.8]), 1: ([0.1, 0.3], [0.6, 0.65]), 2: ([0.1], [1])},
        "b": {0: ([0.2, 0.6], [0.6, 0.9]), 1: ([0.3], [0.7])},
        "c": {0: ([0.4, 1.0], [0.55, 0.95]), 1: ([0.6, 1.0], [0.5, 0.75])},
    }
    result = budget.rank_over_budget(curves, [0.0, 0.25, 0.5, 0.75, 1.0], maximize=True)
    assert result.n_seeds == 2 and result.tuners == ["a", "b", "c"]
    assert result.at(0.0) == {"a": 2.0, "b": 2.0, "c": 2.0}  # nobody has found anything yet
    # 0.25: seed 0 b > a > c (c not started); seed 1 a first, b and c not started share 2.5
    assert result.at(0.25) == {"a": 1.5, "b": 1.75, "c": 2.75}
    assert result.at(0.26) == result.at(0.25)  # nearest grid point
    # 0.5: seed 0 a (0.7 found at exactly 0.5) > b > c; seed 1 b > a > c (c not started)
    assert result.at(0.5) == {"a": 1.5, "b": 1.5, "c": 3.0}
    assert result.at(1.0) == {"a": 3.0, "b": 2.0, "c": 1.0}
    assert all(sum(r) == 6.0 for r in zip(*result.mean_rank.values(), strict=True))
    # a trial that scored 0.0 is still a find: it beats a tuner with no finished trial yet
    found = {"a": {0: ([0.1], [0.0])}, "b": {0: ([0.5], [0.3])}}
    zero = budget.rank_over_budget(found, [0.25], maximize=True)
    assert zero.at(0.25) == {"a": 1.0, "b": 2.0}


def test_compare_versions() -> None:
    a = [0.80 + 0.002 * i for i in range(10)]
    shifted = version_tests.compare_versions(a, [v + 0.05 for v in a])
    assert shifted.different and shifted.p_value < 0.001 and shifted.can_differ
    assert shifted.difference == pytest.approx(0.05) and (shifted.n_a, shifted.n_b) == (10, 10)
    for same in (a, [0.8] * 10):
        result = version_tests.compare_versions(same, list(same))
        assert result.p_value == 1.0 and not result.different
    small = version_tests.compare_versions([1, 2, 3], [4, 5, 6])
    assert small.min_possible_p == pytest.approx(0.1) and not small.can_differ
    assert small.p_value == pytest.approx(0.1) and not small.different


def test_ranking_agreement() -> None:
    assert version_tests.ranking_agreement(["a", "b", "c"], ["a", "b", "c"]) == 1.0
    assert version_tests.ranking_agreement(["a", "b", "c"], ["c", "b", "a"]) == pytest.approx(-1.0)
    assert version_tests.ranking_agreement(["a", "b", "c"], ["b", "a", "c"]) == pytest.approx(1 / 3)
    with pytest.raises(ValueError):
        version_tests.ranking_agreement(["a", "b"], ["a", "c"])
