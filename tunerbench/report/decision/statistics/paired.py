"""Paired tests over seeds: Wilcoxon signed-rank between every pair of tuners, Holm-corrected,
with the direction and size of each difference read from the same signed differences the test
ranks (Hodges-Lehmann, ``paired_estimates``, with the interval of shifts the test itself does
not reject); ``win_rates`` reads the pairs' win shares from these tests.

Every pair uses the seeds both tuners ran, so a tuner missing a few seeds is still compared with
the others on the seeds it has. Differences are rounded by ``paired_differences`` everywhere, so
accuracies that are equal in exact arithmetic tie in the tests, the win rates and the estimates.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
from statsmodels.stats.multitest import multipletests

from tunerbench.report.decision.rope import DEFAULT_ROPE
from tunerbench.report.decision.statistics import ALPHA
from tunerbench.report.decision.statistics.descriptive import ScoreTable, complete_blocks, finite
from tunerbench.report.decision.statistics.equivalence import equivalence
from tunerbench.report.decision.statistics.pair_tests import PairTest, PairwiseTests
from tunerbench.report.decision.statistics.paired_estimates import (
    hodges_lehmann,
    improvement,
    interval,
    rank_biserial,
)
from tunerbench.report.decision.statistics.seed_counts import (
    min_wilcoxon_p,
    seeds_for,
)
from tunerbench.report.decision.statistics.seeds_to_tell import seeds_to_tell
from tunerbench.report.decision.statistics.signed_rank import DIGITS, shift_interval, wilcoxon_p
from tunerbench.report.decision.statistics.table_bootstrap import (
    FinalFit,
    TableBootstrap,
    table_bootstrap,
)


def paired_differences(a: Mapping[int, float], b: Mapping[int, float]) -> np.ndarray:
    """a - b on the seeds both have (in seed order), rounded to ``DIGITS``: the one tie rule."""
    seeds = sorted(set(a) & set(b))
    return np.round(finite([a[s] for s in seeds]) - finite([b[s] for s in seeds]), DIGITS)


def _direction(a: str, b: str, estimate: float, rank_biserial: float) -> str | None:
    """The better tuner by the estimate; where the estimate is exactly 0 (many tied seeds), by
    the signed ranks the test itself weighed."""
    sign = estimate if estimate != 0 else rank_biserial
    return a if sign > 0 else b if sign < 0 else None


def _pair(
    table: ScoreTable, a: str, b: str, d: np.ndarray, p: float, q: float, alpha: float,
    threshold: float, rope: float, check: TableBootstrap | None,
) -> PairTest:  # fmt: skip
    """One pair's test and estimates from its differences ``d``; ``threshold`` is Holm's first
    one in the family (alpha over the number of pairs): what a clean sweep must beat for the
    pair to decide anything."""
    seeds = sorted(set(table[a]) & set(table[b]))
    x, y = finite([table[a][s] for s in seeds]), finite([table[b][s] for s in seeds])
    estimate = float(hodges_lehmann(d)) if d.size else 0.0
    wins = float(improvement(d)) if d.size else 0.5
    effect = rank_biserial(d)
    significant = bool(q < alpha)
    enough_seeds = min_wilcoxon_p(d.size) < threshold
    same = equivalence(x, y, rope) if d.size >= 2 else None
    table_same = check is None or check.equivalent
    settled = significant or (enough_seeds and same is not None and same.equivalent and table_same)
    wins_a, wins_b = int(np.sum(d > 0)), int(np.sum(d < 0))
    hl_low, hl_high = shift_interval(d, estimate, alpha)
    wins_low, wins_high = interval(d, improvement, wins)
    return PairTest(
        a=a,
        b=b,
        seeds=seeds,
        mean_difference=float(d.mean()) if d.size else 0.0,
        hodges_lehmann=estimate,
        hl_low=hl_low,
        hl_high=hl_high,
        rank_biserial=effect,
        p_improvement=wins,
        improvement_low=wins_low,
        improvement_high=wins_high,
        wins_a=wins_a,
        wins_b=wins_b,
        ties=d.size - wins_a - wins_b,
        p_raw=p,
        p_holm=q,
        min_possible_p=min_wilcoxon_p(d.size),
        decidable=min_wilcoxon_p(np.count_nonzero(d)) < threshold,  # ties drop out
        enough_seeds=enough_seeds,
        significant=significant,
        better=_direction(a, b, estimate, effect) if significant else None,
        equivalence=same,
        # Replayed pairs: more replay seeds cannot settle what the table's runs leave open.
        seeds_to_tell=None
        if settled or check is not None
        else seeds_to_tell(d, rope, threshold, max(seeds_for(threshold), d.size + 1)),
        table_check=check,
    )


def pairwise_wilcoxon(
    table: ScoreTable,
    alpha: float = ALPHA,
    rope: float = DEFAULT_ROPE,
    fits: Mapping[str, Mapping[int, FinalFit]] | None = None,
) -> PairwiseTests:
    """Wilcoxon signed-rank test for every unordered pair on the seeds both ran, Holm-corrected
    over all pairs (``statsmodels.stats.multitest.multipletests(method="holm")``); significant
    means p_holm < alpha (strict, like ``compare_versions``). With ``fits`` (replayed runs'
    final fits), each pair's p is the larger of the test's and the bootstrap's over the
    table's training runs."""
    tuners = list(table)
    index_pairs = list(itertools.combinations(tuners, 2))
    diffs = [paired_differences(table[a], table[b]) for a, b in index_pairs]
    checks = [
        table_bootstrap(fits[a], fits[b], rope) if fits is not None else None
        for a, b in index_pairs
    ]
    p_raw = [
        max(wilcoxon_p(d), check.p if check is not None else 0.0)
        for d, check in zip(diffs, checks, strict=True)
    ]
    p_holm = list(multipletests(p_raw, alpha=alpha, method="holm")[1]) if p_raw else []
    threshold = alpha / max(1, len(index_pairs))
    pairs = [
        _pair(table, a, b, d, p, float(q), alpha, threshold, rope, check)
        for (a, b), d, p, q, check in zip(index_pairs, diffs, p_raw, p_holm, checks, strict=True)
    ]
    min_p = min((p.min_possible_p for p in pairs), default=1.0)
    possible = any(p.decidable for p in pairs)
    return PairwiseTests(tuners, len(complete_blocks(table)[1]), alpha, pairs, min_p, possible)
