"""Numbers the report shows, computed from saved results only (no TensorFlow needed).

Results are grouped twice: into *comparison groups* (same problem, profile and budget, and the
same way of training: real, or replayed against one table of recorded training; only these may
be compared at all) and, inside a group, by *environment* (TensorFlow and Keras versions) and
*variant* (tuner, plus the training loop when it is not the default).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tunerbench.problems.builtin import PROBLEMS
from tunerbench.problems.problem import KERAS_FIT_LOOP
from tunerbench.records.run_result import RunResult
from tunerbench.search.registry import TUNERS
from tunerbench.training.loops import DEFAULT_LOOP

REPLAY = "replay"  # a record's mode when every fit was answered from a table of recorded training


@dataclass(frozen=True)
class ReplaySource:
    """The table a replayed group's every fit was answered from: its fingerprint, and its
    training seeds per point, which bound the training noise the group's statistics can see
    however many seeds were replayed."""

    fingerprint: str
    seeds: int


@dataclass(frozen=True, order=True)
class GroupKey:
    problem: str
    dataset: str
    profile: str
    total_epochs: int
    max_trials: int
    max_epochs_per_trial: int
    # A declared problem's definition (its fingerprint): two definitions under one name are
    # two groups, never pooled; "" for the built-in problems.
    definition: str = ""
    # Replayed runs ("replay"; "" for real training) and their table: never pooled with real
    # runs, nor with runs replayed against another table.
    mode: str = ""
    table_fingerprint: str = ""
    table_seeds: int = 0

    @property
    def replay(self) -> ReplaySource | None:
        """The table behind a replayed group; None for real training."""
        if self.mode != REPLAY:
            return None
        return ReplaySource(self.table_fingerprint, self.table_seeds)

    @property
    def title(self) -> str:
        name = f"{self.problem} [{self.definition[:8]}]" if self.definition else self.problem
        if not self.total_epochs:
            return f"{name}, {self.profile} profile, measurements without tuner runs"
        replayed = f", replayed against table {self.table_fingerprint[:8]}" if self.replay else ""
        return f"{name}, {self.profile} profile, {self.total_epochs}-epoch budget{replayed}"


def measured_only(groups: Iterable[GroupKey], perf: list[dict[str, Any]]) -> list[GroupKey]:
    """Keys (no budget) for the dataset and profile of measurements that no tuner run shares,
    so a session of measurements alone (``--tb-loop-accuracy``) still has a section. The
    measurements are the reference MLP's, whose problem is named after its dataset."""
    covered = {(key.problem, key.profile) for key in groups}
    measured = {(p["dataset"], p["profile"]) for p in perf if "dataset" in p and "profile" in p}
    return [GroupKey(d, d, p, 0, 0, 0) for d, p in sorted(measured - covered)]


def group_key(result: RunResult) -> GroupKey:
    b = result.search.budget
    name = result.problem_name
    who = result.identity
    replayed = who.mode == REPLAY
    return GroupKey(
        name,
        result.identity.dataset,
        result.identity.profile,
        b.total_epochs,
        b.max_trials,
        b.max_epochs_per_trial,
        "" if name in PROBLEMS else result.identity.problem_fingerprint,
        who.mode,
        who.table_fingerprint if replayed else "",
        who.table_seeds if replayed else 0,
    )


def default_loop(problem: str) -> str:
    """The loop a problem's runs train with unless ``--tb-loop`` says otherwise: a problem the
    loops do not apply to (a user's own) trains with Keras' own fit."""
    known = PROBLEMS.get(problem)
    return known.loop_for(DEFAULT_LOOP) if known is not None else KERAS_FIT_LOOP


class Label(str):
    """A label the report shows and keys its tables by (a string, so templates and dicts take
    it as one), carrying the order it sorts in, so no label is ever parsed back."""

    order: tuple[Any, ...]

    def __new__(cls, text: str, order: tuple[Any, ...]) -> Label:
        label = super().__new__(cls, text)
        label.order = order
        return label


def _order(label: str) -> tuple[Any, ...]:
    return getattr(label, "order", ((math.inf,), label))


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in text.split("."))


def environment(result: RunResult) -> Label:
    """TensorFlow and Keras versions, sorting oldest first."""
    versions = result.provenance.versions
    tf, keras = versions.get("tensorflow", "?"), versions.get("keras", "?")
    return Label(f"TF {tf} / Keras {keras}", (_version(tf), _version(keras)))


def tuner_position(tuner: str) -> int:
    """Where a tuner stands in the registry's order, as every table lists them; last if the
    registry does not know it."""
    return TUNERS.names.index(tuner) if tuner in TUNERS else len(TUNERS)


def variant(result: RunResult) -> Label:
    """The tuner, plus how it was run when that differs from the default (loop, workers),
    sorting in the tuners' registry order."""
    who = result.identity
    how = [who.loop] if who.loop != default_loop(who.problem_name) else []
    how += [f"{who.workers} workers"] if who.workers > 1 else []
    text = f"{who.tuner} [{', '.join(how)}]" if how else who.tuner
    return Label(text, ((tuner_position(who.tuner),), text))


def sort_labels(labels: Iterable[str]) -> list[str]:
    """Labels (environments, variants) once each, in the order they carry."""
    return sorted(set(labels), key=_order)


sort_environments = sort_variants = sort_labels


def in_run_order(runs: Iterable[RunResult]) -> list[RunResult]:
    """Runs sorted by variant name, environment and seed: the order of per-run lines and
    rows (alphabetical, so a tuner is easy to find in a long table)."""
    return sorted(runs, key=lambda r: (str(variant(r)), str(environment(r)), r.identity.seed))


def run_identity(result: RunResult) -> tuple:
    """What makes two records the same run (one file merged twice, or a session file beside
    the pytest-benchmark JSON of the same session)."""
    who, where = result.identity, result.provenance
    return (
        who.tuner, result.problem_name, who.profile, who.seed, who.loop, who.started_at,
        where.machine.get("host"), where.versions.get("tensorflow"),
    )  # fmt: skip


def deduplicate(results: list[RunResult]) -> tuple[list[RunResult], int]:
    seen: dict[tuple, RunResult] = {}
    for result in results:
        seen.setdefault(run_identity(result), result)
    return list(seen.values()), len(results) - len(seen)


def split_groups(results: list[RunResult]) -> dict[GroupKey, list[RunResult]]:
    groups: dict[GroupKey, list[RunResult]] = defaultdict(list)
    for result in results:
        groups[group_key(result)].append(result)
    return dict(sorted(groups.items()))


@dataclass(frozen=True)
class Summary:
    """Mean and sample standard deviation (None for a single value) of one quantity."""

    mean: float
    sd: float | None
    n: int

    @classmethod
    def of(cls, values: list[float]) -> Summary:
        """NaN for no values at all (a figure no run could give, shown as a dash)."""
        if not values:
            return cls(math.nan, None, 0)
        sd = statistics.stdev(values) if len(values) > 1 else None
        return cls(statistics.fmean(values), sd, len(values))


def total_wall(result: RunResult) -> float:
    return sum(t.wall_s for t in result.cost.phases.values())


def total_cpu(result: RunResult) -> float:
    return sum(t.cpu_s for t in result.cost.phases.values())
