"""Parallel trials through Keras Tuner's distributed mode, for real, on tiny digits."""

from __future__ import annotations

from pathlib import Path

import pytest

from tunerbench.data.dataset import Dataset
from tunerbench.profiles import Profile
from tunerbench.records.journal import Journal, RunJournal
from tunerbench.run.pipeline import PipelineError, run_pipeline
from tunerbench.search.budget import compute_budget


@pytest.mark.parametrize("tuner", ["random", "hyperband"])
def test_two_workers_run_every_trial_once(
    digits: Dataset, tiny: Profile, tmp_path: Path, tuner: str
) -> None:
    journal = RunJournal(Journal(tmp_path / "journal.jsonl"), tuner, 1)
    result = run_pipeline(tuner, digits, tiny, 1, tmp_path / tuner, journal=journal, workers=2)
    budget = compute_budget(tiny)
    planned = budget.hyperband_trials if tuner == "hyperband" else budget.max_trials
    ids = [t.trial_id for t in result.trials]
    assert len(ids) == len(set(ids)) == result.n_trials == planned
    assert result.workers == 2 and result.fit_s is None
    search = result.phases["search"]
    # The workers' CPU is counted: far more than this process alone spends waiting for them.
    assert search.cpu_s > 0.5 * sum(t.wall_s for t in result.trials)
    assert all(0 < t.finished_at_s <= search.wall_s for t in result.trials)
    assert result.refit_val_accuracy and 0 < result.test_accuracy <= 1


def test_workers_need_a_journal(digits: Dataset, tiny: Profile, tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="needs a run journal"):
        run_pipeline("random", digits, tiny, 1, tmp_path / "r", workers=2)
