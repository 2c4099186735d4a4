"""Functions the child-process tests call in a fresh process (importable from tests/)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tunerbench.records.events import CellTrained

ECHOED = CellTrained("keras", point=4, seed=1, seconds=0.5)


def echo(value: Any, emit: Callable[[Any], None]) -> dict[str, Any]:
    emit(ECHOED)
    return {"value": value, "loss": float("nan")}


@dataclass(frozen=True)
class Stray:
    """What a function of another version, or a bug, could send: any dict at all."""

    wire: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return self.wire


def stray(wire: dict[str, Any], emit: Callable[[Any], None]) -> str:
    emit(Stray(wire))
    return "the call went on"


def fail(emit: Callable[[dict[str, Any]], None]) -> None:
    raise ValueError("no good")


def die(emit: Callable[[dict[str, Any]], None]) -> None:
    print("about to die", flush=True)
    os._exit(3)


def thread_pools(threads: int, emit: Callable[[dict[str, Any]], None]) -> dict[str, int]:
    """The BLAS threads before and after the pipeline's cap, and TensorFlow's after it."""
    import tensorflow as tf
    from threadpoolctl import threadpool_info

    from tunerbench.training import backend

    def blas() -> int:
        return max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")

    before = blas()
    backend.limit_threads(threads)
    return {
        "blas_before": before,
        "blas": blas(),
        "tf_intra": tf.config.threading.get_intra_op_parallelism_threads(),
    }


def environment(name: str, emit: Callable[[dict[str, Any]], None]) -> str | None:
    return os.environ.get(name)
