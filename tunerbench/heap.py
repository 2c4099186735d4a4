"""Keep long-lived objects out of Keras Tuner's per-trial garbage collections.

Keras Tuner collects garbage twice before every trial (its own ``gc.collect()`` and the one inside
Keras' ``clear_session``). With TensorFlow, Keras and the data loaded, a full collection walks
about half a million objects, about 0.25 s here: with the fast loop that was a third of a short
trial. ``gc.freeze`` moves everything alive when a run starts into a generation the collector
skips, so those collections only walk the objects the run made; unfreezing afterwards lets what
died in the meantime be collected.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def frozen_heap() -> Iterator[None]:
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.collect()
