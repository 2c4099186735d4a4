"""Parallel trials through Keras Tuner's own distributed mode.

This process is the chief: it serves the tuner's real oracle over gRPC with Keras Tuner's own
``OracleServicer`` (in a thread, so the oracle's state stays here for the refit). Each worker is a
separate process running the same tuner with ``KERASTUNER_TUNER_ID``, ``KERASTUNER_ORACLE_IP`` and
``KERASTUNER_ORACLE_PORT`` set, so Keras Tuner turns its oracle into a client of the chief. Workers
journal their trials into a file beside the tuner's state; the chief takes them into its own trial
log as they finish.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent import futures
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tunerbench.processes import parent_env
from tunerbench.records.journal import Journal, RunJournal
from tunerbench.search.trial_log import TrialLog

ORACLE_IP_ENV = "TUNERBENCH_ORACLE_IP"


class WorkerError(RuntimeError):
    """A worker process failed; the message names it and its exit code."""


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs to rebuild the chief's tuner (passed as JSON on its command line)."""

    tuner: str
    data_dir: str | None
    profile: dict[str, Any]  # every field of the Profile, so custom profiles work too
    seed: int
    loop: str
    directory: str
    journal: str
    run_label: str
    search_start: float  # the chief's time.perf_counter() at search start (system-wide clock)
    threads: int
    problem: dict[str, Any]  # Problem.to_dict(): what the chief's tuner searches


def serve_oracle(oracle: Any, ip: str) -> tuple[Any, int]:
    """Start Keras Tuner's oracle service for ``oracle`` on a free port; returns (server, port)."""
    import grpc
    from keras_tuner.src import protos
    from keras_tuner.src.distribute.oracle_chief import OracleServicer

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    protos.get_service_grpc().add_OracleServicer_to_server(OracleServicer(oracle), server)
    port = server.add_insecure_port(f"{ip}:0")
    server.start()
    return server, port


def split_threads(workers: int, threads: int = 0) -> int:
    """Cores per worker: the pipeline's threads (the machine's cores when 0) shared out, at
    least one each."""
    return max(1, (threads or os.cpu_count() or 1) // workers)


def run_workers(oracle: Any, spec: WorkerSpec, workers: int, log: TrialLog) -> None:
    """Serve ``oracle`` while ``workers`` processes search; relay their trials to ``log``."""
    ip = os.environ.get(ORACLE_IP_ENV, "127.0.0.1")
    server, port = serve_oracle(oracle, ip)
    seen = {r.trial_id for r in log.records}
    trials = RunJournal(Journal(Path(spec.journal)), spec.tuner, spec.seed, spec.run_label)
    processes = []
    try:
        for index in range(workers):
            env = {
                **os.environ,
                **parent_env(),
                "KERASTUNER_TUNER_ID": f"tuner{index}",
                "KERASTUNER_ORACLE_IP": ip,
                "KERASTUNER_ORACLE_PORT": str(port),
            }
            command = [sys.executable, "-m", "tunerbench.search.worker", json.dumps(asdict(spec))]
            processes.append(subprocess.Popen(command, env=env))
        failed = None
        while failed is None:
            codes = [p.poll() for p in processes]
            for record in trials.state().trials:
                if record.trial_id not in seen:
                    seen.add(record.trial_id)
                    log.add(record)
            # One failed: the others could wait for ever for a Hyperband round it owed.
            failed = next(((i, c) for i, c in enumerate(codes) if c not in (None, 0)), None)
            if all(c is not None for c in codes):
                break
            time.sleep(0.5)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait()
        server.stop(grace=None)
    if failed is not None:
        index, code = failed
        raise WorkerError(
            f"worker tuner{index} exited with code {code}; its output is in the pipeline's log"
        )
