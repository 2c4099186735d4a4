"""Helpers for the report tests: real recorded results, and copies of them changed on purpose."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import zlib
from pathlib import Path

from tunerbench.records.results_file import load_results
from tunerbench.records.run_result import RunResult
from tunerbench.report.decision.verdict import Verdict
from tunerbench.report.sections.next_run_command import command_line

DATA = Path(__file__).parent / "data"
SESSION = DATA / "quick-digits-session.json"
BENCHMARK = DATA / "quick-digits-benchmark.json"
# A measurement record as --tb-speed saves it (no pipelines: the numbers only have to read).
THROUGHPUT = {
    "kind": "cluster_throughput",
    "dataset": "digits",
    "profile": "quick",
    "cluster": "local:2",
    "pipelines": 0,
    "sequential_s": 1.4,
    "cluster_s": 1.0,
    "ratio": 1.4,
    "sequential": [],
    "on_cluster": [],
}


def recorded() -> list[RunResult]:
    """The five tuners of a real quick digits run (seed 1, TensorFlow 2.21)."""
    return load_results(SESSION)


def variant_of(run: RunResult, **changes: object) -> RunResult:
    """A deep copy of ``run`` with ``changes`` applied (by the record's flat field names, as a
    file has them), and its own start time (a distinct run)."""
    other = copy.deepcopy(run).replace(**changes)
    shift = dt.timedelta(microseconds=zlib.crc32(repr(sorted(changes.items())).encode()) % 10**6)
    started = dt.datetime.fromisoformat(run.identity.started_at) + shift
    other.identity.started_at = started.isoformat()
    return other


def command_of(verdict: Verdict) -> str | None:
    """The command line of the verdict's next run, as the report shows it (None: no run to
    start)."""
    run = verdict.next_run.run if verdict.next_run is not None else None
    return command_line(run) if run is not None else None


def study(
    advantage: dict[str, float], seeds: int, noise: float = 0.002, tensorflow: str | None = None
) -> list[RunResult]:
    """The recorded runs copied over ``seeds`` seeds with test accuracy (and CPU time) set by
    hand: 0.90 plus the tuner's ``advantage`` plus Gaussian noise, known answers for tests."""
    rng = random.Random(sum(map(ord, json.dumps(advantage, sort_keys=True))) + seeds)
    runs = []
    for seed in range(1, seeds + 1):
        for run in recorded():
            if run.identity.tuner not in advantage:
                continue
            accuracy = 0.90 + advantage[run.identity.tuner] + rng.gauss(0, noise)
            changes: dict[str, object] = {"seed": seed, "test_accuracy": round(accuracy, 6)}
            if tensorflow is not None:
                changes["versions"] = {**run.provenance.versions, "tensorflow": tensorflow}
            runs.append(variant_of(run, **changes))
    return runs
