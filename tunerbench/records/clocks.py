"""Wall and CPU time of a phase.

CPU time counts every thread of this process plus child processes that have been waited for, so
a multi-threaded TensorFlow step shows CPU/wall above 1 and parallel workers are not hidden.
"""

from __future__ import annotations

import os
import time

from tunerbench.records.schema import PhaseTiming


def process_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Stopwatch:
    """Wall and CPU time since it started: on creation, or at a ``wall_start`` taken from
    ``time.perf_counter`` (system-wide on Linux, so another process's start can be shared), or
    earlier by what ``carrying`` an earlier measurement adds (a resumed search)."""

    def __init__(self, wall_start: float | None = None, cpu_start: float | None = None) -> None:
        self.wall_start = time.perf_counter() if wall_start is None else wall_start
        self._cpu = process_cpu_seconds() if cpu_start is None else cpu_start

    @classmethod
    def carrying(cls, earlier: PhaseTiming) -> Stopwatch:
        return cls(time.perf_counter() - earlier.wall_s, process_cpu_seconds() - earlier.cpu_s)

    def wall(self) -> float:
        return time.perf_counter() - self.wall_start

    def cpu(self) -> float:
        return process_cpu_seconds() - self._cpu

    def elapsed(self) -> PhaseTiming:
        return PhaseTiming(wall_s=round(self.wall(), 4), cpu_s=round(self.cpu(), 4))


class Accumulator:
    """Wall seconds spent inside a ``with`` block, summed over every use (re-entrant safe)."""

    def __init__(self) -> None:
        self.total_s = 0.0
        self._depth = 0
        self._since = 0.0

    def __enter__(self) -> Accumulator:
        if self._depth == 0:
            self._since = time.perf_counter()
        self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            self.total_s += time.perf_counter() - self._since


def current_rss_mb() -> float | None:
    """Resident set size now (not the peak), to show whether memory grows trial after trial."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
