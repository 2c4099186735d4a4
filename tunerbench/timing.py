"""Wall and CPU time of a phase.

CPU time counts every thread of this process plus child processes that have been waited for, so
a multi-threaded TensorFlow step shows CPU/wall above 1 and parallel workers are not hidden.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class PhaseTiming:
    wall_s: float
    cpu_s: float


def process_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Stopwatch:
    """Started on creation; ``elapsed()`` may be read any number of times."""

    def __init__(self) -> None:
        self._wall = time.perf_counter()
        self._cpu = process_cpu_seconds()

    def wall(self) -> float:
        return time.perf_counter() - self._wall

    def elapsed(self) -> PhaseTiming:
        return PhaseTiming(
            wall_s=round(self.wall(), 4),
            cpu_s=round(process_cpu_seconds() - self._cpu, 4),
        )


def current_rss_mb() -> float | None:
    """Resident set size now (not the peak), to show whether memory grows trial after trial."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
