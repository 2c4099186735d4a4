"""Training-loop settings: the same model, batch size and updates, run at different speeds.

``fast`` removes what costs more than this small model's arithmetic, never an update:
- a ``tf.data`` pipeline on tensors made once per process, instead of re-slicing NumPy arrays
  every epoch;
- batches handed over in blocks of 100 and walked inside one XLA-compiled call
  (``batch_blocks``), instead of a return to Python or TensorFlow's executor per batch
  (a set that does not split into whole batches gets Keras' ``steps_per_execution`` instead);
- one compiled model per architecture, reset for every trial (``model_cache``), instead of
  tracing and compiling a new one per trial;
- validation and test batches of 1,000 images (metrics are per-sample means, so no number
  changes); 1,000 divides Fashion-MNIST's validation and test sets, so one compiled evaluation
  serves both.
``keras-default`` passes NumPy arrays and no options: Keras' own behaviour, for comparison.
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
        eval_batch_size=1000,
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
