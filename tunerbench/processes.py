"""Processes tunerbench starts die with the process that started them.

A pipeline's process, and a search's Keras Tuner workers, are started by another process (the
session, a Dask worker, a pipeline acting as chief). If that one is killed, its children must not
go on training unseen: they would hold cores and change the timings of whatever runs next.
"""

from __future__ import annotations

import ctypes
import os
import signal

PARENT_ENV = "TUNERBENCH_PARENT_PID"
# Set in a process started ahead (a spare): the seconds its imports took, for its result.
WARMED_ENV = "TUNERBENCH_WARMED_UP_S"
PR_SET_PDEATHSIG = 1


def parent_env() -> dict[str, str]:
    """What a child needs in its environment to know its parent (see ``die_with_parent``)."""
    return {PARENT_ENV: str(os.getpid())}


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (no-op elsewhere), and exit at once
    if the parent named in the environment is already gone."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    expected = os.environ.get(PARENT_ENV)
    if expected is not None and str(os.getppid()) != expected:
        os._exit(1)
