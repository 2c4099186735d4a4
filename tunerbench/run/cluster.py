"""Pipelines on Dask's distributed scheduler (``--tb-cluster``): a LocalCluster on this machine
(``local:N``) or a running scheduler (``tcp://HOST:PORT``) with workers on any machines.

The session submits every pipeline as one task; a task runs its pipeline in a fresh process on
the worker (so the worker stays small) and relays the pipeline's events to the session through
Dask's event topics, and its result comes back as the task's result: no shared filesystem is
needed. A worker lost mid-pipeline makes the scheduler run the task again elsewhere, and the
session sees a second start. Every worker's versions are checked before anything is submitted,
and each task checks its own worker again before its pipeline starts (workers may join later).
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import time
from pathlib import Path
from typing import Any

from tunerbench.records.schema import RunResult
from tunerbench.run.executors import EventFn, run_in_fresh_process
from tunerbench.run.pipeline_spec import PipelineSpec
from tunerbench.run.provenance import installed_versions, version_mismatch

CONNECT_TIMEOUT_S = 10
WORKERS_TIMEOUT_S = 60
# After a task's result arrives, how long to wait for its last events (they travel apart).
EVENTS_GRACE_S = 10.0


class ClusterError(RuntimeError):
    """The cluster cannot be used; the message names the scheduler or worker and what to do."""


def _share_of_cores(worker: Any) -> int:
    """TensorFlow threads for one pipeline: this machine's cores over the pipelines it runs at
    once (the task slots of every worker on this host)."""
    from distributed import get_client

    workers = get_client().scheduler_info(n_workers=-1)["workers"].values()
    slots = sum(w["nthreads"] for w in workers if w["host"] == worker.ip) or 1
    return max(1, (os.cpu_count() or 1) // slots)


def pipeline_on_worker(spec: dict[str, Any], topic: str) -> dict[str, Any]:
    """The task: check this worker, then run the pipeline in a fresh process here."""
    from distributed import get_worker

    worker = get_worker()
    label = spec["label"]
    name = f"worker {worker.address} on {socket.gethostname()}"
    differs = version_mismatch(spec["expected_versions"], installed_versions())
    if differs:
        raise ClusterError(f"{name} runs {differs}; install the session's versions there")
    spec = {**spec, "threads": spec["threads"] or _share_of_cores(worker)}
    log = Path(worker.local_directory) / f"tunerbench-{label}.log"
    try:
        return run_in_fresh_process(
            PipelineSpec.from_dict(spec),
            {"worker": worker.address, "host": socket.gethostname(), "worker_pid": os.getpid()},
            lambda event: worker.log_event(topic, {**event, "label": label}),
            log,
        )
    finally:
        worker.log_event(topic, {"event": "done", "label": label})


class DaskExecutor:
    """Pipelines as tasks on a Dask cluster; events come back on one topic per session."""

    def __init__(self, target: str, session: str, expected: dict[str, str]) -> None:
        from distributed import Client, LocalCluster

        self.topic = f"tunerbench-{session}"
        self.cluster = None
        self.threads = 0  # 0: each task takes its host's share of the cores
        if target.startswith("local:"):
            n = int(target.removeprefix("local:"))
            self.cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
            self.threads = max(1, (os.cpu_count() or 1) // n)
        else:
            try:
                self.client = Client(target, timeout=CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError) as exc:
                raise ClusterError(
                    f"--tb-cluster {target}: no Dask scheduler answers there ({exc}); start one "
                    "with `dask scheduler` and workers with `dask worker ADDRESS`, or check the "
                    "address"
                ) from None
        self.target = target
        self._check_workers(expected)
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.client.subscribe_topic(self.topic, lambda event: self.events.put(event[1]))
        self.futures: dict[str, Any] = {}
        self.finished: set[str] = set()

    @property
    def slots(self) -> int:
        workers = self.client.scheduler_info(n_workers=-1)["workers"].values()
        return sum(w["nthreads"] for w in workers) or 1

    def _check_workers(self, expected: dict[str, str]) -> None:
        try:
            self.client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
        except TimeoutError:
            self.close()
            raise ClusterError(
                f"--tb-cluster {self.target}: no worker joined the scheduler within "
                f"{WORKERS_TIMEOUT_S} s; start some with `dask worker {self.target}`"
            ) from None
        for address, found in sorted(self.client.run(installed_versions).items()):
            differs = version_mismatch(expected, found)
            if differs:
                self.close()
                raise ClusterError(
                    f"--tb-cluster {self.target}: worker {address} runs {differs}; install the "
                    "session's versions there (same pip install) or stop that worker"
                )

    def submit(self, specs: list[PipelineSpec]) -> None:
        for spec in specs:
            if self.threads and not spec.threads:
                spec = PipelineSpec.from_dict({**spec.to_dict(), "threads": self.threads})
            self.futures[spec.label] = self.client.submit(
                pipeline_on_worker,
                spec.to_dict(),
                self.topic,
                key=f"{self.topic}-{spec.label}",
                pure=False,
            )

    def _drain(self, on_event: EventFn, wait_s: float) -> None:
        try:
            event = self.events.get(timeout=wait_s)
        except queue.Empty:
            return
        while True:
            label = event.pop("label")
            if event["event"] == "done":
                self.finished.add(label)
            else:
                on_event(label, event)
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return

    def collect(self, spec: PipelineSpec, on_event: EventFn) -> RunResult:
        if spec.label not in self.futures:
            self.submit([spec])
        future = self.futures[spec.label]
        done_at = None
        while True:
            self._drain(on_event, 0.2)
            if future.done():
                done_at = done_at or time.monotonic()
                late = time.monotonic() - done_at > EVENTS_GRACE_S
                if spec.label in self.finished or late:
                    break
        return RunResult.from_dict(future.result())

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
