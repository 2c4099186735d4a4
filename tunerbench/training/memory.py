"""Memory between trials: keep long-lived objects out of Keras Tuner's per-trial garbage
collections, and give freed memory back to the system after each trial.

Keras Tuner collects garbage twice before every trial (its own ``gc.collect()`` and the one inside
Keras' ``clear_session``). With TensorFlow, Keras and the data loaded, a full collection walks
about half a million objects, about 0.25 s here: with the fast loop that was a third of a short
trial. ``gc.freeze`` moves everything alive when a run starts into a generation the collector
skips, so those collections only walk the objects the run made; unfreezing afterwards lets what
died in the meantime be collected.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def refreeze() -> None:
    """Collect what the last trial left behind, then freeze what survives (kept models, the
    trial's records), so the next trial's collections walk only that trial's own objects."""
    gc.collect()
    gc.freeze()


@contextmanager
def frozen_heap() -> Iterator[None]:
    refreeze()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.collect()


def _load_libc() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


_LIBC = _load_libc()


def release_free_memory() -> None:
    """Give memory freed by the last trial back to the system (glibc only; a no-op elsewhere).

    glibc keeps freed blocks in per-thread arenas, and TensorFlow runs many threads, so resident
    memory creeps up trial after trial although nothing stays alive; ``malloc_trim`` returns
    those blocks, so the resident size measured after each trial follows what is really kept.
    """
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)
