"""Where a session's pipelines run: one after another here, or on a Dask cluster.

Either way each pipeline runs in a fresh process of its own (``child_process``), and its events
come back to the session, which journals them and shows progress. The session submits its whole
matrix at the start and collects each pipeline when its benchmark asks for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from tunerbench.pipeline.spec import PipelineSpec
from tunerbench.records.events import Event
from tunerbench.records.run_result import RunResult
from tunerbench.run.child_process import AliveFn, call_in_fresh_process

# A pipeline's event, with the label of the pipeline it belongs to.
EventFn = Callable[[str, Event], None]
PIPELINE_TASK = "tunerbench.pipeline.task:run_spec"


def run_in_fresh_process(
    spec: PipelineSpec,
    where: dict[str, Any],
    on_event: Callable[[Event], None],
    log: Path,
    unset: tuple[str, ...] = (),
    on_alive: AliveFn | None = None,
) -> dict[str, Any]:
    """The pipeline of ``spec`` in a new process (without the variables in ``unset``; with
    ``on_alive``, called every second while it runs); returns its result record as a dict."""
    kwargs = {"spec": spec.to_dict(), "where": where, "spawned_at": time.time()}
    return call_in_fresh_process(PIPELINE_TASK, kwargs, on_event, log, unset, True, on_alive)


class Executor(Protocol):
    slots: int  # pipelines that run at the same time

    def submit(self, specs: list[PipelineSpec]) -> None: ...

    def collect(self, spec: PipelineSpec, on_event: EventFn) -> RunResult: ...

    def close(self) -> None: ...


class SequentialExecutor:
    """Pipelines one after another on this machine, each in its own process, in the order the
    benchmarks ask for them; each gets every core (TensorFlow's default thread pools)."""

    slots = 1

    def __init__(self, logs: Path) -> None:
        self.logs = logs

    def submit(self, specs: list[PipelineSpec]) -> None:
        """Nothing runs ahead: a pipeline starts when its benchmark collects it."""

    def collect(self, spec: PipelineSpec, on_event: EventFn) -> RunResult:
        raw = run_in_fresh_process(
            spec,
            {"worker": ""},
            lambda event: on_event(spec.label, event),
            self.logs / f"{spec.label}.log",
        )
        return RunResult.from_dict(raw)

    def close(self) -> None:
        """Nothing to release."""
