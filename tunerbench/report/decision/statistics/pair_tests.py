"""What the pair tests found, as records the verdict reads: each pair's test (``PairTest``), all
pairs together (``PairwiseTests``) and a difference read as the better tuner's lead (``Lead``).

``paired.pairwise_wilcoxon`` computes them; everything that decides (significant, equivalent,
beyond the region) is a property here, read from the stored figures, so the verdict, the next
run's advice and the report ask one record the same question.
"""

from __future__ import annotations

from dataclasses import dataclass

from tunerbench.report.decision.statistics.equivalence import Equivalence
from tunerbench.report.decision.statistics.seed_counts import SeedEstimate
from tunerbench.report.decision.statistics.table_bootstrap import TableBootstrap


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
