"""The headline of each section: a few sentences a user can act on, or, where the seeds cannot
tell tuners apart, the command of a run that can and how long it takes."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tunerbench.records.schema import RunResult
from tunerbench.report.grouping import GroupKey, total_wall, variant
from tunerbench.report.seed_statistics import SeedStatistics, TunerFigures
from tunerbench.report.seed_tables import runs_by_seed
from tunerbench.search.registry import TUNERS
from tunerbench.training.loops import DEFAULT_LOOP


@dataclass(frozen=True)
class Verdict:
    environment: str
    sentences: list[str]
    decisive: bool  # whether these seeds can call a difference significant at all
    command: str | None  # a run with enough seeds, when these cannot decide
    best: str


def _interval(figures: TunerFigures) -> str:
    d = figures.described["test_accuracy"]
    if d.iqm_low is None or d.iqm_high is None:
        return f"{d.mean:.4f}"
    return f"{d.mean:.4f} (IQM {d.iqm:.4f}, 95% interval {d.iqm_low:.4f}-{d.iqm_high:.4f})"


def _names(names: list[str]) -> str:
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def _rerun(key: GroupKey, stats: SeedStatistics, runs: list[RunResult]) -> tuple[str, str]:
    """The command for a run with the seeds needed, and its time from these runs' own times."""
    ran = {r.tuner for r in runs}
    tuners = ",".join(name for name in TUNERS.names if name in ran)
    per_seed = sum(
        sum(total_wall(r) + (r.startup_s or 0.0) for r in rs) / len(rs)
        for rs in _runs_per_tuner(runs).values()
    )
    minutes = math.ceil(per_seed * stats.seeds_needed / 60)
    command = (
        f"pytest bench/ --tb-dataset {key.dataset} --tb-profile {key.profile} "
        f"--tb-tuners {tuners} --tb-seeds {stats.seeds_needed}{_shared_options(runs)}"
    )
    return command, f"about {minutes} min one pipeline after another on the machine these ran on"


def _shared_options(runs: list[RunResult]) -> str:
    """The --tb-loop and --tb-workers every run shares, where they are not the defaults."""
    loops, workers = {r.loop for r in runs}, {r.workers for r in runs}
    text = ""
    if len(loops) == 1 and loops != {DEFAULT_LOOP}:
        text += f" --tb-loop {loops.pop()}"
    if len(workers) == 1 and workers != {1}:
        text += f" --tb-workers {workers.pop()}"
    return text


def _runs_per_tuner(runs: list[RunResult]) -> dict[str, list[RunResult]]:
    per: dict[str, list[RunResult]] = {}
    for run in runs:
        per.setdefault(variant(run), []).append(run)
    return per


def _significance(stats: SeedStatistics, best: str) -> tuple[list[str], list[str]]:
    better_than, tied_with = [], []
    for other in (t.variant for t in stats.tuners if t.variant != best):
        test = stats.pairwise.pair(best, other)
        (better_than if test.better == best else tied_with).append(other)
    return better_than, tied_with


def _cheapest(stats: SeedStatistics, contenders: list[str]) -> TunerFigures:
    figures = {t.variant: t for t in stats.tuners}
    return min((figures[n] for n in contenders), key=lambda t: t.described["total_cpu_s"].mean)


def _budget_sentence(stats: SeedStatistics) -> str | None:
    if not stats.ranks_at or len(stats.tuners) < 2:  # one tuner leads trivially
        return None
    parts = []
    for fraction, label in ((0.25, "a quarter"), (0.5, "half")):
        ranks = stats.ranks_at[fraction]
        leader = min(ranks, key=ranks.__getitem__)
        parts.append(
            f"at {label} of the epoch budget {leader} leads (mean rank {ranks[leader]:.1f})"
        )
    return f"By best val_accuracy found so far, {parts[0]}, and {parts[1]}."


def _searches(runs: list[RunResult]) -> list[str]:
    """Tuners whose searches tried the same hyperparameters in the same order on every seed
    they share: seeded alike, a model-based oracle that never leaves its initial random points
    searches exactly as RandomSearch does, and a tie between them is no finding."""
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
    sentences = []
    for group in (g for g in groups if len(g) > 1):
        test = {n: [rs[0].test_accuracy for _, rs in sorted(by_seed[n].items())] for n in group}
        tied = [n for n in group if test[n] == test[group[0]]]
        sentence = (
            f"{_names(group)} tried the same hyperparameters in the same order on every seed "
            "(seeded alike, their oracles proposed the same points, as a Bayesian oracle does "
            "while the budget holds only its initial random trials)"
        )
        tie = (
            f"; {_names(tied)} also trained alike and tie by construction" if len(tied) > 1 else ""
        )
        sentences.append(sentence + tie + ".")
    return sentences


def _no_best(stats: SeedStatistics, best: str, tuners: list[str]) -> str:
    """When the best by mean beats no tuner significantly: the differences that are."""
    significant = [p for p in stats.pairwise.pairs if p.significant]
    if not significant:
        lowest = min(p.p_holm for p in stats.pairwise.pairs)
        return (
            f"No difference in test accuracy is significant over {stats.n_blocks} seeds "
            f"(smallest Holm-corrected p = {lowest:.3f}): treat {_names(tuners)} as equally good."
        )
    listed = "; ".join(
        f"{p.better} better than {p.worse} (Holm-corrected p = {p.p_holm:.3f})" for p in significant
    )
    return (
        f"{best} is not significantly better than any other tuner over {stats.n_blocks} seeds; "
        f"the significant differences: {listed}."
    )


def verdict(key: GroupKey, stats: SeedStatistics, runs: list[RunResult]) -> Verdict:
    figures = {t.variant: t for t in stats.tuners}
    # The best by the seeds every tuner ran (what the tests compare), else by all its seeds.
    means = stats.block_means or {n: f.described["test_accuracy"].mean for n, f in figures.items()}
    best = max(means, key=means.__getitem__)
    n = stats.n_blocks
    sentences = [
        f"Highest mean test accuracy: {best}, {_interval(figures[best])} over "
        f"{figures[best].n_seeds} seed{'s' if figures[best].n_seeds != 1 else ''}."
    ]
    decisive = stats.pairwise.can_be_significant
    command = None
    if len(figures) < 2:
        sentences.append("Only one tuner ran, so there is nothing to compare it with.")
    elif not decisive:
        command, duration = _rerun(key, stats, runs)
        sentences.append(
            f"With {n} seed{'s' if n != 1 else ''} no difference between these {len(figures)} "
            "tuners can be significant: under Holm's correction over "
            f"{len(stats.pairwise.pairs)} pairs, a two-sided Wilcoxon signed-rank test needs at "
            f"least {stats.seeds_needed} seeds, so nothing is marked best. A run that can "
            f"decide: {command} ({duration})."
        )
    else:
        better_than, tied_with = _significance(stats, best)
        if better_than:
            text = f"{best} is significantly better than {_names(better_than)}"
            text += " (Wilcoxon signed-rank over seeds, Holm-corrected p < 0.05)"
            text += (
                f"; its differences to {_names(tied_with)} are not significant."
                if tied_with
                else "."
            )
        else:
            text = _no_best(stats, best, list(figures))
        sentences.append(text)
        # A tuner some other tuner beats significantly is no choice, even if the best does not.
        beaten = {p.worse for p in stats.pairwise.pairs if p.significant}
        contenders = [name for name in [best, *tied_with] if name not in beaten] or [best]
        cheap = _cheapest(stats, contenders)
        cpu = cheap.described["total_cpu_s"].mean
        sentences.append(
            f"Lowest CPU cost among the tuners that no other tuner beats significantly: "
            f"{cheap.variant}, {cpu:.0f} CPU s per pipeline"
            + (
                ""
                if cheap.variant == best
                else f" against {best}'s {figures[best].described['total_cpu_s'].mean:.0f}"
            )
            + "."
        )
    if stats.ranks is not None and n >= 2:
        ranks = stats.ranks
        sentences.append(
            f"Friedman test over all tuners: p = {ranks.p_value:.3g}; Nemenyi's critical "
            f"difference is {ranks.critical_difference:.2f} ranks."
        )
    budget = _budget_sentence(stats)
    if budget:
        sentences.append(budget)
    sentences += _searches(runs)
    return Verdict(stats.environment, sentences, decisive, command, best)
