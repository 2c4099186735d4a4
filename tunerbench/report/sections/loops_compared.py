"""The two training loops compared on accuracy, over seeds.

Two views: whole pipelines run with each loop (the tuner's choices differ, so only their ranges
are compared), and ``--tb-loop-accuracy``'s fixed hyperparameters trained under both loops with
the same seeds, paired by seed: the test of whether the fast loop trains as well as Keras' own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import LoopAccuracy
from tunerbench.report.decision.statistics.descriptive import Summary
from tunerbench.report.decision.statistics.paired_difference import (
    PairedDifference,
    paired_difference,
)
from tunerbench.report.inputs.labels import environment
from tunerbench.report.inputs.seed_tables import per_seed
from tunerbench.training.loops import BASELINE_LOOP, DEFAULT_LOOP


@dataclass(frozen=True)
class LoopAccuracyMetric:
    default: Summary
    low: float  # the default loop's range over seeds
    high: float
    fast: Summary
    within: bool  # the fast loop's mean lies within that range


@dataclass(frozen=True)
class PipelineLoopAccuracy:
    """Whole pipelines of one tuner under each loop, over seeds."""

    run: str
    default_seeds: int
    fast_seeds: int
    best_val_accuracy: LoopAccuracyMetric
    test_accuracy: LoopAccuracyMetric


@dataclass(frozen=True)
class LoopSeed:
    seed: int
    default_test: float
    fast_test: float
    default_best_epoch: int
    fast_best_epoch: int

    @property
    def difference(self) -> float:
        """Fast minus Keras' default, in test accuracy."""
        return self.fast_test - self.default_test


@dataclass(frozen=True)
class LoopComparison:
    """Both loops on the same fixed hyperparameters and seeds, paired by seed (fast - default)."""

    units: int
    learning_rate: float
    seeds: list[LoopSeed]
    test_accuracy: PairedDifference
    best_val_accuracy: PairedDifference


def _accuracy_metric(default: list[float], fast: list[float]) -> LoopAccuracyMetric:
    fast_summary = Summary.of(fast)
    within = min(default) <= fast_summary.mean <= max(default)
    return LoopAccuracyMetric(Summary.of(default), min(default), max(default), fast_summary, within)


def _per_seed_metric(
    default: list[RunResult], fast: list[RunResult], value: Callable[[RunResult], float]
) -> LoopAccuracyMetric:
    """One value per seed on each side, so a seed run twice does not widen a range."""
    return _accuracy_metric(
        list(per_seed(default, value).values()), list(per_seed(fast, value).values())
    )


def loop_accuracy(runs: list[RunResult]) -> list[PipelineLoopAccuracy]:
    """Best val_accuracy and test accuracy of each loop over seeds, and whether the fast loop's
    mean lies within the default loop's seed-to-seed range."""
    by_loop: dict[tuple, dict[str, list[RunResult]]] = defaultdict(lambda: defaultdict(list))
    for run in runs:
        who = run.identity
        by_loop[(who.tuner, environment(run), who.workers)][who.loop].append(run)
    rows = []
    for (tuner, env, workers), loops in sorted(by_loop.items()):
        if DEFAULT_LOOP not in loops or BASELINE_LOOP not in loops:
            continue
        default, fast = loops[BASELINE_LOOP], loops[DEFAULT_LOOP]
        rows.append(
            PipelineLoopAccuracy(
                f"{tuner}, {workers} worker(s), {env}",
                len({r.identity.seed for r in default}),
                len({r.identity.seed for r in fast}),
                _per_seed_metric(default, fast, lambda r: r.search.best_val_accuracy),
                _per_seed_metric(default, fast, lambda r: r.test.accuracy),
            )
        )
    return rows


def loop_comparison(records: list[LoopAccuracy]) -> LoopComparison | None:
    """The loop-accuracy records of one dataset and profile, paired by seed; when a (loop, seed)
    was measured twice, the record read last counts (files are read in the order given)."""
    by_loop: dict[str, dict[int, LoopAccuracy]] = defaultdict(dict)
    for record in records:
        by_loop[record.loop][record.seed] = record
    default, fast = by_loop.get(BASELINE_LOOP, {}), by_loop.get(DEFAULT_LOOP, {})
    seeds = sorted(set(default) & set(fast))
    if not seeds:
        return None

    def paired(metric: Callable[[LoopAccuracy], float]) -> PairedDifference:
        return paired_difference(
            {s: metric(default[s]) for s in seeds}, {s: metric(fast[s]) for s in seeds}
        )

    rows = [
        LoopSeed(
            s,
            default[s].test_accuracy,
            fast[s].test_accuracy,
            default[s].best_epoch,
            fast[s].best_epoch,
        )
        for s in seeds
    ]
    first = default[seeds[0]]
    return LoopComparison(
        first.units,
        first.learning_rate,
        rows,
        paired(lambda r: r.test_accuracy),
        paired(lambda r: r.best_val_accuracy),
    )
