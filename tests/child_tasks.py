"""Functions the child-process tests call in a fresh process (importable from tests/)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any


def echo(value: Any, emit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    emit({"event": "trial", "n": 1})
    return {"value": value, "loss": float("nan")}


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
