"""Helpers for the report tests: real recorded results, and copies of them changed on purpose."""

from __future__ import annotations

import copy
from pathlib import Path

from tunerbench.records.results_file import load_results
from tunerbench.records.schema import RunResult

DATA = Path(__file__).parent / "data"
SESSION = DATA / "quick-digits-session.json"
BENCHMARK = DATA / "quick-digits-benchmark.json"


def recorded() -> list[RunResult]:
    """The five tuners of a real quick digits run (seed 1, TensorFlow 2.21)."""
    return load_results(SESSION)


def variant_of(run: RunResult, **changes: object) -> RunResult:
    """A deep copy of ``run`` with ``changes`` applied, and its own start time (a distinct run)."""
    other = copy.deepcopy(run)
    for name, value in changes.items():
        setattr(other, name, value)
    other.started_at = f"{run.started_at}#{sorted(changes.items())!r}"
    return other
