"""A function in a fresh process: its value and events come back, a failure is one line, a
process that dies is named with its last output; a share of the cores caps every thread pool;
and the options a cluster needs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from child_tasks import ECHOED

from tunerbench.records.events import Event
from tunerbench.run.child_process import ChildError, call_in_fresh_process, json_safe
from tunerbench.run.option_values import OptionsError, check_cluster
from tunerbench.run.run_folder import saved_measurements

TESTS = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(TESTS))


def test_the_value_and_events_come_back_and_a_nan_does_not_lose_them(tmp_path: Path) -> None:
    events: list[Event] = []
    value = call_in_fresh_process("child_tasks:echo", {"value": 7}, events.append, tmp_path / "l")
    assert value == {"value": 7, "loss": None} and events == [ECHOED]


@pytest.mark.parametrize(
    ("wire", "said"),
    [
        ({"event": "bogus"}, 'an event of unknown kind "bogus"'),
        # The pipe's own messages travel under "call": an event named like one is no outcome.
        ({"event": "return", "value": 1}, 'an event of unknown kind "return"'),
        ({"event": "cell", "point": 4}, 'a "cell" event not of its shape: event: missing field'),
    ],
)
def test_an_event_that_is_none_fails_the_call_in_one_line(
    tmp_path: Path, wire: dict, said: str
) -> None:
    """What no consumer could read ends the process: the call fails naming what it sent."""
    with pytest.raises(ChildError) as caught:
        call_in_fresh_process("child_tasks:stray", {"wire": wire}, print, tmp_path / "log")
    message = str(caught.value)
    assert message.startswith(f"the process running child_tasks:stray sent {said}")
    assert "\n" not in message


def test_a_failure_is_one_line_and_its_traceback_is_in_the_log(tmp_path: Path) -> None:
    with pytest.raises(ChildError, match=r"^ValueError: no good$"):
        call_in_fresh_process("child_tasks:fail", {}, lambda e: None, tmp_path / "log")
    assert "Traceback" in (tmp_path / "log").read_text()


def test_a_process_that_dies_is_named_with_its_last_output(tmp_path: Path) -> None:
    with pytest.raises(ChildError, match=r"exited with code 3.*about to die"):
        call_in_fresh_process("child_tasks:die", {}, lambda e: None, tmp_path / "log")


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: every pool has one thread")
def test_a_share_of_the_cores_caps_numpy_blas_with_tensorflow(tmp_path: Path) -> None:
    pools = call_in_fresh_process("child_tasks:thread_pools", {"threads": 1}, print, tmp_path / "l")
    assert pools["blas_before"] > 1 and pools == {**pools, "blas": 1, "tf_intra": 1}


def test_a_pipeline_on_a_dask_worker_runs_without_the_nannys_allocator_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_ for its worker, which makes NumPy's large arrays
    cost a page fault per page; the pipeline's own process must not inherit it."""
    from tunerbench.run.cluster_task import nanny_environment

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "4096")  # a user's own value is kept
    assert "MALLOC_TRIM_THRESHOLD_" not in nanny_environment()
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")  # the nanny's
    assert "MALLOC_TRIM_THRESHOLD_" in nanny_environment()
    ask = ("child_tasks:environment", {"name": "MALLOC_TRIM_THRESHOLD_"})
    assert call_in_fresh_process(*ask, lambda e: None, tmp_path / "a.log") == "65536"
    unset = nanny_environment()
    assert call_in_fresh_process(*ask, lambda e: None, tmp_path / "b.log", unset) is None


def test_a_spare_started_ahead_serves_the_next_call_with_its_imports_done(
    tmp_path: Path,
) -> None:
    """The first call starts a process for itself and a spare for the next; the next call gets
    the spare (TensorFlow already imported, its thread pools still free to set), whose output
    while it waited ends up in the call's log; a spare that died is replaced; closing ends it."""
    from tunerbench.processes import WARMED_ENV
    from tunerbench.run.spare_process import SPARES

    ask = ("child_tasks:environment", {"name": WARMED_ENV})
    try:
        assert call_in_fresh_process(*ask, lambda e: None, tmp_path / "1.log", spare=True) is None
        warmed = call_in_fresh_process(*ask, lambda e: None, tmp_path / "2.log", spare=True)
        assert warmed is not None and float(warmed) > 0  # the spare imported TensorFlow first
        pools = call_in_fresh_process(
            "child_tasks:thread_pools", {"threads": 1}, lambda e: None, tmp_path / "3.log",
            spare=True,
        )  # fmt: skip
        assert pools == {"blas_before": pools["blas_before"], "blas": 1, "tf_intra": 1}
        waiting = SPARES.take(())
        assert waiting is not None
        waiting.process.kill()  # a spare that dies while it waits
        waiting.process.wait()
        SPARES._spares[()] = waiting
        assert call_in_fresh_process(*ask, lambda e: None, tmp_path / "4.log", spare=True) is None
        assert not list(tmp_path.glob(".spare-*"))[1:]  # only the one now waiting
    finally:
        SPARES.close()
    assert not list(tmp_path.glob(".spare-*"))  # what it wrote went into a log or away


def test_json_safe_replaces_what_json_cannot_hold() -> None:
    assert json_safe({"a": [1.0, float("inf"), {"b": float("nan")}], "c": "x"}) == {
        "a": [1.0, None, {"b": None}],
        "c": "x",
    }


@pytest.mark.parametrize("value", ["local:0", "local:x", "http://host:8786", "tcp://", "host"])
def test_a_cluster_is_local_n_or_a_scheduler_address(value: str) -> None:
    with pytest.raises(OptionsError, match="--tb-cluster"):
        check_cluster(value)
    assert check_cluster("local:2") == "local:2"
    assert check_cluster("tcp://10.0.0.1:8786") == "tcp://10.0.0.1:8786"


def test_a_resumed_session_keeps_its_measurements(tmp_path: Path) -> None:
    (tmp_path / "session.json").write_text('{"created": "2026-11-28T10:00:00+00:00"}')
    results = tmp_path / "tunerbench-x.json"
    results.write_text(
        '{"format": "tunerbench-results", "version": 1, "results": [], '
        '"perf": [{"kind": "cluster_throughput", "dataset": "digits", "profile": "quick", '
        '"cluster": "local:2", "pipelines": 0, "sequential_s": 1.4, "cluster_s": 1.0, '
        '"ratio": 1.4, "sequential": [], "on_cluster": []}]}'
    )
    created, perf, note = saved_measurements(tmp_path, results)
    assert created == "2026-11-28T10:00:00+00:00" and perf[0]["ratio"] == 1.4 and note is None
    assert saved_measurements(tmp_path / "gone", tmp_path / "none.json") == (None, [], None)
    # A file that cannot be read is kept aside, never overwritten by the resumed session.
    results.write_text('{"format": "tunerbench-results", "version": 1, "results": [{"x')
    created, perf, note = saved_measurements(tmp_path, results)
    (aside,) = tmp_path.glob("tunerbench-x.json.unreadable-*")
    assert perf == [] and not results.exists() and note is not None and str(aside) in note
    assert aside.read_text().endswith('[{"x')
