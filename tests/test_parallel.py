"""Parallel trials through Keras Tuner's distributed mode, for real, on tiny digits."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import spec_of

from tunerbench.data.dataset import Dataset
from tunerbench.pipeline.classic import run_pipeline
from tunerbench.profiles import Profile
from tunerbench.records.journal import Journal, RunJournal
from tunerbench.search.budget import compute_budget


@pytest.mark.parametrize("tuner", ["random", "hyperband"])
def test_two_workers_run_every_trial_once(
    digits: Dataset, tiny: Profile, tmp_path: Path, tuner: str
) -> None:
    journal = RunJournal(Journal(tmp_path / "journal.jsonl"), tuner, 1)
    result = run_pipeline(spec_of(tuner, tmp_path / tuner, workers=2), digits, journal)
    budget = compute_budget(tiny)
    planned = budget.hyperband_trials if tuner == "hyperband" else budget.max_trials
    ids = [t.trial_id for t in result.search.trials]
    assert len(ids) == len(set(ids)) == result.search.n_trials == planned
    assert result.identity.workers == 2 and result.cost.fit_s is None
    search = result.cost.phases["search"]
    # The workers' CPU is counted: far more than this process alone spends waiting for them.
    assert search.cpu_s > 0.5 * sum(t.wall_s for t in result.search.trials)
    assert all(0 < t.finished_at_s <= search.wall_s for t in result.search.trials)
    assert result.search.refit_val_accuracy and 0 < result.test.accuracy <= 1
    assert [t.trial_id for t in journal.state().trials] == ids  # relayed by the chief
