"""Pipelines on Dask's distributed scheduler (``--tb-cluster``): a LocalCluster on this machine
(``local:N``) or a running scheduler (``tcp://HOST:PORT``) with workers on any machines.

The session submits every pipeline as one task; a task runs its pipeline in a fresh process on
the worker (so the worker stays small; ``cluster_task``) and relays the pipeline's events to the
session through Dask's event topics, and its result comes back as the task's result, as JSON
text that the session checks against the schema and against the pipeline it asked for
(``cluster_access``): no shared filesystem is needed. A worker lost mid-pipeline makes the
scheduler run the task again elsewhere, and the session sees a second start. Every worker's
versions (tunerbench's code included) are checked before anything is submitted, and each task
checks its own worker again before its pipeline starts (workers may join later). Dask cannot
interrupt a running task, so a pipeline looks between trials whether its session still wants it
(a session that stopped, or died, has released its tasks) and stops there. Every session, a
resumed one too, uses task keys and an event topic of its own. ``tls://`` addresses use TLS with
the certificates given (``--tb-tls-*``) or Dask's own configuration; ``local:N`` listens on
127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import secrets
import time
from pathlib import Path
from typing import Any

from tunerbench.pipeline.provenance import installed_versions, version_mismatch
from tunerbench.pipeline.spec import PipelineSpec
from tunerbench.records.run_result import RunResult
from tunerbench.run.cluster_access import ClusterError, checked_result
from tunerbench.run.cluster_task import pipeline_on_worker
from tunerbench.run.executors import EventFn
from tunerbench.run.option_values import local_workers
from tunerbench.run.spare_process import close_spares

CONNECT_TIMEOUT_S = 10
WORKERS_TIMEOUT_S = 60
# After a task's result arrives, how long to wait for its last events (they travel apart).
EVENTS_GRACE_S = 10.0
# How often a waiting session asks whether any worker is left.
WORKERS_CHECK_S = 5.0


class DaskExecutor:
    """Pipelines as tasks on a Dask cluster; events come back on one topic per session."""

    def __init__(
        self,
        target: str,
        session: str,
        expected: dict[str, str],
        logs: Path | None = None,
        security: Any = None,
    ) -> None:
        from distributed import Client, LocalCluster

        # Fresh per session object: a resumed session never shares keys or events with the
        # pipelines of the one it continues, should any of those still be running.
        self.topic = f"tunerbench-{session}-{secrets.token_hex(4)}"
        self.futures: dict[str, Any] = {}  # before any check, so close() can always run
        self.finished: set[str] = set()
        self.cluster = None
        self.threads = 0  # 0: each task takes its host's share of the cores
        self.logs = None  # where pipelines write their output, if the session can read it
        n = local_workers(target)
        if n is not None:
            self.cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",  # nobody else on the network can reach it
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
            self.threads = max(1, (os.cpu_count() or 1) // n)
            self.logs = str(logs) if logs is not None else None
        else:
            try:
                self.client = Client(target, timeout=CONNECT_TIMEOUT_S, security=security)
            except (OSError, TimeoutError, ValueError, TypeError) as exc:
                raise ClusterError(
                    f"--tb-cluster {target}: no Dask scheduler answers there ({exc}); start one "
                    "with `dask scheduler` and workers with `dask worker ADDRESS`, or check the "
                    "address"
                ) from None
        self.target = target
        self._check_workers(expected)
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.client.subscribe_topic(self.topic, lambda event: self.events.put(event[1]))

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
        """One task per pipeline, all at once: the scheduler spreads them over the workers, and
        reschedules a task whose worker is lost."""
        if self.logs:
            Path(self.logs).mkdir(parents=True, exist_ok=True)
        for spec in specs:
            if self.threads and not spec.threads:
                spec = PipelineSpec.from_dict({**spec.to_dict(), "threads": self.threads})
            self.futures[spec.label] = self.client.submit(
                pipeline_on_worker,
                spec.to_dict(),
                self.topic,
                self.logs,
                key=f"{self.topic}-{spec.label}",
                pure=False,
            )

    def _drain(self, on_event: EventFn, wait_s: float) -> None:
        try:
            event = self.events.get(timeout=wait_s)
        except queue.Empty:
            return
        while True:
            label = event.pop("label", None)
            if label not in self.futures:  # not a pipeline of this session: ignored
                pass
            elif event.get("event") == "done":
                self.finished.add(label)
            else:
                on_event(label, event)
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return

    def collect(self, spec: PipelineSpec, on_event: EventFn) -> RunResult:
        """Wait for one pipeline, relaying every pipeline's events meanwhile; its result comes
        once its last events are in (or after a grace period: events travel apart)."""
        if spec.label not in self.futures:
            self.submit([spec])
        future = self.futures[spec.label]
        done_at = None
        workers_seen = time.monotonic()
        while True:
            self._drain(on_event, 0.2)
            if future.done():
                done_at = done_at or time.monotonic()
                late = time.monotonic() - done_at > EVENTS_GRACE_S
                if spec.label in self.finished or late:
                    break
            elif time.monotonic() - workers_seen > WORKERS_CHECK_S:
                self._wait_for_a_worker(spec.label)
                workers_seen = time.monotonic()
        return checked_result(future.result(), spec)

    def _wait_for_a_worker(self, label: str) -> None:
        """A pipeline waits for ever if every worker has gone: say so instead."""
        if self.client.scheduler_info(n_workers=-1)["workers"]:
            return
        try:
            self.client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
        except TimeoutError:
            raise ClusterError(
                f"--tb-cluster {self.target}: every worker left while {label} waited, and none "
                f"joined within {WORKERS_TIMEOUT_S} s; start workers with "
                f"`dask worker {self.target}` and run again with --tb-resume"
            ) from None

    def close(self) -> None:
        """Cancel what is still queued or running (a session that stops takes its pipelines
        with it), end the workers' spare processes (no pipeline follows), then close the client
        and a LocalCluster of its own."""
        pending = [f for f in self.futures.values() if not f.done()]
        if pending:
            self.client.cancel(pending, force=True)
        with contextlib.suppress(Exception):  # a worker already gone has no spare to end
            self.client.run(close_spares)
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
