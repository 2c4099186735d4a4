"""The reference run's search space as plain values, shared by the models and the report."""

from __future__ import annotations

UNITS = {"min_value": 16, "max_value": 256, "step": 32}  # 16, 48, ..., 240
LEARNING_RATES = [1e-2, 1e-3, 1e-4]
SEARCH_SPACE = ("units", "learning_rate")
