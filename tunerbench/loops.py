"""Training-loop settings: the same model, batch size and updates, run at different speeds.

``fast`` feeds ``model.fit`` a ``tf.data`` pipeline built on tensors made once per process (no
re-slicing of NumPy arrays every epoch), runs 100 training steps per call into TensorFlow and
compiles them with XLA, which removes the per-batch Python round trip that dominates a model this
small; validation and test batches are larger, which changes no number (metrics are per-sample
means). Batches reach the model in blocks of 100 (see ``tunerbench.blocks``), and one compiled
model per architecture is reused across trials (see ``tunerbench.reuse``). ``keras-default``
passes NumPy arrays and no options: Keras' own behaviour, for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_LOOP = "fast"


@dataclass(frozen=True)
class Loop:
    name: str
    compile_kwargs: dict[str, Any] = field(default_factory=dict)
    input_pipeline: bool = False
    eval_batch_size: int | None = None
    block_batches: int | None = None
    reuse_models: bool = False


LOOPS: dict[str, Loop] = {
    "fast": Loop(
        "fast",
        {"steps_per_execution": 100, "jit_compile": True},
        input_pipeline=True,
        eval_batch_size=1024,
        block_batches=100,
        reuse_models=True,
    ),
    "keras-default": Loop("keras-default"),
}


class LoopError(ValueError):
    """An unknown loop name."""


def get_loop(name: str) -> Loop:
    try:
        return LOOPS[name]
    except KeyError:
        raise LoopError(f"unknown loop {name!r}; choose one of {', '.join(LOOPS)}") from None
