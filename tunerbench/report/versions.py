"""TensorFlow versions side by side: does a result survive an upgrade?

Per tuner: test accuracy and wall time per environment, the differences to the oldest, and
whether test accuracy and the chosen hyperparameters differ beyond seed noise. Keras 2 and Keras
3 draw different random streams from the same seed, so runs of two versions are independent
samples (Mann-Whitney U), never paired by seed. Per version: the order of tuners by mean test
accuracy, and how far it agrees with the oldest version's (Kendall's tau).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from tunerbench.records.schema import RunResult
from tunerbench.report.grouping import (
    Summary,
    environment,
    sort_environments,
    sort_variants,
    total_wall,
    variant,
)
from tunerbench.report.seed_tables import per_seed
from tunerbench.report.statistics.versions import (
    VersionDifference,
    compare_versions,
    ranking_agreement,
)

ALPHA = 0.05


@dataclass(frozen=True)
class VersionCell:
    accuracy: float  # mean test accuracy
    wall_s: float  # mean total wall seconds
    n_runs: int
    accuracy_delta_pp: float | None  # against the oldest environment; None there
    wall_ratio: float | None
    accuracy_test: VersionDifference | None = None  # against the oldest environment
    units_test: VersionDifference | None = None
    learning_rate_test: VersionDifference | None = None  # on log10 of the learning rate

    @property
    def hyperparameters_differ(self) -> bool:
        tests = (self.units_test, self.learning_rate_test)
        return any(t is not None and t.different for t in tests)


@dataclass(frozen=True)
class VersionRow:
    variant: str
    cells: list[VersionCell | None]  # one per environment, None where the tuner did not run


@dataclass(frozen=True)
class VersionsTable:
    environments: list[str]
    rows: list[VersionRow]
    orders: dict[str, list[str]]  # tuners by mean test accuracy, best first, per environment
    agreement: dict[str, float]  # Kendall's tau of each order with the oldest environment's
    sentence: str | None  # the answer in one sentence, when there are several environments


def _compare(base: list[RunResult], these: list[RunResult]) -> dict[str, VersionDifference]:
    """Each version's sample holds one value per seed (a repeated seed's mean)."""

    def units(r: RunResult) -> float:
        return float(r.best_hyperparameters.get("units", 0))

    def log_rate(r: RunResult) -> float:
        return math.log10(r.best_hyperparameters.get("learning_rate", 1.0))

    return {
        name: compare_versions(per_seed(base, value), per_seed(these, value), ALPHA)
        for name, value in (
            ("accuracy_test", lambda r: r.test_accuracy),
            ("units_test", units),
            ("learning_rate_test", log_rate),
        )
    }


def _cell(base: list[RunResult] | None, these: list[RunResult], oldest: bool) -> VersionCell:
    accuracy = Summary.of([r.test_accuracy for r in these]).mean
    wall = Summary.of([total_wall(r) for r in these]).mean
    if oldest or not base:
        return VersionCell(accuracy, wall, len(these), None, None)
    delta = 100 * (accuracy - Summary.of([r.test_accuracy for r in base]).mean)
    ratio = wall / Summary.of([total_wall(r) for r in base]).mean
    return VersionCell(accuracy, wall, len(these), delta, ratio, **_compare(base, these))


def _sentence(table: VersionsTable, oldest: str) -> str:
    differ, hyper, undecidable = [], [], []
    for row in table.rows:
        for env, cell in zip(table.environments, row.cells, strict=True):
            if cell is None or cell.accuracy_test is None:
                continue
            if not cell.accuracy_test.can_differ:
                undecidable.append(row.variant)
            elif cell.accuracy_test.different:
                differ.append(f"{row.variant} ({env})")
            if cell.hyperparameters_differ:
                hyper.append(f"{row.variant} ({env})")
    parts = [
        f"Against {oldest}: test accuracy differs beyond seed noise for "
        + (", ".join(differ) if differ else "no tuner")
        + " (Mann-Whitney U, p < 0.05)",
        "the chosen hyperparameters differ for " + (", ".join(hyper) if hyper else "no tuner"),
    ]
    changed = [env for env, tau in table.agreement.items() if tau < 1.0]
    parts.append(
        "the order of tuners by mean test accuracy is the same in every version"
        if not changed
        else "the order of tuners changes under "
        + ", ".join(f"{env} (Kendall's tau {table.agreement[env]:.2f})" for env in changed)
    )
    text = "; ".join(parts) + "."
    if undecidable:
        text += (
            f" Too few seeds to tell for {', '.join(sorted(set(undecidable)))}: with so few runs "
            "per version no difference can reach p < 0.05."
        )
    return text


def versions_table(runs: list[RunResult]) -> VersionsTable:
    envs = sort_environments(map(environment, runs))
    cells: dict[tuple[str, str], list[RunResult]] = defaultdict(list)
    for run in runs:
        cells[(variant(run), environment(run))].append(run)
    variants = sort_variants(map(variant, runs))
    rows = [
        VersionRow(
            name,
            [
                _cell(cells.get((name, envs[0])), cells[(name, env)], env == envs[0])
                if cells.get((name, env))
                else None
                for env in envs
            ],
        )
        for name in variants
    ]
    orders = {
        env: sorted(
            (n for n in variants if cells.get((n, env))),
            key=lambda n, env=env: -Summary.of([r.test_accuracy for r in cells[(n, env)]]).mean,
        )
        for env in envs
    }
    agreement = {}
    for env in envs[1:]:
        common = [n for n in orders[envs[0]] if n in orders[env]]
        agreement[env] = ranking_agreement(common, [n for n in orders[env] if n in common])
    table = VersionsTable(envs, rows, orders, agreement, None)
    if len(envs) > 1:
        table = VersionsTable(envs, rows, orders, agreement, _sentence(table, envs[0]))
    return table
