"""Run one function in a fresh Python process, with its events relayed as they happen.

Every pipeline runs in its own process: TensorFlow never frees compiled programs or kept tensors,
so a process that runs pipeline after pipeline grows by about half a gigabyte each, and one
pipeline's leftovers would change the next one's timings. A fresh process per pipeline bounds
memory by one pipeline and makes each pipeline's timings its own.

The process is started with ``subprocess`` (never ``fork``: forking after TensorFlow is imported
is unsafe, and a Dask worker may not start multiprocessing children). It reads its call as JSON
on stdin, sends events as JSON lines on a pipe of its own (so nothing the libraries print can
mix in), and dies with its parent (``processes.die_with_parent``), so a killed worker leaves no
pipeline behind. Its stdout and stderr go to a log file whose last lines explain a failure.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from tunerbench.processes import die_with_parent, parent_env

EVENT_FD_ENV = "TUNERBENCH_EVENT_FD"
LOG_TAIL_LINES = 12

EventFn = Callable[[dict[str, Any]], None]


class ChildError(RuntimeError):
    """The function failed in its process, or the process died; the message says which."""


def _tail(log: Path) -> str:
    try:
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return " | ".join(lines[-LOG_TAIL_LINES:])


def call_in_fresh_process(
    function: str,
    kwargs: dict[str, Any],
    on_event: EventFn,
    log: Path,
    unset: tuple[str, ...] = (),
) -> Any:
    """Call ``function`` ("module:name") with ``kwargs`` in a new process, its environment this
    one's without the variables named in ``unset``; ``on_event`` gets every event it sends;
    returns what it returns, or raises ChildError."""
    log.parent.mkdir(parents=True, exist_ok=True)
    read_fd, write_fd = os.pipe()
    inherited = {k: v for k, v in os.environ.items() if k not in unset}
    env = {**inherited, EVENT_FD_ENV: str(write_fd), **parent_env()}
    with open(log, "ab") as output:
        child = subprocess.Popen(
            [sys.executable, "-m", "tunerbench.run.child_process"],
            stdin=subprocess.PIPE,
            stdout=output,
            stderr=subprocess.STDOUT,
            pass_fds=(write_fd,),
            env=env,
        )
    os.close(write_fd)
    outcome: dict[str, Any] | None = None
    try:
        assert child.stdin is not None
        child.stdin.write(json.dumps({"function": function, "kwargs": kwargs}).encode())
        child.stdin.close()
        with os.fdopen(read_fd, encoding="utf-8") as events:
            for line in events:
                event = json.loads(line)
                if event.get("event") in ("return", "error"):
                    outcome = event
                else:
                    on_event(event)
    finally:
        if child.poll() is None and outcome is None:
            child.kill()
        code = child.wait()
    if outcome is not None and outcome["event"] == "return":
        return outcome["value"]
    if outcome is not None:
        raise ChildError(outcome["message"])
    how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
    raise ChildError(f"the process running {function} {how}; its last output: {_tail(log)}")


def json_safe(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by None: JSON has no such numbers, and
    a diverged fit's loss must not cost the whole result."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _send(stream: TextIO, event: dict[str, Any]) -> None:
    stream.write(json.dumps(json_safe(event), allow_nan=False) + "\n")
    stream.flush()


def main() -> int:
    die_with_parent()
    stream = os.fdopen(int(os.environ[EVENT_FD_ENV]), "w", encoding="utf-8")
    call = json.loads(sys.stdin.read())
    module, _, name = call["function"].partition(":")
    try:
        function = getattr(importlib.import_module(module), name)
        value = function(**call["kwargs"], emit=lambda event: _send(stream, event))
        _send(stream, {"event": "return", "value": value})
    except Exception as exc:  # reported to the parent as one line, traceback in the log
        traceback.print_exc()
        _send(stream, {"event": "error", "message": f"{type(exc).__name__}: {exc}"})
        return 1
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip the interpreter's teardown: unloading TensorFlow takes seconds and frees nothing the
    # operating system would not free at once.
    os._exit(code)
