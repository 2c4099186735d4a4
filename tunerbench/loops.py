"""Training-loop settings: the same model, batch size and updates, run at different speeds.

``fast`` runs many steps per call into TensorFlow and compiles them with XLA; that removes the
per-batch Python round trip that dominates a model this small. ``keras-default`` passes nothing,
so it is Keras' own behaviour, for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_LOOP = "fast"


@dataclass(frozen=True)
class Loop:
    name: str
    compile_kwargs: dict[str, Any] = field(default_factory=dict)


LOOPS: dict[str, Loop] = {
    "fast": Loop("fast", {"steps_per_execution": 100, "jit_compile": True}),
    "keras-default": Loop("keras-default", {}),
}


class LoopError(ValueError):
    """An unknown loop name."""


def get_loop(name: str) -> Loop:
    try:
        return LOOPS[name]
    except KeyError:
        raise LoopError(f"unknown loop {name!r}; choose one of {', '.join(LOOPS)}") from None
