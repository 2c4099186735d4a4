"""A pipeline's process started ahead: it imports TensorFlow, Keras, Keras Tuner and
scikit-learn while the current pipeline trains, so the next pipeline does not wait for them.

Importing those takes about 4 s of a pipeline's 5-8 s start-up here; a study of 50 pipelines paid
it 50 times in sequence. Every process that starts pipelines (the session, a Dask worker) keeps
one spare per environment: ``take`` hands it out, ``prepare`` starts the next. A spare writes to
a file of its own until it gets its call, which names the pipeline's log: it then moves what it
wrote there and writes there itself (``child_process``). A spare that died while waiting is
dropped and a process started as before. The imports touch no TensorFlow runtime, so a pipeline
still sets its own thread pools.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from tunerbench.processes import parent_env
from tunerbench.records.atomic_file import open_regular

EVENT_FD_ENV = "TUNERBENCH_EVENT_FD"
OUTPUT_ENV = "TUNERBENCH_OUTPUT"  # the file a process's output goes to until its call names one
WARM_UP_ENV = "TUNERBENCH_WARM_UP"  # set: import the heavy libraries before reading the call
WARM_MODULES = ("tensorflow", "keras", "keras_tuner", "sklearn.neural_network")


@dataclass
class Started:
    """A started process waiting for its call on stdin."""

    process: subprocess.Popen
    events: int  # the read end of its event pipe
    output: Path  # where its output has gone so far


def start(unset: tuple[str, ...], output: Path, warm_up: bool) -> Started:
    """A new process running ``child_process``, its environment this one's without ``unset``,
    its output appended to ``output``."""
    read_fd, write_fd = os.pipe()
    inherited = {k: v for k, v in os.environ.items() if k not in unset}
    env = {**inherited, EVENT_FD_ENV: str(write_fd), OUTPUT_ENV: str(output), **parent_env()}
    if warm_up:
        env[WARM_UP_ENV] = "1"
    with os.fdopen(open_regular(output, os.O_WRONLY | os.O_CREAT | os.O_APPEND), "ab") as stream:
        process = subprocess.Popen(
            [sys.executable, "-m", "tunerbench.run.child_process"],
            stdin=subprocess.PIPE,
            stdout=stream,
            stderr=subprocess.STDOUT,
            pass_fds=(write_fd,),
            env=env,
        )
    os.close(write_fd)
    return Started(process, read_fd, output)


def recover_output(child: Started, log: Path) -> None:
    """Move into ``log`` what a spare wrote where it can no longer move it itself (it died before
    its call reached it), so a failure's last output is in the pipeline's log."""
    if child.output == log:
        return
    with contextlib.suppress(OSError):
        written = child.output.read_bytes()
        child.output.unlink()
        with os.fdopen(open_regular(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND), "ab") as stream:
            stream.write(written)


def discard(child: Started) -> None:
    if child.process.poll() is None:
        child.process.kill()
    child.process.wait()
    os.close(child.events)
    child.output.unlink(missing_ok=True)


class Spares:
    """One warm process per environment (the variables left out), for the next call."""

    def __init__(self) -> None:
        self._spares: dict[tuple[str, ...], Started] = {}
        self._lock = threading.Lock()
        self._names = itertools.count(1)

    def take(self, unset: tuple[str, ...]) -> Started | None:
        with self._lock:
            spare = self._spares.pop(unset, None)
        if spare is not None and spare.process.poll() is not None:
            discard(spare)
            return None
        return spare

    def prepare(self, unset: tuple[str, ...], folder: Path) -> None:
        """Start a spare for the next call, unless one is waiting. A spare is only a head
        start: one that cannot be started (no process or file to spare) is simply not there."""
        with self._lock:
            if unset in self._spares:
                return
            output = folder / f".spare-{os.getpid()}-{next(self._names)}.log"
            with contextlib.suppress(OSError):
                self._spares[unset] = start(unset, output, warm_up=True)

    def close(self) -> None:
        """End every waiting spare (a session that ends has no next call)."""
        with self._lock:
            spares, self._spares = list(self._spares.values()), {}
        for spare in spares:
            discard(spare)


SPARES = Spares()


def close_spares() -> None:
    """End this process's waiting spares: what a session runs on every Dask worker as it ends."""
    SPARES.close()
