"""What runs on a Dask worker for one pipeline: check the worker, run the pipeline in a fresh
process there, relay its events to the session's topic, and stop it within a second once the
session has let the task go (a stopped session cancels it, a dead one's client is gone): the
pipeline's process reports that it is alive every second, and each report is the moment to
check. Its result, or what failed, goes back as JSON text: never an object, which Dask would
send pickled and the session would have to run to read. A warm spare process is ended when no
pipeline follows (the session stopped, or the worker stays idle). A tabulation's task
(``table_task``) replies and sends its events through the same ``task_reply`` and ``send_event``."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from tunerbench.pipeline.provenance import installed_versions, version_mismatch
from tunerbench.pipeline.spec import PipelineSpec
from tunerbench.records.events import Event
from tunerbench.run.cluster_access import ClusterError
from tunerbench.run.executors import run_in_fresh_process
from tunerbench.run.spare_process import SPARES

# A worker idle this long after a pipeline ends has no next pipeline for its spare process.
SPARE_IDLE_S = 20.0
# The key of a worker's reply that says its pipeline failed: "Type: first line".
FAILED = "failed"
# A topic message holds its pipeline's "label" and one of: EVENT_JSON, the pipeline's event as
# JSON text (as a result travels: msgpack would turn its lists into tuples, which no event's
# lists are), or DONE, the word that the task sent every event (the topic's own, never an event).
EVENT_JSON, DONE = "event_json", "done"


class Stopped(RuntimeError):
    """The session no longer wants this pipeline (it stopped, or it died)."""


def still_wanted(worker: Any) -> None:
    """Raise Stopped when the scheduler has released this task: Dask's way of saying that no
    client waits for it any more. Called at every event, so a pipeline stops within a second."""
    from distributed.worker import thread_state

    task = worker.state.tasks.get(getattr(thread_state, "key", None))
    if task is None or task.state not in ("executing", "long-running"):
        raise Stopped("its session no longer wants it")


def share_of_cores(worker: Any) -> int:
    """TensorFlow threads for one pipeline: this machine's cores over the pipelines it runs at
    once (the task slots of every worker on this host)."""
    from distributed import get_client

    workers = get_client().scheduler_info(n_workers=-1)["workers"].values()
    slots = sum(w["nthreads"] for w in workers if w["host"] == worker.ip) or 1
    return max(1, (os.cpu_count() or 1) // slots)


def nanny_environment() -> tuple[str, ...]:
    """The variables Dask's nanny set for its worker process (``distributed.nanny.pre-spawn-
    environ``, where this process holds them with that value), which a pipeline's process runs
    without, as it would anywhere else; a user's own settings are kept.

    Among them is ``MALLOC_TRIM_THRESHOLD_=65536``, for long-lived workers' fragmentation; setting
    it turns off glibc's adaptive mmap threshold, so that every array above 128 KB is mapped and
    unmapped afresh, a page fault for each of its pages. scikit-learn's MLP makes several such
    arrays per batch (its 784 x 240 gradients and Adam's temporaries): measured on ``local:2``,
    half of its CPU time went to the kernel and its epochs took 4-6x as long. A pipeline's
    process is short-lived and sets its own thread limits (the other variables are thread
    counts), so none of them is needed there.
    """
    import dask
    import distributed  # noqa: F401 (its defaults join Dask's configuration when imported)

    preset = dask.config.get("distributed.nanny.pre-spawn-environ", default=None) or {}
    return tuple(sorted(k for k, v in preset.items() if os.environ.get(k) == str(v)))


def pipeline_on_worker(spec: dict[str, Any], topic: str, log_dir: str | None = None) -> str:
    """The task: check this worker (it may have joined after the session checked the others),
    then run the pipeline in a fresh process here. Its output goes to ``log_dir`` where the
    session can read it (a LocalCluster on its machine), else to the worker's own folder.
    Returns the result record, or ``{"failed": ...}``, as JSON text."""
    from distributed import get_worker

    worker = get_worker()
    try:
        # A stopped session has gone: no pipeline of it follows, so its spare is not kept.
        work = partial(_run_here, worker, spec, topic, log_dir)
        return task_reply(worker, topic, spec["label"], work, on_stopped=SPARES.close)
    finally:
        _end_spares_when_idle(worker)


def task_reply(
    worker: Any,
    topic: str,
    label: str,
    work: Callable[[], dict[str, Any]],
    on_stopped: Callable[[], None] = lambda: None,
) -> str:
    """A task's reply as the session reads it, whatever ``work`` does: its answer as JSON text,
    or ``{"failed": ...}`` in one line (a stopped session's included), and in every case the
    topic's DONE message after the task's last event, so the session knows it has them all."""
    try:
        return json.dumps(work(), allow_nan=False)
    except Stopped as exc:
        on_stopped()
        return json.dumps({FAILED: f"Stopped: {exc}"})
    except Exception as exc:
        return failed_reply(exc)
    finally:
        worker.log_event(topic, {"label": label, DONE: True})


def failed_reply(exc: BaseException) -> str:
    """A task's failure as the session reads it: JSON text with one line, type and first line."""
    first = (str(exc).strip().splitlines() or [""])[0]
    return json.dumps({FAILED: f"{type(exc).__name__}: {first}"})


def check_versions(worker: Any, expected: dict[str, str]) -> None:
    """ClusterError in one line where this worker runs other versions than its session."""
    differs = version_mismatch(expected, installed_versions())
    if differs:
        name = f"worker {worker.address} on {socket.gethostname()}"
        raise ClusterError(f"{name} runs {differs}; install the session's versions there")


def _run_here(worker: Any, spec: dict[str, Any], topic: str, log_dir: str | None) -> dict[str, Any]:
    label = spec["label"]
    check_versions(worker, spec["expected_versions"])
    spec = {**spec, "threads": spec["threads"] or share_of_cores(worker)}
    log = Path(log_dir or worker.local_directory) / f"{label}.log"
    return run_in_fresh_process(
        PipelineSpec.from_dict(spec),
        {"worker": worker.address, "host": socket.gethostname(), "worker_pid": os.getpid()},
        lambda event: relay_event(worker, topic, label, event),
        log,
        unset=nanny_environment(),
        on_alive=lambda: still_wanted(worker),
    )


def relay_event(worker: Any, topic: str, label: str, event: Event) -> None:
    """Pass a task's event to its session unless the session has let the task go: then its
    process is ended here (the caller kills it when this raises, as when the process says it
    is alive: only the moment to check, not news for the session)."""
    still_wanted(worker)
    send_event(worker, topic, label, event)


def send_event(worker: Any, topic: str, label: str, event: Event) -> None:
    """An event on the session's topic, tagged with its task's label."""
    worker.log_event(topic, {"label": label, EVENT_JSON: json.dumps(event.to_dict())})


def _end_spares_when_idle(worker: Any) -> None:
    """End the spare process in ``SPARE_IDLE_S`` unless a pipeline runs here by then: a session
    that died between its pipelines cannot say that none follows, and a spare holds memory."""

    def end_if_idle() -> None:
        if not worker.state.executing and not worker.state.ready:
            SPARES.close()

    timer = threading.Timer(SPARE_IDLE_S, end_if_idle)
    timer.daemon = True
    timer.start()


def versions_text() -> str:
    """This worker's versions as JSON text: what the session reads of its check."""
    return json.dumps(installed_versions())
