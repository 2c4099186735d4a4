"""Run one function in a fresh Python process, with its events relayed as they happen.

Every pipeline runs in its own process: TensorFlow never frees compiled programs or kept tensors,
so a process that runs pipeline after pipeline grows by about half a gigabyte each, and one
pipeline's leftovers would change the next one's timings. A fresh process per pipeline bounds
memory by one pipeline and makes each pipeline's timings its own.

The process is started with ``subprocess`` (never ``fork``: forking after TensorFlow is imported
is unsafe, and a Dask worker may not start multiprocessing children), usually ahead of its call
(``spare_process``). It reads its call as JSON on stdin, sends events as JSON lines on a pipe of
its own (so nothing the libraries print can mix in), each parsed here as it arrives
(``records.events``), and dies with its parent
(``processes.die_with_parent``), so a killed worker leaves no pipeline behind. Its stdout and
stderr go to a log file whose last lines explain a failure.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from tunerbench.processes import WARMED_ENV, die_with_parent
from tunerbench.records.atomic_file import open_regular, refuse_link
from tunerbench.records.events import Event, EventError, parse_event
from tunerbench.references import resolve
from tunerbench.run.spare_process import (
    EVENT_FD_ENV,
    OUTPUT_ENV,
    SPARES,
    WARM_MODULES,
    WARM_UP_ENV,
    recover_output,
    start,
)

LOG_TAIL_LINES = 12
# The pipe's own messages, under CALL where the function's events have "event", so neither is
# ever taken for the other: what the call came to (RETURN with its value, ERROR with one line),
# and, from a process asked for it, ALIVE every ALIVE_S while its function runs, so that its
# parent can end it in time however long a fit runs between the function's events. They say
# how the call goes, not what the function did: never events, never journaled.
CALL = "call"
RETURN, ERROR, ALIVE = "return", "error", "alive"
ALIVE_S = 1.0

EventFn = Callable[[Event], None]
AliveFn = Callable[[], None]


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
    spare: bool = False,
    on_alive: AliveFn | None = None,
) -> Any:
    """Call ``function`` ("module:name") with ``kwargs`` in a new process, its environment this
    one's without the variables named in ``unset``; ``on_event`` gets every event it sends, and
    ``on_alive``, if given, is called every ``ALIVE_S`` (raising in either ends the process);
    returns what it returns, or raises ChildError (an event that is none is the process's
    failure too). With ``spare``, the process is one started ahead where one is waiting, and a
    spare for the next call starts now (``spare_process``)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    refuse_link(log)  # the child appends its output there: never through a planted link
    child = (SPARES.take(unset) if spare else None) or start(unset, log, warm_up=False)
    if spare:
        SPARES.prepare(unset, log.parent)
    outcome: dict[str, Any] | None = None
    with os.fdopen(child.events, encoding="utf-8") as events:
        try:
            assert child.process.stdin is not None
            alive = on_alive is not None
            call = {"function": function, "kwargs": kwargs, "log": str(log), "alive": alive}
            # A process that died before reading its call closes the pipe: it is then reported
            # below with its exit code and last output, like any process that died.
            with contextlib.suppress(BrokenPipeError):
                child.process.stdin.write(json.dumps(call).encode())
                child.process.stdin.close()
            for line in events:
                message = json.loads(line)
                said = message.get(CALL)
                if said in (RETURN, ERROR):
                    outcome = message
                elif said == ALIVE and on_alive is not None:  # sent only when asked for
                    on_alive()
                else:
                    on_event(_event(function, message))
        finally:
            if child.process.poll() is None and outcome is None:
                child.process.kill()
            code = child.process.wait()
            recover_output(child, log)
    if outcome is not None and outcome[CALL] == RETURN:
        return outcome["value"]
    if outcome is not None:
        raise ChildError(outcome["message"])
    how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
    raise ChildError(f"the process running {function} {how}; its last output: {_tail(log)}")


def _event(function: str, message: dict[str, Any]) -> Event:
    """The event a function sent; ChildError in one line if it is none (a function of another
    version, or a bug): the call fails rather than pass on what no consumer reads."""
    try:
        return parse_event(message)
    except EventError as exc:
        raise ChildError(f"the process running {function} sent {exc}") from None


def calls_side_by_side(
    function: str, calls: list[tuple[dict[str, Any], Path]], on_event: EventFn
) -> list[str]:
    """``function`` once per (kwargs, log) in processes side by side, one thread waiting on
    each; ``on_event`` may be called from any of those threads. What failed, one line each
    (the others run to their end: their work is kept)."""
    errors: list[str] = []

    def run(kwargs: dict[str, Any], log: Path) -> None:
        try:
            call_in_fresh_process(function, kwargs, on_event, log)
        except ChildError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=run, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


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


_SENDING = threading.Lock()  # one line at a time: the function's events and ALIVE's thread


def _send(stream: TextIO, message: dict[str, Any]) -> None:
    line = json.dumps(json_safe(message), allow_nan=False) + "\n"
    with _SENDING:
        stream.write(line)
        stream.flush()


def _keep_saying_alive(stream: TextIO) -> None:
    """Send ``ALIVE`` every ``ALIVE_S`` for as long as this process lives (or its pipe does)."""

    def beat() -> None:
        with contextlib.suppress(OSError, ValueError):
            while True:
                time.sleep(ALIVE_S)
                _send(stream, {CALL: ALIVE})

    threading.Thread(target=beat, daemon=True).start()


def _warm_up() -> None:
    """A spare's imports, before its call arrives; their time goes into its environment, where
    the pipeline records it (``warmup_s``)."""
    start = time.perf_counter()
    for module in WARM_MODULES:
        importlib.import_module(module)
    os.environ[WARMED_ENV] = f"{time.perf_counter() - start:.3f}"


def _write_to(log: str) -> None:
    """Send this process's output (Python's and the libraries' own) to ``log`` from now on,
    after what it wrote while it waited as a spare (moved there first)."""
    sys.stdout.flush()
    sys.stderr.flush()
    fd = open_regular(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    waited = Path(os.environ.get(OUTPUT_ENV, log))
    if waited != Path(log):
        with contextlib.suppress(OSError):
            os.write(fd, waited.read_bytes())
            waited.unlink()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def main() -> int:
    die_with_parent()
    stream = os.fdopen(int(os.environ[EVENT_FD_ENV]), "w", encoding="utf-8")
    if os.environ.pop(WARM_UP_ENV, None):
        _warm_up()
    call = json.loads(sys.stdin.read())
    _write_to(call["log"])
    if call.get("alive"):
        _keep_saying_alive(stream)
    try:
        function = resolve(call["function"])
        value = function(**call["kwargs"], emit=lambda event: _send(stream, event.to_dict()))
        _send(stream, {CALL: RETURN, "value": value})
    except Exception as exc:  # reported to the parent as one line, traceback in the log
        traceback.print_exc()
        _send(stream, {CALL: ERROR, "message": f"{type(exc).__name__}: {exc}"})
        return 1
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip the interpreter's teardown: unloading TensorFlow takes seconds and frees nothing the
    # operating system would not free at once.
    os._exit(code)
