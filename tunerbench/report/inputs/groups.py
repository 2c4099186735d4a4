"""Comparison groups: runs of the same problem, profile and budget, and the same way of training
(real, or replayed against one table of recorded training). Only runs of one group may be
compared at all; inside a group, ``labels`` names each run's environment and variant. A run read
twice (one file merged twice, or a session file beside its pytest-benchmark JSON) counts once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from tunerbench.problems.builtin import PROBLEMS
from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import Measurements

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


def measured_only(groups: Iterable[GroupKey], measured: Measurements) -> list[GroupKey]:
    """Keys (no budget) for the dataset and profile of measurements that no tuner run shares,
    so a session of measurements alone (``--tb-loop-accuracy``) still has a section. The
    measurements are the reference MLP's, whose problem is named after its dataset."""
    covered = {(key.problem, key.profile) for key in groups}
    records = [*measured.epochs, *measured.loop_checks, *measured.throughputs]
    setups = {(r.dataset, r.profile) for r in records}
    return [GroupKey(d, d, p, 0, 0, 0) for d, p in sorted(setups - covered)]


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
