"""Per-seed values of each tuner: the one table every figure over seeds reads.

Merged files can hold one (tuner, seed) several times: a rerun, another thread setting, another
machine. A paired test needs one value per block, and a repeated seed is not a new sample, so
the runs of one seed are combined by their mean and counted once; the table says where it did.
A run without a usable test accuracy (its final fit failed, or the figure is not a number)
is set aside before any of this, and named, so it can neither crash nor skew a statistic.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import COMPLETED, PHASES
from tunerbench.report.inputs.labels import environment, sort_variants, variant
from tunerbench.report.inputs.run_totals import total_cpu, total_wall

METRICS: dict[str, Callable[[RunResult], float | None]] = {
    "test_accuracy": lambda r: r.test.accuracy,
    "best_val_accuracy": lambda r: r.search.best_val_accuracy,
    "test_loss": lambda r: r.test.loss,
    "best_epoch": lambda r: r.search.best_epoch,
    "n_trials": lambda r: r.search.n_trials,
    "search_epochs": lambda r: r.search.search_epochs,
    "failed_trials": lambda r: sum(t.status != COMPLETED for t in r.search.trials),
    **{f"{p}_wall_s": (lambda r, p=p: r.cost.phases[p].wall_s) for p in PHASES},
    **{f"{p}_cpu_s": (lambda r, p=p: r.cost.phases[p].cpu_s) for p in PHASES},
    "total_wall_s": total_wall,
    "total_cpu_s": total_cpu,
    "cpu_per_wall": lambda r: total_cpu(r) / max(total_wall(r), 1e-9),
}


@dataclass(frozen=True)
class ExcludedRun:
    """A run left out of every statistic, and why."""

    variant: str
    seed: int
    environment: str
    started_at: str
    reason: str


def _unusable(run: RunResult) -> str | None:
    value = run.test.accuracy
    if value is None:
        return "it has no test accuracy (its final fit did not finish)"
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return f"its test accuracy is not a number ({value!r})"
    if not 0.0 <= value <= 1.0:
        return f"its test accuracy {value!r} is outside 0-1"
    return None


def usable_runs(runs: list[RunResult]) -> tuple[list[RunResult], list[ExcludedRun]]:
    """Runs with a test accuracy every statistic can use, and the others with the reason."""
    kept, excluded = [], []
    for run in runs:
        reason = _unusable(run)
        if reason is None:
            kept.append(run)
        else:
            who = run.identity
            excluded.append(
                ExcludedRun(variant(run), who.seed, environment(run), who.started_at, reason)
            )
    return kept, sorted(excluded, key=lambda e: (e.variant, e.seed, e.started_at))


@dataclass(frozen=True)
class SeedTable:
    values: dict[str, dict[int, float]]  # variant -> seed -> value, variants in report order
    repeated: dict[str, dict[int, int]]  # variant -> seed -> runs combined, where more than one

    def note(self) -> str | None:
        """Where repeated runs were combined, in one sentence (None where none were)."""
        if not self.repeated:
            return None
        listed = "; ".join(
            f"{name} seed {', '.join(f'{s} ({n} runs)' for s, n in sorted(seeds.items()))}"
            for name, seeds in self.repeated.items()
        )
        return (
            f"Some seeds were run more than once ({listed}): each such seed counts once, as the "
            "mean of its runs, in every statistic over seeds."
        )


def runs_by_seed(runs: list[RunResult]) -> dict[str, dict[int, list[RunResult]]]:
    by_seed: dict[str, dict[int, list[RunResult]]] = defaultdict(lambda: defaultdict(list))
    for run in sorted(runs, key=lambda r: r.identity.started_at):
        by_seed[variant(run)][run.identity.seed].append(run)
    return {name: dict(by_seed[name]) for name in sort_variants(by_seed)}


def per_seed(runs: list[RunResult], value: Callable[[RunResult], float]) -> dict[int, float]:
    """One value per seed (the mean of a repeated seed's runs), in seed order: a sample in
    which no seed counts twice."""
    by_seed: dict[int, list[float]] = defaultdict(list)
    for run in runs:
        by_seed[run.identity.seed].append(value(run))
    return {s: statistics.fmean(by_seed[s]) for s in sorted(by_seed)}


def seed_spans(seeds: list[int]) -> str:
    """Seeds as spans of consecutive numbers: "1-8, 10"."""
    spans: list[list[int]] = []
    for seed in sorted(set(seeds)):
        if spans and seed == spans[-1][-1] + 1:
            spans[-1].append(seed)
        else:
            spans.append([seed])
    return ", ".join(str(s[0]) if len(s) == 1 else f"{s[0]}-{s[-1]}" for s in spans)


def seed_table(runs: list[RunResult], metric: str) -> SeedTable:
    value = METRICS[metric]
    values, repeated = {}, {}
    for name, seeds in runs_by_seed(runs).items():
        # A figure a run could not give (a diverged fit's loss is saved as null) is left out.
        kept = {s: [v for v in map(value, rs) if v is not None] for s, rs in seeds.items()}
        values[name] = {s: statistics.fmean(vs) for s, vs in kept.items() if vs}
        counts = {s: len(rs) for s, rs in seeds.items() if len(rs) > 1}
        if counts:
            repeated[name] = counts
    return SeedTable(values, repeated)
