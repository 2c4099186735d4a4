"""Pipelines on Dask's distributed scheduler (``--tb-cluster``): a LocalCluster on this machine
(``local:N``) or a running scheduler (``tcp://HOST:PORT``) with workers on any machines.

The session submits every pipeline as one task; a task runs its pipeline in a fresh process on
the worker (so the worker stays small) and relays the pipeline's events to the session through
Dask's event topics, and its result comes back as the task's result, as JSON text that the
session checks against the schema and against the pipeline it asked for: no shared filesystem
is needed. A worker lost mid-pipeline makes the scheduler run the task again elsewhere, and the
session sees a second start. Every worker's versions (tunerbench's code included) are checked
before anything is submitted, and each task checks its own worker again before its pipeline
starts (workers may join later). Dask cannot interrupt a running task, so a pipeline looks
between trials whether its session still wants it (a session that stopped, or died, has
released its tasks) and stops there. Every session, a resumed one too, uses task keys and an
event topic of its own. ``tls://`` addresses use TLS with the certificates given
(``--tb-tls-*``) or Dask's own configuration; ``local:N`` listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import secrets
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
# How often a waiting session asks whether any worker is left.
WORKERS_CHECK_S = 5.0


class ClusterError(RuntimeError):
    """The cluster cannot be used; the message names the scheduler or worker and what to do."""


def security(target: str, tls: tuple[str, str, str] | None) -> Any:
    """Dask's Security for a ``tls://`` scheduler: the files given, else Dask's configuration
    (``distributed.comm.tls``); a ClusterError in one line when there are no certificates. None
    for ``tcp://`` and ``local:N``."""
    if not target.startswith("tls://"):
        return None
    from distributed.security import Security

    if tls is not None:
        ca, cert, key = tls
        return Security(
            tls_ca_file=ca, tls_client_cert=cert, tls_client_key=key, require_encryption=True
        )
    configured = Security()
    if not configured.tls_ca_file or not configured.tls_client_cert:
        raise ClusterError(
            f"--tb-cluster {target}: TLS needs certificates; give --tb-tls-ca, --tb-tls-cert and "
            "--tb-tls-key, or set distributed.comm.tls.ca-file and distributed.comm.tls.client "
            "in Dask's configuration"
        )
    return configured


class Stopped(RuntimeError):
    """The session no longer wants this pipeline (it stopped, or it died)."""


def _still_wanted(worker: Any) -> None:
    """Raise Stopped when the scheduler has released this task: Dask's way of saying that no
    client waits for it any more. Called between trials, so a pipeline stops within one."""
    from distributed.worker import thread_state

    task = worker.state.tasks.get(getattr(thread_state, "key", None))
    if task is None or task.state not in ("executing", "long-running"):
        raise Stopped("its session no longer wants it")


def checked_result(sent: Any, spec: PipelineSpec) -> RunResult:
    """The result a worker sent, as a record checked against the schema and the pipeline the
    session asked for; a ClusterError in one line otherwise (the pipeline counts as failed)."""
    if not isinstance(sent, str):
        raise ClusterError(f"the worker sent {type(sent).__name__}, not a result as JSON text")
    try:
        result = RunResult.from_dict(json.loads(sent))
    except (ValueError, RecursionError) as exc:
        raise ClusterError(f"the worker's result is not a tunerbench record ({exc})") from None
    asked = (spec.tuner, spec.seed, spec.loop, spec.workers, spec.dataset, spec.profile.name)
    sent_for = (result.tuner, result.seed, result.loop, result.workers, result.dataset,
                result.profile)  # fmt: skip
    if sent_for != asked:
        raise ClusterError(
            f"the worker returned a result for {result.tuner} seed {result.seed} "
            f"({result.dataset}, {result.profile}, {result.loop}, {result.workers} workers), "
            f"not the pipeline asked for ({spec.label})"
        )
    return result


def _share_of_cores(worker: Any) -> int:
    """TensorFlow threads for one pipeline: this machine's cores over the pipelines it runs at
    once (the task slots of every worker on this host)."""
    from distributed import get_client

    workers = get_client().scheduler_info(n_workers=-1)["workers"].values()
    slots = sum(w["nthreads"] for w in workers if w["host"] == worker.ip) or 1
    return max(1, (os.cpu_count() or 1) // slots)


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
        )
        return json.dumps(result, allow_nan=False)
    finally:
        worker.log_event(topic, {"event": "done", "label": label})


def _relay(worker: Any, topic: str, event: dict[str, Any]) -> None:
    """Pass a pipeline's event to its session, unless the session has let the task go: then
    the pipeline's process is ended here (the caller kills it when this raises)."""
    _still_wanted(worker)
    worker.log_event(topic, event)


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
        if target.startswith("local:"):
            n = int(target.removeprefix("local:"))
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
        with it), then close the client and a LocalCluster of its own."""
        pending = [f for f in self.futures.values() if not f.done()]
        if pending:
            self.client.cancel(pending, force=True)
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
