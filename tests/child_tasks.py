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
