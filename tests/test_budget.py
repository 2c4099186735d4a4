"""The equal-budget rule, checked against the reference run's known numbers."""

from __future__ import annotations

from tunerbench.profiles import PROFILES
from tunerbench.search.budget import compute_budget, hyperband_schedule


def test_reference_schedule_is_the_reference_runs_30_trials() -> None:
    schedule = hyperband_schedule(10, 3)
    assert schedule == [(2, 12, 2), (2, 4, 2), (2, 2, 6), (1, 6, 4), (1, 2, 6), (0, 4, 10)]
    budget = compute_budget(PROFILES["reference"])
    assert budget.hyperband_trials == 30
    assert budget.total_epochs == 120
    assert budget.max_trials == 12
    assert "120 // 10 = 12 trials" in budget.rule


def test_quick_budget_is_small() -> None:
    budget = compute_budget(PROFILES["quick"])
    assert budget.total_epochs < compute_budget(PROFILES["reference"]).total_epochs
    assert budget.max_trials * budget.max_epochs_per_trial <= budget.total_epochs
