"""Paired tests over seeds: Wilcoxon signed-rank between every pair of tuners, Holm-corrected,
with the direction and size of each difference read from the same signed differences the test
ranks (Hodges-Lehmann, ``paired_estimates``, with the interval of shifts the test itself does
not reject), and pairwise win rates.

Every pair uses the seeds both tuners ran, so a tuner missing a few seeds is still compared with
the others on the seeds it has. Differences are rounded by ``paired_differences`` everywhere, so
accuracies that are equal in exact arithmetic tie in the tests, the win rates and the estimates.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from statsmodels.stats.multitest import multipletests

from tunerbench.report.decision.rope import DEFAULT_ROPE
from tunerbench.report.decision.statistics import ALPHA
from tunerbench.report.decision.statistics.descriptive import ScoreTable, complete_blocks, finite
from tunerbench.report.decision.statistics.equivalence import Equivalence, equivalence
from tunerbench.report.decision.statistics.paired_estimates import (
    hodges_lehmann,
    improvement,
    interval,
    rank_biserial,
)
from tunerbench.report.decision.statistics.seed_counts import (
    SeedEstimate,
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


@dataclass(frozen=True)
class Lead:
    """A paired difference read as the better tuner's lead (better - worse) with its 95%
    interval: the orientation the verdict's sentences speak in, made once here rather than
    flipped wherever a pair is written."""

    estimate: float
    low: float
    high: float

    @classmethod
    def of(cls, estimate: float, low: float, high: float, *, a_ahead: bool) -> Lead:
        """``estimate`` [``low``, ``high``] of a - b, as a's lead where ``a_ahead``, else b's."""
        return cls(estimate, low, high) if a_ahead else cls(-estimate, -high, -low)


@dataclass(frozen=True)
class PairTest:
    """Two-sided Wilcoxon signed-rank test of tuner a against tuner b over the seeds both ran.

    Direction and size come from the Hodges-Lehmann estimate of a - b, the estimate that goes
    with the test's signed ranks; the mean is shown, never used to decide.
    """

    a: str
    b: str
    seeds: list[int]
    mean_difference: float  # mean of a - b
    hodges_lehmann: float  # median of the Walsh averages of a - b
    hl_low: float  # its 95% interval: the shifts the signed-rank test does not reject
    hl_high: float
    rank_biserial: float  # effect size, -1..1, positive for a
    p_improvement: float  # P(a > b) on a seed, a tie counting half
    improvement_low: float  # its 95% bootstrap interval
    improvement_high: float
    wins_a: int
    wins_b: int
    ties: int
    p_raw: float
    p_holm: float
    min_possible_p: float  # a clean sweep's exact p at this many seeds
    decidable: bool  # enough untied seeds for a clean sweep to pass Holm's first threshold
    enough_seeds: bool  # as many seeds as that, ties included: the floor for equivalence
    significant: bool  # p_holm < alpha
    better: str | None  # the sign of the estimate, only when significant
    equivalence: Equivalence | None  # Bayesian signed-rank test with a ROPE (None below 2 seeds)
    seeds_to_tell: SeedEstimate | None  # about how many seeds would settle it, where these do not
    # Replayed runs only: the bootstrap over the table's training runs (``table_bootstrap``).
    # Its p joins the test's (the larger counts in Holm's family), and equivalence and the
    # star need it to agree: replay seeds know no more of training's noise than the table.
    table_check: TableBootstrap | None = None

    @property
    def n_blocks(self) -> int:
        return len(self.seeds)

    @property
    def untied(self) -> int:
        """The seeds the signed-rank test ranks: tied seeds drop out of it."""
        return self.wins_a + self.wins_b

    @property
    def a_better(self) -> bool:
        """Whether the better tuner is a (False also where neither is)."""
        return self.better == self.a

    @property
    def lead(self) -> Lead:
        """The Hodges-Lehmann estimate and its interval as the better tuner's lead."""
        return Lead.of(self.hodges_lehmann, self.hl_low, self.hl_high, a_ahead=self.a_better)

    @property
    def table_lead(self) -> Lead | None:
        """The table bootstrap's mean difference and interval as the better tuner's lead."""
        check = self.table_check
        if check is None:
            return None
        return Lead.of(check.mean_difference, check.low, check.high, a_ahead=self.a_better)

    @property
    def better_wins(self) -> int:
        """The seeds on which the better tuner was ahead."""
        return self.wins_a if self.a_better else self.wins_b

    @property
    def p_beyond_region(self) -> float | None:
        """The posterior probability that the better tuner leads by more than the region
        (None without the equivalence test)."""
        if self.equivalence is None:
            return None
        return self.equivalence.p_a_better if self.a_better else self.equivalence.p_b_better

    @property
    def worse(self) -> str | None:
        """The other tuner of a significant pair; None when the pair is not significant."""
        if self.better is None:
            return None
        return self.b if self.better == self.a else self.a

    @property
    def equivalent(self) -> bool:
        """Practically equivalent: the posterior says so, on as many seeds as a difference
        would need (with fewer, the prior alone can put everything inside the region)."""
        table = self.table_check is None or self.table_check.equivalent
        same = self.equivalence is not None and self.equivalence.equivalent
        return self.enough_seeds and same and table

    @property
    def binds(self) -> bool:
        """A difference no recommendation may ignore: significant, and not shown negligible
        (the worse tuner is not recommended)."""
        return self.significant and not self.equivalent

    @property
    def decides(self) -> bool:
        """A difference shown to matter: significant, and larger than the region of practical
        equivalence with posterior probability >= 0.95 (what the star needs)."""
        table = self.table_check is None or self.table_check.beyond(self.a_better)
        return (
            self.binds
            and self.equivalence is not None
            and self.equivalence.beyond(self.a_better)
            and table
        )


@dataclass(frozen=True)
class PairwiseTests:
    """All pairs, Holm-corrected together, plus whether the design can detect anything at all."""

    tuners: list[str]
    n_blocks: int  # seeds every tuner ran
    alpha: float
    pairs: list[PairTest]
    min_possible_p: float  # smallest exact two-sided Wilcoxon p at the most seeds a pair has
    can_be_significant: bool  # some pair's min_possible_p < alpha / number of pairs (Holm)

    def pair(self, a: str, b: str) -> PairTest:
        """The test of a against b, whichever order it was stored in (KeyError if none)."""
        for test in self.pairs:
            if {test.a, test.b} == {a, b} and a != b:
                return test
        raise KeyError((a, b))

    def beats(self, winner: str, loser: str) -> bool:
        """Whether ``winner`` is better than ``loser`` by a difference that matters."""
        pair = self.pair(winner, loser)
        return pair.decides and pair.better == winner


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


@dataclass(frozen=True)
class WinRates:
    """matrix[a][b]: share of the seeds both ran where a beats b (tie = 1/2); diagonal None.

    Invariant: matrix[a][b] + matrix[b][a] == 1. A pair with no shared seed is None.
    """

    tuners: list[str]
    n_blocks: int
    matrix: dict[str, dict[str, float | None]]


def win_rates(tests: PairwiseTests) -> WinRates:
    """How often each tuner beats each other one on the same seed: the pairs' P(improvement)."""
    matrix: dict[str, dict[str, float | None]] = {a: {} for a in tests.tuners}
    for a in tests.tuners:
        for b in tests.tuners:
            if a == b:
                matrix[a][b] = None
                continue
            pair = tests.pair(a, b)
            share = pair.p_improvement if pair.a == a else 1.0 - pair.p_improvement
            matrix[a][b] = share if pair.n_blocks else None
    return WinRates(tests.tuners, tests.n_blocks, matrix)
