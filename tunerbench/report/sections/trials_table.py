"""Every trial of every run, in run order: the report's collapsed table of raw records."""

from __future__ import annotations

from dataclasses import dataclass

from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import TrialRecord
from tunerbench.report.inputs.labels import environment, in_run_order, variant


@dataclass(frozen=True)
class TrialRow:
    variant: str
    environment: str
    seed: int
    trial: TrialRecord
    objective: str  # what the trial's value (its ``val_accuracy``) is of: its run's objective


def trial_rows(runs: list[RunResult]) -> list[TrialRow]:
    return [
        TrialRow(
            variant(run), environment(run), run.identity.seed, trial, run.search.objective_name
        )
        for run in in_run_order(runs)
        for trial in run.search.trials
    ]
