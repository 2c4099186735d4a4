"""TensorFlow versions side by side: does a result survive an upgrade?

Per tuner: test accuracy and wall time per environment over seeds (a repeated seed counts once),
the differences to the oldest, and an upgrade verdict against the oldest:

- changed: test accuracy moved by more than the region of practical equivalence (Mann-Whitney U
  on the newer scores shifted by the region toward the older ones), or a chosen hyperparameter
  changed (Mann-Whitney U for numbers, the chi-square test for categories), significantly;
- unchanged: nothing changed, test accuracy is shown within the region (TOST), and every
  hyperparameter the versions chose differently had a test able to call it changed at these
  seeds: otherwise an unseen change could hide behind "nothing changed";
- not enough seeds to tell, with about how many seeds per version would.

Every change test of the table (tuners x versions x {test accuracy, each hyperparameter}) is one
Holm family, and every "unchanged" claim another. Keras 2 and Keras 3 draw different random
streams from the same seed, so versions are independent samples; where two versions ran the same
seeds, the paired view is shown beside.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import cast

from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import HyperValue
from tunerbench.report.decision.rope import DEFAULT_ROPE
from tunerbench.report.decision.statistics import ALPHA
from tunerbench.report.decision.statistics.paired_difference import (
    PairedDifference,
    paired_difference,
)
from tunerbench.report.decision.statistics.seed_counts import SeedEstimate
from tunerbench.report.decision.statistics.version_tests import (
    ChoiceDifference,
    VersionDifference,
    compare_choices,
    compare_versions,
    equivalence_p,
    holm,
    holm_p,
    ranking_agreement,
    versions_seeds_to_tell,
)
from tunerbench.report.inputs.labels import environment, sort_environments, sort_variants, variant
from tunerbench.report.inputs.run_totals import total_wall
from tunerbench.report.inputs.seed_tables import per_seed


class UpgradeState(StrEnum):
    """What the upgrade verdict found for a tuner (exposed to the templates by name)."""

    CHANGED = "changed"
    UNCHANGED = "unchanged"
    TOO_FEW = "too few seeds"


NOT_SET = "not set"  # a run that did not choose the hyperparameter (another branch of a space)
ChangeTest = VersionDifference | ChoiceDifference


@dataclass(frozen=True)
class VersionCell:
    accuracy: float  # mean test accuracy over seeds
    wall_s: float  # mean total wall seconds over seeds
    n_runs: int  # seeds (each counted once)
    accuracy_delta_pp: float | None  # against the oldest environment; None there
    wall_ratio: float | None
    accuracy_test: VersionDifference | None = None  # moved beyond the ROPE, against the oldest
    choice_tests: dict[str, ChangeTest] = field(default_factory=dict)  # per hyperparameter
    hidden_changes: list[str] = field(default_factory=list)  # chosen differently, seeds too few
    equivalence_p: float | None = None  # TOST within the ROPE, Holm-corrected in its family
    paired: PairedDifference | None = None  # where both versions ran the same seeds
    status: UpgradeState | None = None  # None for the oldest version
    seeds_to_tell: SeedEstimate | None = None  # per version, where too few

    @property
    def tests(self) -> list[ChangeTest]:
        """The cell's members of the family: test accuracy, then each hyperparameter."""
        if self.accuracy_test is None:
            return []
        return [self.accuracy_test, *self.choice_tests.values()]

    @property
    def equivalent(self) -> bool:
        """Test accuracy shown within the ROPE (TOST, Holm-corrected with the other claims)."""
        return self.equivalence_p is not None and self.equivalence_p < ALPHA

    @property
    def changes(self) -> list[tuple[str, ChangeTest]]:
        """What changed significantly: ("test accuracy" or the hyperparameter, its test)."""
        if self.accuracy_test is None:
            return []
        named = [("test accuracy", self.accuracy_test), *self.choice_tests.items()]
        return [(what, test) for what, test in named if test.different]


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
    hyperparameters: list[str]  # every hyperparameter tested, in the order the runs name them
    # (tuner, newer environment) where the tuner ran under only one of it and the oldest: an
    # upgrade nobody can judge
    unmatched: list[tuple[str, str]]

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
        return [u for u in self.upgrades if u.cell.status == UpgradeState.CHANGED]

    @property
    def untold(self) -> list[Upgrade]:
        return [u for u in self.upgrades if u.cell.status == UpgradeState.TOO_FEW]


def _hyperparameters(runs: list[RunResult]) -> list[str]:
    """Every hyperparameter the runs chose, in the order they name them; Keras Tuner's
    bookkeeping ("tuner/epochs", "tuner/bracket", ...) is no choice."""
    return list(
        dict.fromkeys(
            name
            for run in runs
            for name in run.search.best_hyperparameters
            if not name.startswith("tuner/")
        )
    )


def _number(value: HyperValue | None) -> bool:
    """A value the rank test can order: a finite int or float (a bool is a category)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _categories(runs: list[RunResult], name: str) -> list[str]:
    """One choice per seed, as text: a seed whose runs chose differently counts as their values
    together, a run without the hyperparameter as NOT_SET."""
    by_seed: dict[int, set[str]] = defaultdict(set)
    for run in runs:
        chosen = run.search.best_hyperparameters
        by_seed[run.identity.seed].add(str(chosen[name]) if name in chosen else NOT_SET)
    return [" or ".join(sorted(by_seed[seed])) for seed in sorted(by_seed)]


def _choice_test(
    name: str, base: list[RunResult], these: list[RunResult]
) -> tuple[ChangeTest, bool]:
    """One hyperparameter's test, and whether the versions chose differently at all (their
    choices over seeds differ as samples, not only in which seed made them). Numbers go to the
    rank test (a seed's reruns averaged, as for scores), anything else to the chi-square test."""
    chosen = [run.search.best_hyperparameters.get(name) for run in base + these]
    if all(_number(value) for value in chosen):

        def value(run: RunResult) -> float:
            return float(run.search.best_hyperparameters[name])

        old, new = list(per_seed(base, value).values()), list(per_seed(these, value).values())
        return compare_versions(old, new, ALPHA), sorted(old) != sorted(new)
    old_choices, new_choices = _categories(base, name), _categories(these, name)
    return (
        compare_choices(old_choices, new_choices, ALPHA),
        sorted(old_choices) != sorted(new_choices),
    )


def _accuracy(run: RunResult) -> float:
    return run.test.accuracy


def _cell(
    base: list[RunResult] | None,
    these: list[RunResult],
    rope: float,
    names: list[str],
    first_alpha: float,
) -> VersionCell:
    """One tuner in one environment; compared with ``base``, its runs in the oldest one, on test
    accuracy and the hyperparameters ``names``. ``first_alpha`` is Holm's first threshold in the
    family: what a change would have to beat to be seen."""
    new = per_seed(these, _accuracy)
    mean, wall_mean = (
        statistics.fmean(new.values()),
        statistics.fmean(per_seed(these, total_wall).values()),
    )
    if not base:
        return VersionCell(mean, wall_mean, len(new), None, None)
    old = per_seed(base, _accuracy)
    tested = {name: _choice_test(name, base, these) for name in names}
    shared = set(old) & set(new)
    return VersionCell(
        mean,
        wall_mean,
        len(new),
        100 * (mean - statistics.fmean(old.values())),
        wall_mean / statistics.fmean(per_seed(base, total_wall).values()),
        accuracy_test=compare_versions(list(old.values()), list(new.values()), ALPHA, rope),
        choice_tests={name: test for name, (test, _) in tested.items()},
        hidden_changes=[
            name
            for name, (test, differ) in tested.items()
            if differ and test.min_possible_p >= first_alpha
        ],
        equivalence_p=equivalence_p(list(old.values()), list(new.values()), rope),
        paired=paired_difference(old, new, ALPHA) if len(shared) >= 2 else None,
        seeds_to_tell=versions_seeds_to_tell(
            list(old.values()), list(new.values()), rope, first_alpha
        ),
    )


def _status(cell: VersionCell) -> UpgradeState:
    """Changed if any test of the cell is significant; unchanged if test accuracy is shown
    within the ROPE and no choice changed unseen; otherwise not enough seeds to tell."""
    if cell.changes:
        return UpgradeState.CHANGED
    if cell.equivalent and not cell.hidden_changes:
        return UpgradeState.UNCHANGED
    return UpgradeState.TOO_FEW


def _corrected(cells: dict[tuple[str, str], VersionCell]) -> dict[tuple[str, str], VersionCell]:
    """Holm over every change test of the table, and over every "unchanged" claim; then each
    cell's status from its corrected tests."""
    keys = [k for k, c in cells.items() if c.tests]
    family = iter(holm([test for k in keys for test in cells[k].tests], ALPHA))
    claims = [k for k in keys if cells[k].equivalence_p is not None]
    tost = holm_p([cells[k].equivalence_p for k in claims])
    tost_by_key = dict(zip(claims, tost, strict=True))
    out = dict(cells)
    for k in keys:
        cell = replace(
            cells[k],
            accuracy_test=cast(VersionDifference, next(family)),  # each cell's first test
            choice_tests={name: next(family) for name in cells[k].choice_tests},
            equivalence_p=tost_by_key.get(k),
        )
        status = _status(cell)
        out[k] = replace(
            cell,
            status=status,
            seeds_to_tell=cell.seeds_to_tell if status == UpgradeState.TOO_FEW else None,
        )
    return out


def versions_table(runs: list[RunResult], rope: float = DEFAULT_ROPE) -> VersionsTable:
    """The table of usable ``runs`` (see ``seed_tables.usable_runs``)."""
    envs = sort_environments(map(environment, runs))
    grouped: dict[tuple[str, str], list[RunResult]] = defaultdict(list)
    for run in runs:
        grouped[(variant(run), environment(run))].append(run)
    variants = sort_variants(map(variant, runs))
    oldest = envs[0] if envs else ""  # no usable run: an empty table
    either = [
        (n, e)
        for n in variants
        for e in envs[1:]
        if grouped.get((n, e)) or grouped.get((n, oldest))
    ]
    compared = [(n, e) for n, e in either if grouped.get((n, e)) and grouped.get((n, oldest))]
    names = {(n, e): _hyperparameters(grouped[(n, oldest)] + grouped[(n, e)]) for n, e in compared}
    first_alpha = ALPHA / max(1, sum(1 + len(tested) for tested in names.values()))
    cells = {
        (name, env): _cell(
            grouped.get((name, oldest)) if env != oldest else None,
            grouped[(name, env)],
            rope,
            names.get((name, env), []),
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
        common = [n for n in orders[oldest] if n in orders[env]]
        agreement[env] = ranking_agreement(common, [n for n in orders[env] if n in common])
    hyperparameters = list(dict.fromkeys(h for tested in names.values() for h in tested))
    unmatched = [pair for pair in either if pair not in compared]
    return VersionsTable(envs, rows, orders, agreement, rope, hyperparameters, unmatched)
