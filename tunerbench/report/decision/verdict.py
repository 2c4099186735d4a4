"""The verdict of one environment as data, computed once: what to use, how sure that is, what
the seeds cannot tell yet and the run that would. The report's verdict card, the leaderboard's
marks, ``verdict.md`` and the terminal's last lines are all written from this one object, so no
two of them can disagree; the sentences themselves are the templates' job.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from tunerbench.records.run_result import RunResult
from tunerbench.report.decision.coverage import Leader, budget_leaders, missing_seeds, seeds_ran
from tunerbench.report.decision.next_run import NextRun, next_run
from tunerbench.report.decision.searched_alike import searched_alike
from tunerbench.report.decision.seed_statistics import SeedStatistics
from tunerbench.report.decision.statistics.pair_tests import PairTest
from tunerbench.report.inputs.groups import GroupKey, ReplaySource
from tunerbench.report.inputs.seed_tables import ExcludedRun


class VerdictState(StrEnum):
    """What the verdict found, for the templates to branch on (exposed to them by name)."""

    ALONE = "alone"  # one tuner: nothing to compare
    BEST = "best"  # one tuner better than every other by more than the region (the star)
    UNBEATEN = "unbeaten"  # some differences significant: the tuners nobody beats
    EQUIVALENT = "equivalent"  # every pair (among the tuners judged) practically equivalent
    TOO_FEW_SEEDS = "too few seeds"  # no pair can be significant at these seeds
    UNDECIDED = "undecided"  # the seeds could decide, but did not


@dataclass(frozen=True)
class Verdict:
    environment: str
    status: VerdictState
    tuners: list[str]
    seeds: list[int]  # every seed some tuner ran here
    complete_seeds: list[int]  # the seeds every tuner ran: mean ranks and Friedman's blocks
    missing: dict[str, list[int]]  # tuner -> seeds others ran and it did not (where any)
    excluded: list[ExcludedRun]  # runs left out of every statistic, with the reason
    best: str | None  # better than every other tuner by more than the region: the only star
    recommended: list[str]  # what to use: best, the unbeaten, or every equivalent tuner
    beaten: list[str]  # tuners significantly worse than some tuner (not shown negligible)
    unjudged: list[str]  # tuners neither beaten nor with enough seeds beside every other
    significant: list[PairTest]  # differences that bind the recommendation (significant, not
    # shown negligible), each with .better and .worse; the best's pairs first
    equivalent: list[PairTest]  # practically equivalent by the ROPE's posterior (a significant
    # difference inside the region among them: real, but too small to matter)
    undecided: list[PairTest]  # neither: not distinguishable with these seeds
    open_pairs: list[PairTest]  # the undecided pairs that bear on the choice: between the
    # recommended tuners, or every undecided pair when nothing is recommended yet
    cheapest: str | None  # lowest CPU per pipeline among the recommended
    pick: str | None  # where nothing is recommended: the tuner with the best evidence so far
    pick_cheapest: str | None  # and the cheapest tuner no other beats (a practical pick)
    iqm: dict[str, float]  # test accuracy's interquartile mean per tuner
    cpu_s: dict[str, float]  # mean CPU seconds per pipeline (over seeds)
    leaders: list[Leader]  # who leads at a quarter and half of the epoch budget
    objective: str  # what the leaders lead in: the search's objective, best so far
    seeds_needed: int  # a clean sweep's minimum under Holm's correction
    next_run: NextRun | None  # what would settle the open pairs (None: none is open)
    replay: ReplaySource | None  # the table every fit was answered from; None: real training
    alike: list[list[str]]  # tuners that searched the same points in the same order
    tied_alike: list[list[str]]  # of those, tuners that also trained alike (a tie by design)
    rope: float
    p_best: dict[str, float]

    @property
    def most_untied_seeds(self) -> int:
        """The most seeds on which a pair of tuners did not tie: what the signed-rank test of
        the best-placed pair ranks (tied seeds drop out of it)."""
        return max((p.untied for p in self.pairs), default=0)

    @property
    def small(self) -> list[PairTest]:
        """Significant differences not shown larger than the region: they bind the
        recommendation, yet star nobody."""
        return [p for p in self.significant if not p.decides]

    @property
    def undecided_elsewhere(self) -> int:
        """Undecided pairs outside the recommendation: not open, yet not told apart either."""
        return len(self.undecided) - len(self.open_pairs)

    @property
    def pairs(self) -> list[PairTest]:
        return self.significant + self.equivalent + self.undecided

    @property
    def worst_p(self) -> float | None:
        """The largest Holm-corrected p of the best tuner's pairs: how sure the verdict is."""
        if self.best is None:
            return None
        return max(p.p_holm for p in self.significant if self.best in (p.a, p.b))


def _recommendation(
    stats: SeedStatistics, best: str | None, judged: list[str], beaten: list[str]
) -> tuple[str, list[str]]:
    """What the pairs say, and which tuners to use: the best; every tuner when every pair is
    practically equivalent; else the judged tuners that no tuner (judged or not) significantly
    beats, when some difference binds or the judged ones are equivalent; else none, for want
    of seeds or of a clear answer."""
    pairs = stats.pairwise.pairs
    names = [t.variant for t in stats.tuners]
    if not pairs:
        return VerdictState.ALONE, names
    if best is not None:
        return VerdictState.BEST, [best]
    if all(p.equivalent for p in pairs):
        return VerdictState.EQUIVALENT, names
    unbeaten = [n for n in judged if n not in beaten]
    among_judged = [p for p in pairs if p.a in judged and p.b in judged]
    if unbeaten and beaten:
        return VerdictState.UNBEATEN, unbeaten
    if unbeaten and len(judged) > 1 and all(p.equivalent for p in among_judged):
        return (
            VerdictState.EQUIVALENT,
            unbeaten,
        )  # those with enough seeds are alike; the others are named
    return (
        VerdictState.TOO_FEW_SEEDS
        if not stats.pairwise.can_be_significant
        else VerdictState.UNDECIDED
    ), []


def _best(stats: SeedStatistics, names: list[str]) -> str | None:
    """The tuner better than every other by more than the region (a lone one beats none)."""
    better = [n for n in names if all(stats.pairwise.beats(n, o) for o in names if o != n)]
    return better[0] if better and len(names) > 1 else None


def _beaten(stats: SeedStatistics, names: list[str]) -> list[str]:
    """The tuners some tuner beats significantly, by a difference not shown negligible: never
    recommended, whichever tuner beat them and however many seeds it has."""
    worse = {p.worse for p in stats.pairwise.pairs if p.binds}
    return [n for n in names if n in worse]


def _practical_pick(
    stats: SeedStatistics, iqm: dict[str, float], beaten: list[str], cpu: dict[str, float]
) -> tuple[str | None, str | None]:
    """Where the seeds recommend nothing: the tuner with the best evidence so far (the highest
    P(best), then the highest IQM) and the cheapest tuner that no tuner beats. A practical
    choice for now, not a finding."""
    if len(iqm) < 2:
        return None, None
    leader = max(iqm, key=lambda n: (stats.p_best.get(n, 0.0), iqm[n]))
    open_ = [n for n in iqm if n not in beaten]
    return leader, min(open_, key=cpu.__getitem__) if open_ else None


def _significant(stats: SeedStatistics, best: str | None) -> list[PairTest]:
    """The differences that bind the recommendation: the best tuner's pairs first, then by
    strength of evidence."""
    binding = [p for p in stats.pairwise.pairs if p.binds]
    return sorted(binding, key=lambda p: (best not in (p.a, p.b), p.p_holm))


def _open_pairs(
    undecided: list[PairTest], recommended: list[str], unjudged: list[str]
) -> list[PairTest]:
    """The undecided pairs that bear on the choice: between tuners still in contention (the
    recommended and the unjudged), or every one while nothing is recommended."""
    contenders = set(recommended) | set(unjudged)
    return [p for p in undecided if not recommended or {p.a, p.b} <= contenders]


def _judged(stats: SeedStatistics) -> list[str]:
    """The tuners every other judged tuner can be told apart from: while some pair among them
    has too few shared seeds for a difference to be significant, the tuner with the fewest
    seeds in such a pair is set aside (a tuner run on one seed must not be "unbeaten" for
    want of evidence, nor hold back the tuners that have enough). Seeds on which a pair tied
    count as shared: two tuners that chose the same hyperparameters on most seeds have shown
    they are alike, not that they were run too little."""
    seeds = {t.variant: t.n_seeds for t in stats.tuners}
    judged = list(seeds)
    while True:
        short = [
            p  # too few shared seeds (ties included) for a difference or an equivalence
            for p in stats.pairwise.pairs
            if p.a in judged and p.b in judged and not p.enough_seeds
        ]
        if not short:
            return judged
        involved = {n for p in short for n in (p.a, p.b)}
        fewest = min(seeds[n] for n in involved)
        judged = [n for n in judged if not (n in involved and seeds[n] == fewest)]


def verdict(
    key: GroupKey,
    stats: SeedStatistics,
    runs: list[RunResult],
    excluded: list[ExcludedRun] | None = None,
    saved_in: dict[str, Path] | None = None,
) -> Verdict:
    """The verdict of usable ``runs`` (their statistics in ``stats``); ``excluded`` names the
    runs set aside before; ``saved_in`` where each session's results file is (see
    ``inputs.session_folders``)."""
    names = [t.variant for t in stats.tuners]
    best = _best(stats, names)
    judged = _judged(stats)
    beaten = _beaten(stats, names)
    status, recommended = _recommendation(stats, best, judged, beaten)
    significant = _significant(stats, best)
    cpu = {t.variant: t.described["total_cpu_s"].mean for t in stats.tuners}
    undecided = [p for p in stats.pairwise.pairs if not p.significant and not p.equivalent]
    seeds, complete_seeds = seeds_ran(stats)
    unjudged = [n for n in names if n not in judged and n not in beaten] if len(names) > 1 else []
    iqm = {t.variant: t.described["test_accuracy"].iqm for t in stats.tuners}
    pick, pick_cheapest = (None, None) if recommended else _practical_pick(stats, iqm, beaten, cpu)
    open_pairs = _open_pairs(undecided, recommended, unjudged)
    settling = next_run(
        key, stats, runs, open_pairs if best is None else [], len(seeds), saved_in or {}
    )
    alike, tied = searched_alike(runs)
    return Verdict(
        environment=stats.environment,
        status=status,
        tuners=names,
        seeds=seeds,
        complete_seeds=complete_seeds,
        missing=missing_seeds(stats, seeds),
        excluded=list(excluded or []),
        best=best,
        recommended=recommended,
        beaten=beaten,
        unjudged=unjudged,
        significant=significant,
        equivalent=[p for p in stats.pairwise.pairs if p.equivalent],
        undecided=undecided,
        open_pairs=open_pairs,
        cheapest=min(recommended, key=cpu.__getitem__) if recommended else None,
        pick=pick,
        pick_cheapest=pick_cheapest,
        iqm=iqm,
        cpu_s=cpu,
        leaders=budget_leaders(stats),
        objective=stats.objective,
        seeds_needed=stats.seeds_needed,
        next_run=settling,
        replay=key.replay,
        alike=alike,
        tied_alike=tied,
        rope=stats.rope,
        p_best=stats.p_best,
    )
