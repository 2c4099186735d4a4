"""Tuners that searched alike: seeded alike, a model-based oracle that never leaves its
initial random points proposes exactly what RandomSearch does, so a tie between such tuners is
no finding, and the verdict says so."""

from __future__ import annotations

from tunerbench.records.run_result import RunResult
from tunerbench.report.inputs.seed_tables import runs_by_seed


def searched_alike(runs: list[RunResult]) -> tuple[list[list[str]], list[list[str]]]:
    """Tuners whose searches tried the same hyperparameters in the same order on every seed
    they share (seeded alike, a model-based oracle that never leaves its initial random points
    searches exactly as RandomSearch does), and among them those that also tested alike: a tie
    between them is no finding."""
    by_seed = runs_by_seed(runs)
    signature = {
        name: {s: [t.hyperparameters for t in rs[0].search.trials] for s, rs in seeds.items()}
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
        test = {n: [rs[0].test.accuracy for _, rs in sorted(by_seed[n].items())] for n in group}
        same = [n for n in group if test[n] == test[group[0]]]
        if len(same) > 1:
            tied.append(same)
    return alike, tied
