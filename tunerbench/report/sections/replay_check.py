"""Replay against real runs: where the files hold both for one problem, profile and budget, how
far the replayed study stands in for the real one.

Three checks, each from saved records alone: the points proposed (a tuner whose proposals do
not depend on scores, RandomSearch and GridSearch, must propose a real run's points in its
order on every seed both ran; the others follow scores, which differ between a table's runs and
a real run's); each real test accuracy inside the replay's 95% predictive interval (the middle
95% of the replayed seeds' test accuracies); the tuners' order by mean test accuracy. Beside
them, the search's simulated time against the real search's, and Hyperband's continued trials
(a real one resumes from its parent's best checkpoint with a fresh optimizer, a replayed one
reads the uninterrupted curve) by their mean score in each.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tunerbench.records.run_result import RunResult
from tunerbench.report.inputs.groups import GroupKey
from tunerbench.report.inputs.seed_tables import per_seed, runs_by_seed, usable_runs

# Tuners whose proposals depend on the seed alone, not on any score.
SCORE_BLIND = ("random", "grid")


@dataclass(frozen=True)
class TunerCheck:
    tuner: str
    real_seeds: int
    replayed_seeds: int
    real_mean: float
    replayed_mean: float
    low: float  # the replay's 95% predictive interval of a seed's test accuracy
    high: float
    inside: int  # real seeds whose test accuracy lies inside it
    proposals_compared: int  # seeds both ran
    proposals_same: int  # of those, seeds with the same points in the same order
    score_blind: bool  # its proposals must match
    real_search_s: float  # mean search wall seconds
    replayed_search_s: float
    continued_real: float | None  # Hyperband: mean score of continued trials
    continued_replayed: float | None


@dataclass(frozen=True)
class ReplayCheck:
    title: str  # the real group's
    table: str
    table_seeds: int
    tuners: list[TunerCheck]
    real_order: list[str]  # by mean test accuracy, best first
    replayed_order: list[str]

    @property
    def order_agrees(self) -> bool:
        return self.real_order == self.replayed_order

    @property
    def proposals_hold(self) -> bool:
        return all(t.proposals_same == t.proposals_compared for t in self.tuners if t.score_blind)


def replay_checks(groups: dict[GroupKey, list[RunResult]]) -> list[ReplayCheck]:
    """A check for every replayed group whose real counterpart (same problem, definition,
    profile and budget, trained) the files also hold."""
    checks = []
    for key, replayed in groups.items():
        source = key.replay
        real = groups.get(replace(key, mode="", table_fingerprint="", table_seeds=0))
        if source is None or real is None:
            continue
        real_runs, replayed_runs = usable_runs(real)[0], usable_runs(replayed)[0]
        real_by, replayed_by = runs_by_seed(real_runs), runs_by_seed(replayed_runs)
        tuners = [t for t in real_by if t in replayed_by]
        found = [_tuner(t, real_by[t], replayed_by[t]) for t in tuners]
        checks.append(
            ReplayCheck(
                title=replace(key, mode="", table_fingerprint="", table_seeds=0).title,
                table=source.fingerprint,
                table_seeds=source.seeds,
                tuners=found,
                real_order=_order(found, lambda c: c.real_mean),
                replayed_order=_order(found, lambda c: c.replayed_mean),
            )
        )
    return checks


def _order(checks: list[TunerCheck], mean: object) -> list[str]:
    return [c.tuner for c in sorted(checks, key=lambda c: -mean(c))]  # type: ignore[operator]


def _first(by_seed: dict[int, list[RunResult]]) -> list[RunResult]:
    return [runs[0] for _, runs in sorted(by_seed.items())]


def _tuner(
    tuner: str, real: dict[int, list[RunResult]], replayed: dict[int, list[RunResult]]
) -> TunerCheck:
    real_runs, replayed_runs = _first(real), _first(replayed)
    real_accuracy = per_seed(real_runs, lambda r: float(r.test.accuracy or 0.0))
    replayed_accuracy = list(
        per_seed(replayed_runs, lambda r: float(r.test.accuracy or 0.0)).values()
    )
    low, high = (float(v) for v in np.quantile(replayed_accuracy, [0.025, 0.975]))
    both = sorted(set(real) & set(replayed))
    same = sum(_proposals(real[s][0]) == _proposals(replayed[s][0]) for s in both)
    return TunerCheck(
        tuner=tuner,
        real_seeds=len(real_accuracy),
        replayed_seeds=len(replayed_accuracy),
        real_mean=float(np.mean(list(real_accuracy.values()))),
        replayed_mean=float(np.mean(replayed_accuracy)),
        low=low,
        high=high,
        inside=sum(low <= v <= high for v in real_accuracy.values()),
        proposals_compared=len(both),
        proposals_same=same,
        score_blind=tuner in SCORE_BLIND,
        real_search_s=float(np.mean([r.cost.phases["search"].wall_s for r in real_runs])),
        replayed_search_s=float(np.mean([r.cost.phases["search"].wall_s for r in replayed_runs])),
        continued_real=_continued(real_runs),
        continued_replayed=_continued(replayed_runs),
    )


def _proposals(run: RunResult) -> list[dict[str, object]]:
    return [t.hyperparameters for t in run.search.trials]


def _continued(runs: list[RunResult]) -> float | None:
    """Mean score of the trials that continued a parent's training (Hyperband's later rounds)."""
    scores = [
        t.val_accuracy
        for run in runs
        for t in run.search.trials
        if t.val_accuracy is not None and int(t.schedule.get("initial_epoch", 0) or 0) > 0
    ]
    return float(np.mean(scores)) if scores else None
