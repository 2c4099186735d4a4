"""The verdict of one environment as data, computed once: what to use, how sure that is, what
the seeds cannot tell yet and the run that would. The report's verdict card, the leaderboard's
marks, ``verdict.md`` and the terminal's last lines are all written from this one object, so no
two of them can disagree; the sentences themselves are the templates' job.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tunerbench.records.schema import RunResult
from tunerbench.report.grouping import GroupKey, total_wall, variant
from tunerbench.report.rope import DEFAULT_ROPE
from tunerbench.report.seed_statistics import SeedStatistics
from tunerbench.report.seed_tables import ExcludedRun, runs_by_seed
from tunerbench.report.statistics.paired import PairTest
from tunerbench.search.registry import TUNERS
from tunerbench.training.loops import DEFAULT_LOOP

# What the verdict found, for the templates to branch on.
ALONE = "alone"  # one tuner: nothing to compare
BEST = "best"  # one tuner significantly better than every other
UNBEATEN = "unbeaten"  # some differences significant: the tuners nobody beats
EQUIVALENT = "equivalent"  # every pair (among the tuners judged) practically equivalent
TOO_FEW_SEEDS = "too few seeds"  # no pair can be significant at these seeds
UNDECIDED = "undecided"  # the seeds could decide, but did not

# A run of more seeds than this is no practical next step; the verdict says how many it would
# take instead of printing the command.
PRACTICAL_SEEDS = 100


@dataclass(frozen=True)
class Leader:
    fraction: float  # of the epoch budget
    tuner: str
    mean_rank: float


@dataclass(frozen=True)
class Verdict:
    environment: str
    status: str  # one of the names above
    tuners: list[str]
    seeds: list[int]  # every seed some tuner ran here
    complete_seeds: list[int]  # the seeds every tuner ran: mean ranks and Friedman's blocks
    missing: dict[str, list[int]]  # tuner -> seeds others ran and it did not (where any)
    excluded: list[ExcludedRun]  # runs left out of every statistic, with the reason
    best: str | None  # significantly better than every other tuner: the only starred tuner
    recommended: list[str]  # what to use: best, the unbeaten, or every equivalent tuner
    unjudged: list[str]  # tuners with too few seeds beside some other to be judged at all
    significant: list[PairTest]  # differences that decide (significant, not negligible), each
    # with .better and .worse; the best's pairs first
    equivalent: list[PairTest]  # practically equivalent by the ROPE's posterior (a significant
    # difference inside the region among them: real, but too small to matter)
    undecided: list[PairTest]  # neither: not distinguishable with these seeds
    open_pairs: list[PairTest]  # the undecided pairs that bear on the choice: between the
    # recommended tuners, or every undecided pair when nothing is recommended yet
    cheapest: str | None  # lowest CPU per pipeline among the recommended
    cpu_s: dict[str, float]  # mean CPU seconds per pipeline (over seeds)
    leaders: list[Leader]  # who leads at a quarter and half of the epoch budget
    seeds_needed: int  # a clean sweep's minimum under Holm's correction
    more_seeds: int | None  # about how many seeds would settle the open pairs
    command: str | None  # that run, where it is practical (at most PRACTICAL_SEEDS seeds)
    minutes: int | None  # its time, from these runs' own times, one pipeline after another
    alike: list[list[str]]  # tuners that searched the same points in the same order
    tied_alike: list[list[str]]  # of those, tuners that also trained alike (a tie by design)
    rope: float
    p_best: dict[str, float]

    @property
    def most_shared_seeds(self) -> int:
        """The most seeds any pair of tuners shares."""
        return max((p.n_blocks for p in self.pairs), default=0)

    @property
    def pairs(self) -> list[PairTest]:
        return self.significant + self.equivalent + self.undecided

    @property
    def worst_p(self) -> float | None:
        """The largest Holm-corrected p of the best tuner's pairs: how sure the verdict is."""
        if self.best is None:
            return None
        return max(p.p_holm for p in self.significant if self.best in (p.a, p.b))


def _status(stats: SeedStatistics, best: str | None, recommended: list[str]) -> str:
    pairs = stats.pairwise.pairs
    if not pairs:
        return ALONE
    if best is not None:
        return BEST
    if recommended and any(p.decides for p in pairs):
        return UNBEATEN
    if recommended:
        return EQUIVALENT
    return TOO_FEW_SEEDS if not stats.pairwise.can_be_significant else UNDECIDED


def _unbeaten(stats: SeedStatistics, judged: list[str]) -> list[str]:
    """The judged tuners that no tuner beats by a difference that matters (empty when every
    one is beaten, as pairs compared on different seeds can be)."""
    beaten = {p.worse for p in stats.pairwise.pairs if p.decides}
    return [n for n in judged if n not in beaten]


def _judged(stats: SeedStatistics) -> list[str]:
    """The tuners every other judged tuner can be told apart from: while some pair among them
    has too few shared seeds for a difference to be significant, the tuner with the fewest
    seeds in such a pair is set aside (a tuner run on one seed must not be "unbeaten" for
    want of evidence, nor hold back the tuners that have enough)."""
    seeds = {t.variant: t.n_seeds for t in stats.tuners}
    judged = list(seeds)
    while True:
        short = [
            p  # neither decidable nor shown alike
            for p in stats.pairwise.pairs
            if p.a in judged and p.b in judged and not (p.decidable or p.equivalent)
        ]
        if not short:
            return judged
        involved = {n for p in short for n in (p.a, p.b)}
        fewest = min(seeds[n] for n in involved)
        judged = [n for n in judged if not (n in involved and seeds[n] == fewest)]


def _missing(stats: SeedStatistics) -> dict[str, list[int]]:
    every = set().union(*(t.seeds for t in stats.tuners)) if stats.tuners else set()
    return {t.variant: sorted(every - set(t.seeds)) for t in stats.tuners if every - set(t.seeds)}


def _more_seeds(stats: SeedStatistics, undecided: list[PairTest], ran: int) -> int:
    """Enough seeds for the pairs left open (their estimates), never fewer than a clean sweep
    needs under Holm, and more than ran already."""
    wanted = [p.seeds_to_tell for p in undecided if p.seeds_to_tell is not None]
    return max([stats.seeds_needed, ran + 1, *wanted])


def _command(key: GroupKey, runs: list[RunResult], seeds: int, rope: float) -> tuple[str, int]:
    """The command for a run with ``seeds`` seeds, and its minutes from these runs' own times."""
    ran = {r.tuner for r in runs}
    tuners = ",".join(name for name in TUNERS.names if name in ran)
    per_tuner: dict[str, list[float]] = {}
    for run in runs:
        per_tuner.setdefault(variant(run), []).append(total_wall(run) + (run.startup_s or 0.0))
    per_seed = sum(sum(times) / len(times) for times in per_tuner.values())
    command = (
        f"pytest bench/ --tb-dataset {key.dataset} --tb-profile {key.profile} "
        f"--tb-tuners {tuners} --tb-seeds {seeds}{_shared_options(runs)}"
        + (f" --tb-rope {rope:g}" if rope != DEFAULT_ROPE else "")
    )
    return command, math.ceil(per_seed * seeds / 60)


def _shared_options(runs: list[RunResult]) -> str:
    """The --tb-loop and --tb-workers every run shares, where they are not the defaults."""
    loops, workers = {r.loop for r in runs}, {r.workers for r in runs}
    text = ""
    if len(loops) == 1 and loops != {DEFAULT_LOOP}:
        text += f" --tb-loop {loops.pop()}"
    if len(workers) == 1 and workers != {1}:
        text += f" --tb-workers {workers.pop()}"
    return text


def _leaders(stats: SeedStatistics) -> list[Leader]:
    if len(stats.tuners) < 2:  # one tuner leads trivially
        return []
    leaders = []
    for fraction in (0.25, 0.5):
        ranks = stats.ranks_at.get(fraction)
        if ranks:
            name = min(ranks, key=ranks.__getitem__)
            leaders.append(Leader(fraction, name, ranks[name]))
    return leaders


def searched_alike(runs: list[RunResult]) -> tuple[list[list[str]], list[list[str]]]:
    """Tuners whose searches tried the same hyperparameters in the same order on every seed
    they share (seeded alike, a model-based oracle that never leaves its initial random points
    searches exactly as RandomSearch does), and among them those that also tested alike: a tie
    between them is no finding."""
    by_seed = runs_by_seed(runs)
    signature = {
        name: {s: [t.hyperparameters for t in rs[0].trials] for s, rs in seeds.items()}
        for name, seeds in by_seed.items()
    }
    groups: list[list[str]] = []
    for name in signature:
        for group in groups:
            first = signature[group[0]]
            shared = set(first) & set(signature[name])
            if shared and all(first[s] == signature[name][s] for s in shared):
                group.append(name)
                break
        else:
            groups.append([name])
    alike = [g for g in groups if len(g) > 1]
    tied = []
    for group in alike:
        test = {n: [rs[0].test_accuracy for _, rs in sorted(by_seed[n].items())] for n in group}
        same = [n for n in group if test[n] == test[group[0]]]
        if len(same) > 1:
            tied.append(same)
    return alike, tied


def verdict(
    key: GroupKey,
    stats: SeedStatistics,
    runs: list[RunResult],
    excluded: list[ExcludedRun] | None = None,
) -> Verdict:
    """The verdict of usable ``runs`` (their statistics in ``stats``); ``excluded`` names the
    runs set aside before."""
    names = [t.variant for t in stats.tuners]
    pairs = stats.pairwise.pairs
    best = next(
        (n for n in names if all(stats.pairwise.beats(n, o) for o in names if o != n)), None
    )
    best = best if len(names) > 1 else None
    judged = _judged(stats)
    among_judged = [p for p in pairs if p.a in judged and p.b in judged]
    if best is not None:
        recommended = [best]
    elif all(p.equivalent for p in pairs):  # every pair, or one tuner alone
        recommended = names
    elif len(judged) > 1 and all(p.equivalent for p in among_judged):
        recommended = judged  # those with enough seeds are alike; the others are named
    elif any(p.decides for p in pairs):
        recommended = _unbeaten(stats, judged)
    else:
        recommended = []
    status = _status(stats, best, recommended)
    significant = [p for p in pairs if p.decides]
    # The best tuner's pairs first, then by strength of evidence.
    significant.sort(key=lambda p: (best not in (p.a, p.b), p.p_holm))
    cpu = {t.variant: t.described["total_cpu_s"].mean for t in stats.tuners}
    undecided = [p for p in pairs if not p.decides and not p.equivalent]
    seeds = sorted(set().union(*(t.seeds for t in stats.tuners))) if stats.tuners else []
    unjudged = [n for n in names if n not in judged] if len(names) > 1 else []
    contenders = set(recommended) | set(unjudged)
    open_pairs = [p for p in undecided if not recommended or {p.a, p.b} <= contenders]
    command = minutes = more = None
    if best is None and open_pairs:
        more = _more_seeds(stats, open_pairs, len(seeds))
        if more <= PRACTICAL_SEEDS:
            command, minutes = _command(key, runs, more, stats.rope)
    alike, tied = searched_alike(runs)
    return Verdict(
        environment=stats.environment,
        status=status,
        tuners=names,
        seeds=seeds,
        complete_seeds=sorted(set.intersection(*(set(t.seeds) for t in stats.tuners)))
        if stats.tuners
        else [],
        missing=_missing(stats),
        excluded=list(excluded or []),
        best=best,
        recommended=recommended,
        unjudged=unjudged,
        significant=significant,
        equivalent=[p for p in pairs if p.equivalent],
        undecided=undecided,
        open_pairs=open_pairs,
        cheapest=min(recommended, key=cpu.__getitem__) if recommended else None,
        cpu_s=cpu,
        leaders=_leaders(stats),
        seeds_needed=stats.seeds_needed,
        more_seeds=more,
        command=command,
        minutes=minutes,
        alike=alike,
        tied_alike=tied,
        rope=stats.rope,
        p_best=stats.p_best,
    )
