"""TensorFlow versions side by side: does a result survive an upgrade?

Per tuner: test accuracy and wall time per environment over seeds (a repeated seed counts once),
the differences to the oldest, and an upgrade verdict: changed (what, by how much), unchanged
(test accuracy within the region of practical equivalence, no choice changed) or not enough
seeds to tell (and about how many would). Every change test of the table (tuners x versions x
{test accuracy, units, learning rate}) is one Holm family, and so is every "unchanged" claim.
Keras 2 and Keras 3 draw different random streams from the same seed, so versions are
independent samples; where two versions ran the same seeds, the paired view is shown beside.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, replace

from tunerbench.records.run_result import RunResult
from tunerbench.report.grouping import (
    environment,
    sort_environments,
    sort_variants,
    total_wall,
    variant,
)
from tunerbench.report.rope import DEFAULT_ROPE
from tunerbench.report.seed_tables import per_seed
from tunerbench.report.statistics import ALPHA
from tunerbench.report.statistics.paired_difference import PairedDifference, paired_difference
from tunerbench.report.statistics.versions import (
    VersionDifference,
    compare_versions,
    equivalence_p,
    holm,
    holm_p,
    ranking_agreement,
    versions_seeds_to_tell,
)

CHANGED, UNCHANGED, TOO_FEW = "changed", "unchanged", "too few seeds"
TESTED = ("accuracy_test", "units_test", "learning_rate_test")


@dataclass(frozen=True)
class VersionCell:
    accuracy: float  # mean test accuracy over seeds
    wall_s: float  # mean total wall seconds over seeds
    n_runs: int  # seeds (each counted once)
    accuracy_delta_pp: float | None  # against the oldest environment; None there
    wall_ratio: float | None
    accuracy_test: VersionDifference | None = None  # against the oldest environment
    units_test: VersionDifference | None = None
    learning_rate_test: VersionDifference | None = None  # on log10 of the learning rate
    equivalence_p: float | None = None  # TOST within the ROPE, Holm-corrected in its family
    paired: PairedDifference | None = None  # where both versions ran the same seeds
    status: str | None = None  # CHANGED, UNCHANGED or TOO_FEW; None for the oldest
    seeds_to_tell: int | None = None  # per version, where TOO_FEW

    @property
    def changes(self) -> list[tuple[str, VersionDifference]]:
        """What changed significantly: (what, its test)."""
        named = zip(("test accuracy", "units", "log10 learning rate"), TESTED, strict=True)
        return [
            (label, test)
            for label, name in named
            if (test := getattr(self, name)) is not None and test.different
        ]


@dataclass(frozen=True)
class VersionRow:
    variant: str
    cells: list[VersionCell | None]  # one per environment, None where the tuner did not run


@dataclass(frozen=True)
class Upgrade:
    """One tuner's upgrade verdict against the oldest environment."""

    variant: str
    environment: str
    cell: VersionCell


@dataclass(frozen=True)
class VersionsTable:
    environments: list[str]
    rows: list[VersionRow]
    orders: dict[str, list[str]]  # tuners by mean test accuracy, best first, per environment
    agreement: dict[str, float]  # Kendall's tau of each order with the oldest environment's
    rope: float

    @property
    def upgrades(self) -> list[Upgrade]:
        return [
            Upgrade(row.variant, env, cell)
            for row in self.rows
            for env, cell in zip(self.environments, row.cells, strict=True)
            if cell is not None and cell.status is not None
        ]

    @property
    def changed(self) -> list[Upgrade]:
        return [u for u in self.upgrades if u.cell.status == CHANGED]


def _units(r: RunResult) -> float:
    return float(r.search.best_hyperparameters.get("units", 0))


def _log_rate(r: RunResult) -> float:
    return math.log10(r.search.best_hyperparameters.get("learning_rate", 1.0))


def _cell(
    base: list[RunResult] | None, these: list[RunResult], rope: float, first_alpha: float
) -> VersionCell:
    """One tuner in one environment; compared with ``base``, its runs in the oldest one.
    ``first_alpha`` is Holm's first threshold in the family: what a change would have to beat."""
    new = per_seed(these, lambda r: r.test.accuracy)
    mean, wall_mean = (
        statistics.fmean(new.values()),
        statistics.fmean(per_seed(these, total_wall).values()),
    )
    if not base:
        return VersionCell(mean, wall_mean, len(new), None, None)
    old = per_seed(base, lambda r: r.test.accuracy)
    tests = {
        name: compare_versions(
            list(per_seed(base, value).values()), list(per_seed(these, value).values()), ALPHA
        )
        for name, value in zip(TESTED, (lambda r: r.test.accuracy, _units, _log_rate), strict=True)
    }
    shared = set(old) & set(new)
    return VersionCell(
        mean,
        wall_mean,
        len(new),
        100 * (mean - statistics.fmean(old.values())),
        wall_mean / statistics.fmean(per_seed(base, total_wall).values()),
        **tests,
        equivalence_p=equivalence_p(list(old.values()), list(new.values()), rope),
        paired=paired_difference(old, new, ALPHA) if len(shared) >= 2 else None,
        seeds_to_tell=versions_seeds_to_tell(
            list(old.values()), list(new.values()), rope, first_alpha
        ),
    )


def _corrected(cells: dict[tuple[str, str], VersionCell]) -> dict[tuple[str, str], VersionCell]:
    """Holm over every change test of the table, and over every "unchanged" claim; then each
    cell's status from its corrected tests."""
    keys = [k for k, c in cells.items() if c.accuracy_test is not None]
    family = holm([getattr(cells[k], name) for k in keys for name in TESTED], ALPHA)
    claims = [k for k in keys if cells[k].equivalence_p is not None]
    tost = holm_p([cells[k].equivalence_p for k in claims])
    tost_by_key = dict(zip(claims, tost, strict=True))
    out = dict(cells)
    for i, k in enumerate(keys):
        tests = dict(zip(TESTED, family[3 * i : 3 * i + 3], strict=True))
        cell = replace(cells[k], **tests, equivalence_p=tost_by_key.get(k))
        if cell.changes:
            status = CHANGED
        elif cell.equivalence_p is not None and cell.equivalence_p < ALPHA:
            status = UNCHANGED
        else:
            status = TOO_FEW
        out[k] = replace(cell, status=status)
    return out


def versions_table(runs: list[RunResult], rope: float = DEFAULT_ROPE) -> VersionsTable:
    """The table of usable ``runs`` (see ``seed_tables.usable_runs``)."""
    envs = sort_environments(map(environment, runs))
    grouped: dict[tuple[str, str], list[RunResult]] = defaultdict(list)
    for run in runs:
        grouped[(variant(run), environment(run))].append(run)
    variants = sort_variants(map(variant, runs))
    compared = [
        (n, e)
        for n in variants
        for e in envs[1:]
        if grouped.get((n, e)) and grouped.get((n, envs[0]))
    ]
    first_alpha = ALPHA / max(1, len(TESTED) * len(compared))
    cells = {
        (name, env): _cell(
            grouped.get((name, envs[0])) if env != envs[0] else None,
            grouped[(name, env)],
            rope,
            first_alpha,
        )
        for name in variants
        for env in envs
        if grouped.get((name, env))
    }
    cells = _corrected(cells)
    rows = [VersionRow(name, [cells.get((name, env)) for env in envs]) for name in variants]
    orders = {
        env: sorted(
            (n for n in variants if (n, env) in cells),
            key=lambda n, env=env: -cells[(n, env)].accuracy,
        )
        for env in envs
    }
    agreement = {}
    for env in envs[1:]:
        common = [n for n in orders[envs[0]] if n in orders[env]]
        agreement[env] = ranking_agreement(common, [n for n in orders[env] if n in common])
    return VersionsTable(envs, rows, orders, agreement, rope)
