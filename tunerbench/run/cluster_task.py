"""What runs on a Dask worker for one pipeline: check the worker, run the pipeline in a fresh
process there, relay its events to the session's topic, and stop it at its next trial once the
session has let the task go (a stopped session cancels it, a dead one's client is gone). Its
result goes back as JSON text."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

from tunerbench.pipeline.provenance import installed_versions, version_mismatch
from tunerbench.pipeline.spec import PipelineSpec
from tunerbench.run.cluster_access import ClusterError
from tunerbench.run.executors import run_in_fresh_process


class Stopped(RuntimeError):
    """The session no longer wants this pipeline (it stopped, or it died)."""


def _still_wanted(worker: Any) -> None:
    """Raise Stopped when the scheduler has released this task: Dask's way of saying that no
    client waits for it any more. Called between trials, so a pipeline stops within one."""
    from distributed.worker import thread_state

    task = worker.state.tasks.get(getattr(thread_state, "key", None))
    if task is None or task.state not in ("executing", "long-running"):
        raise Stopped("its session no longer wants it")


def _share_of_cores(worker: Any) -> int:
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
    session can read it (a LocalCluster on its machine), else to the worker's own folder."""
    from distributed import get_worker

    worker = get_worker()
    label = spec["label"]
    name = f"worker {worker.address} on {socket.gethostname()}"
    differs = version_mismatch(spec["expected_versions"], installed_versions())
    if differs:
        raise ClusterError(f"{name} runs {differs}; install the session's versions there")
    spec = {**spec, "threads": spec["threads"] or _share_of_cores(worker)}
    log = Path(log_dir or worker.local_directory) / f"{label}.log"
    try:
        result = run_in_fresh_process(
            PipelineSpec.from_dict(spec),
            {"worker": worker.address, "host": socket.gethostname(), "worker_pid": os.getpid()},
            lambda event: _relay(worker, topic, {**event, "label": label}),
            log,
            unset=nanny_environment(),
        )
        return json.dumps(result, allow_nan=False)
    finally:
        worker.log_event(topic, {"event": "done", "label": label})


def _relay(worker: Any, topic: str, event: dict[str, Any]) -> None:
    """Pass a pipeline's event to its session, unless the session has let the task go: then
    the pipeline's process is ended here (the caller kills it when this raises)."""
    _still_wanted(worker)
    worker.log_event(topic, event)
