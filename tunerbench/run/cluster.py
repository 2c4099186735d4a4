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
interrupt a running task, so a pipeline looks every second whether its session still wants it
(a session that stopped, or died, has released its tasks) and stops there. Every session, a
resumed one too, uses task keys and an event topic of its own. ``tls://`` addresses use TLS with
the certificates given (``--tb-tls-*``) or Dask's own configuration, and a scheduler named by
its host name must hold a certificate for that name; ``local:N`` listens on 127.0.0.1 only,
with TLS credentials of its own and no dashboard.

A tabulation uses the same cluster for its cells (``run_tasks``: one task per worker slot, each
cell sent back as a message of the topic; ``cluster_tabulation``).

What the session reads from a cluster is plain data (msgpack, and JSON text in it): Dask sends
results and errors pickled, and unpickling runs whatever the sender put there, so its client
refuses pickles, reads no task's or ``run``'s error, and takes a worker's failure as JSON text.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import secrets
import ssl
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tunerbench.pipeline.provenance import version_mismatch
from tunerbench.pipeline.spec import PipelineSpec
from tunerbench.records.events import Event, parse_event
from tunerbench.records.run_result import RunResult
from tunerbench.run.child_process import ChildError
from tunerbench.run.cluster_access import (
    DESERIALIZERS,
    SERIALIZERS,
    ClusterError,
    checked_result,
    scheduler_name,
)
from tunerbench.run.cluster_task import (
    DONE,
    EVENT_JSON,
    FAILED,
    pipeline_on_worker,
    versions_text,
)
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
        import dask
        from distributed import LocalCluster

        # Fresh per session object: a resumed session never shares keys or events with the
        # pipelines of the one it continues, should any of those still be running.
        self.topic = f"tunerbench-{session}-{secrets.token_hex(4)}"
        self.futures: dict[str, Any] = {}  # before any check, so close() can always run
        self.finished: set[str] = set()
        self.cluster = None
        self.threads = 0  # 0: each task takes its host's share of the cores
        self.logs = None  # where pipelines write their output, if the session can read it
        n = local_workers(target)
        plain = {"serializers": SERIALIZERS, "deserializers": DESERIALIZERS}
        client = _plain_client()
        if n is not None:
            # The scheduler's HTTP server always listens: on a free port, serving nothing.
            with dask.config.set({"distributed.scheduler.http.routes": []}):
                self.cluster = LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",  # nobody else on the network can reach it
                    security=True,  # TLS with credentials of its own: no other user either
                    dashboard_address=None,
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    silence_logs=logging.ERROR,
                )
            self.client = client(self.cluster, **plain)
            self.threads = max(1, (os.cpu_count() or 1) // n)
            self.logs = str(logs) if logs is not None else None
        else:
            try:
                self.client = client(target, timeout=CONNECT_TIMEOUT_S, security=security, **plain)
            except (OSError, TimeoutError, ValueError, TypeError) as exc:
                if isinstance(exc.__cause__, ssl.SSLCertVerificationError):
                    raise ClusterError(
                        f"--tb-cluster {target}: the scheduler's certificate is not for "
                        f"{scheduler_name(target)} ({exc.__cause__.verify_message}); connect by "
                        "a name its certificate holds, or give the scheduler a certificate "
                        "for this name"
                    ) from None
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
        answers = self._run_on_workers(versions_text)
        for address in sorted(self.client.scheduler_info(n_workers=-1)["workers"]):
            found = _versions(answers.get(address))
            if found is None:
                self.close()
                raise ClusterError(
                    f"--tb-cluster {self.target}: worker {address} did not answer with its "
                    "versions; install the session's tunerbench there, or stop that worker"
                )
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

    def run_tasks(
        self, function: Callable[..., str], calls: dict[str, tuple[Any, ...]],
        on_message: Callable[[dict[str, Any]], None],
    ) -> dict[str, str | None]:  # fmt: skip
        """``function(*args, label, topic, logs)`` as one task per label, all at once; every
        message a task posts on the topic goes to ``on_message`` as it arrives. Returns what
        failed by label (None where the task's reply was plain data and no failure), once
        every task ended and its last messages are in."""
        if self.logs:
            Path(self.logs).mkdir(parents=True, exist_ok=True)
        for label, args in calls.items():
            self.futures[label] = self.client.submit(
                function, *args, label, self.topic, self.logs,
                key=f"{self.topic}-{label}", pure=False,
            )  # fmt: skip
        self._await(set(calls), set(calls), on_message)
        failed: dict[str, str | None] = {}
        for label in calls:
            try:
                self._reply(self.futures[label])
                failed[label] = None
            except (ClusterError, ChildError) as exc:
                failed[label] = str(exc)
        return failed

    @staticmethod
    def _take(message: dict[str, Any], on_event: EventFn) -> None:
        """A pipeline's event (parsed: EventError if it is none)."""
        on_event(message["label"], relayed_event(message.get(EVENT_JSON)))

    def _drain_messages(
        self, labels: set[str], on_message: Callable[[dict[str, Any]], None], wait_s: float
    ) -> None:
        """Every message waiting for the tasks of ``labels``: a task's word that it sent every
        message is noted, the rest go to ``on_message``; one of no such task is ignored."""
        try:
            message = self.events.get(timeout=wait_s)
        except queue.Empty:
            return
        while True:
            label = message.get("label") if isinstance(message, dict) else None
            if isinstance(label, str) and label in labels:
                if message.get(DONE):
                    self.finished.add(label)
                else:
                    on_message(message)
            try:
                message = self.events.get_nowait()
            except queue.Empty:
                return

    def collect(self, spec: PipelineSpec, on_event: EventFn) -> RunResult:
        """Wait for one pipeline, relaying every pipeline's events meanwhile; its result comes
        once its last events are in (or after a grace period: events travel apart)."""
        if spec.label not in self.futures:
            self.submit([spec])
        self._await({spec.label}, set(self.futures), lambda m: self._take(m, on_event))
        return checked_result(self._reply(self.futures[spec.label]), spec)

    def _await(
        self, waited: set[str], relayed: set[str], on_message: Callable[[dict[str, Any]], None]
    ) -> None:
        """Until every task of ``waited`` ended and its last messages are in (or a grace
        period passed: messages travel apart from results), passing the messages of the tasks
        of ``relayed`` to ``on_message``; a cluster left without workers is said in one line."""
        done_at: float | None = None
        workers_seen = time.monotonic()
        while True:
            self._drain_messages(relayed, on_message, 0.2)
            if all(self.futures[label].done() for label in waited):
                done_at = done_at or time.monotonic()
                if waited <= self.finished or time.monotonic() - done_at > EVENTS_GRACE_S:
                    return
            elif time.monotonic() - workers_seen > WORKERS_CHECK_S:
                self._wait_for_a_worker(min(waited))
                workers_seen = time.monotonic()

    def _reply(self, future: Any) -> Any:
        """A task's result as plain data: a pipeline's own failure (sent as JSON text) raised
        as the session's exception of its kind. An erred task's error is never read (Dask
        sends it pickled), nor a result sent as anything but plain data."""
        if future.status != "finished":
            raise ClusterError(
                f"its task ended on the cluster without a result ({future.status}); the "
                "worker's log says why"
            )
        try:
            sent = future.result()
        except TypeError as exc:  # what msgpack cannot carry: a pickled object
            raise ClusterError(
                f"the worker sent something other than plain data ({exc}); a worker of other "
                "code or a hostile one: stop it"
            ) from None
        failed = _failure(sent)
        if failed is None:
            return sent
        kind, _, message = failed.partition(": ")
        raise (ChildError if kind == "ChildError" else ClusterError)(
            message if kind == "ChildError" else failed
        )

    def _run_on_workers(self, function: Callable[[], Any]) -> dict[str, Any]:
        """``function`` run on every worker at once (in a thread beside its task, as
        ``Client.run`` does), each worker's reply by address; a worker that failed is left
        out. ``Client.run`` would unpickle a failed worker's error: this reads only replies."""
        from distributed.protocol.pickle import dumps

        message = {"op": "run", "function": dumps(function), "args": dumps(()),
                   "kwargs": dumps({}), "wait": True}  # fmt: skip
        replies = self.client.sync(self.client.scheduler.broadcast, msg=message, on_error="ignore")
        return {
            address: reply["result"]
            for address, reply in replies.items()
            if isinstance(reply, dict) and reply.get("status") == "OK"
        }

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
            self._run_on_workers(close_spares)
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def relayed_event(sent: Any) -> Event:
    """The event a task relayed as JSON text; EventError in one line if it is none."""
    try:
        raw = json.loads(sent) if isinstance(sent, str) else sent
    except ValueError:
        raw = sent
    return parse_event(raw)


def _versions(sent: Any) -> dict[str, str] | None:
    """A worker's versions from its JSON text; None for anything else."""
    try:
        found = json.loads(sent) if isinstance(sent, str) else None
    except ValueError:
        return None
    if isinstance(found, dict) and all(isinstance(v, str) for v in found.values()):
        return found
    return None


def _failure(sent: Any) -> str | None:
    """What failed, when a worker's JSON text says its pipeline failed."""
    try:
        reply = json.loads(sent) if isinstance(sent, str) else None
    except ValueError:
        return None
    failed = reply.get(FAILED) if isinstance(reply, dict) else None
    return failed if isinstance(failed, str) else None


def _plain_client() -> type:
    """Dask's Client, but a task's error is kept as a plain exception, never unpickled: Dask
    unpickles it the moment the scheduler reports it, whether anyone reads it or not."""
    from distributed import Client

    class PlainClient(Client):
        def _handle_task_erred(self, key: Any = None, **_: Any) -> None:
            super()._handle_task_erred(key, RuntimeError("the task failed"), None)

    return PlainClient
