"""A result in typed parts is still the flat record it always was: the same keys and values
written, old files read, a bad field named by its flat key, and changes by flat names routed to
their part."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import asdict
from typing import Any

import pytest
from reporting import BENCHMARK, SESSION

from tunerbench.records.run_result import RunResult
from tunerbench.records.validation import RecordError

pytestmark = pytest.mark.report

# What a field newer than a file reads as when the file lacks it.
DEFAULTS = {
    "resumed": 0, "notes": [], "workers": 1, "fit_s": None, "session": "", "worker": "",
    "threads": 0, "startup_s": None, "warmup_s": None, "peak_rss_mb": None, "attempts": 1,
    "collector_rss_mb": None, "phase_seeds": {}, "loop_settings": {}, "problem": "",
    "problem_fingerprint": "", "space_points": None, "objective": "", "objective_direction": "",
    "session_tuners": [], "mode": "", "table_fingerprint": "", "table_seeds": 0,
    "table_point": -1, "table_run": -1, "table_test_accuracy": [], "table_output": "",
}  # fmt: skip


def _saved() -> list[dict[str, Any]]:
    """The raw results of the recorded session file and of pytest-benchmark's JSON."""
    session = json.loads(SESSION.read_text())["results"]
    benchmark = json.loads(BENCHMARK.read_text())["benchmarks"]
    return session + [b["extra_info"] for b in benchmark]


def test_old_files_read_and_write_back_the_same_keys_and_values() -> None:
    for raw in _saved():
        written = RunResult.from_dict(raw).to_dict()
        # Records only grow: an older writer's keys, in its order, then the newer ones.
        assert [key for key in written if key in raw] == list(raw)
        assert set(written) == set(raw) | set(DEFAULTS)
        assert written == {**DEFAULTS, **raw}
        text = json.dumps(written, allow_nan=False)
        assert RunResult.from_dict(json.loads(text)).to_dict() == written


def test_every_field_round_trips_under_its_flat_key() -> None:
    raw = {
        **_saved()[0], "resumed": 2, "notes": ["n"], "workers": 3, "fit_s": 1.5, "session": "s",
        "worker": "tcp://w", "threads": 4, "startup_s": 2.0, "warmup_s": 0.5,
        "peak_rss_mb": 900.0, "attempts": 2, "collector_rss_mb": 300.0,
        "phase_seeds": {"search": 1}, "loop_settings": {"xla": True}, "problem": "digits",
        "problem_fingerprint": "abc", "space_points": 12, "objective": "val_loss",
        "objective_direction": "min", "session_tuners": ["random", "grid"],
        "mode": "replay", "table_fingerprint": "0123abcd", "table_seeds": 5,
        "table_point": 3, "table_run": 1, "table_test_accuracy": [0.8, 0.81],
        "table_output": "/studies/tables", "test_accuracy": None, "test_loss": None,
        "from_a_newer_writer": 1,
    }  # fmt: skip
    result = RunResult.from_dict(raw)
    assert (result.identity.workers, result.provenance.attempts) == (3, 2)
    assert (result.test.accuracy, result.cost.collector_rss_mb) == (None, 300.0)
    assert result.search.space_points == 12 and result.problem_name == "digits"
    assert result.to_dict() == {k: v for k, v in raw.items() if k != "from_a_newer_writer"}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("test_accuracy", "high", "result.test_accuracy: expected float | None, got str"),
        ("seed", 1.5, "result.seed: expected int, got float"),
        ("collector_rss_mb", [], "result.collector_rss_mb: expected float | None, got list"),
    ],
)
def test_a_bad_field_is_named_by_its_flat_key(key: str, value: Any, message: str) -> None:
    with pytest.raises(RecordError, match=message.replace("|", r"\|")):
        RunResult.from_dict({**_saved()[0], key: value})


@pytest.mark.parametrize("key", ["seed", "best_epoch", "test_loss", "phases", "versions"])
def test_a_missing_field_is_named_by_its_flat_key(key: str) -> None:
    missing = {k: v for k, v in _saved()[0].items() if k != key}
    with pytest.raises(RecordError, match=f"^result: missing field {key}$"):
        RunResult.from_dict(missing)


def test_replace_routes_flat_names_to_their_parts() -> None:
    run = RunResult.from_dict(_saved()[0])
    other = run.replace(seed=7, test_accuracy=0.5, threads=2, phases={})
    assert (other.identity.seed, other.test.accuracy, other.provenance.threads) == (7, 0.5, 2)
    assert other.cost.phases == {} and other.identity.tuner == run.identity.tuner
    assert run.identity.seed == 1 and run.test.accuracy != 0.5  # the original is unchanged
    assert other.search is run.search  # a part not changed is shared, as dataclasses.replace
    with pytest.raises(TypeError, match="no field accuracy"):
        run.replace(accuracy=0.5)  # a part's own name is not a field of the record


def _search_of(tuner: str) -> dict[str, Any]:
    return next(r for r in json.loads(SESSION.read_text())["results"] if r["tuner"] == tuner)


@pytest.mark.parametrize(
    ("tuner", "ids", "change", "message"),
    [
        # What a search resumed on another executor than the one it began on once saved.
        ("random", "01012345", {"search_epochs": 26}, "result.trials: trial 0 is recorded twice"),
        ("random", "01234567", {}, "result.n_trials: 8 trials exceed the budget's max 6"),
        ("hyperband", "0123456789A", {}, "result.n_trials: 11 trials exceed the budget's max 10"),
        ("random", None, {"search_epochs": 32},
         "result.search_epochs: 32 epochs exceed the budget's 26"),
        ("random", None, {"n_trials": 5}, "result.n_trials: 5, but 6 trials are recorded"),
    ],
)  # fmt: skip
def test_a_result_beyond_its_budget_is_refused_read_or_made(
    tuner: str, ids: str | None, change: dict[str, Any], message: str
) -> None:
    """No record holds a search that broke the equal-budget rule: reading one (a file, the
    journal, a worker's reply) and making one (a pipeline, a replaced field) name the field."""
    raw = _search_of(tuner)
    result = RunResult.from_dict(raw)  # the recorded run itself is within its budget
    if ids is not None:
        first = result.search.trials[0]
        trials = [dataclasses.replace(first, trial_id=i) for i in ids]
        change = {"n_trials": len(ids), "trials": trials, **change}
    written = {k: [asdict(t) for t in v] if k == "trials" else v for k, v in change.items()}
    with pytest.raises(RecordError) as read:
        RunResult.from_dict({**raw, **written})
    assert str(read.value) == message
    with pytest.raises(RecordError) as made:
        result.replace(**change)
    assert str(made.value) == message
