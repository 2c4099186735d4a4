"""One pipeline in the fresh process that runs it (``child_process`` calls ``run_spec``).

Before anything trains, the process checks that it holds the same data as the session (the
task that started it checked the versions), sets TensorFlow's thread pools for its share of the
machine, and then reports
every trial and phase as an event while the pipeline runs. The result it returns says where it
ran, with how many threads, how long the process took to start, and its peak memory.
"""

from __future__ import annotations

import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from tunerbench.data.dataset import DataError
from tunerbench.pipeline.spec import PipelineSpec
from tunerbench.processes import WARMED_ENV
from tunerbench.records.events import Event, PipelineStarted
from tunerbench.records.journal import PipelineEvents

EmitFn = Callable[[Event], None]


class EmittedEvents(PipelineEvents):
    """Pipeline events sent to the session, each start stamped with where it runs."""

    def __init__(self, emit: EmitFn, where: dict[str, Any]) -> None:
        self._emit = emit
        self.where = where  # PipelineStarted's fields of place: worker, host, worker_pid

    def emit(self, event: Event) -> None:
        self._emit(replace(event, **self.where) if isinstance(event, PipelineStarted) else event)


def run_spec(
    spec: dict[str, Any], where: dict[str, Any], spawned_at: float, emit: EmitFn
) -> dict[str, Any]:
    """Run the pipeline of ``spec`` here; returns its result record as a dict."""
    pipeline = PipelineSpec.from_dict(spec)
    from tunerbench.training import backend

    if pipeline.threads:
        backend.limit_threads(pipeline.threads)
    dataset = pipeline.tuned.load(pipeline.data_dir)
    if pipeline.data_fingerprint and dataset.fingerprint != pipeline.data_fingerprint:
        raise DataError(
            f"{where.get('worker') or 'this machine'} holds another copy of {pipeline.dataset} "
            f"({dataset.source}) than the session; give every machine the same files"
        )
    scratch = None
    if not pipeline.directory:
        scratch = tempfile.mkdtemp(prefix=f"tunerbench-{pipeline.label}-")
        pipeline = replace(pipeline, directory=scratch)
    startup_s = time.time() - spawned_at
    from tunerbench.pipeline.classic import run_pipeline

    try:
        result = run_pipeline(pipeline, dataset, EmittedEvents(emit, where))
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    result.provenance.worker = where.get("worker", "")
    result.cost.startup_s = round(startup_s, 3)
    warmed = os.environ.get(WARMED_ENV)
    result.cost.warmup_s = float(warmed) if warmed else None
    result.cost.peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result.to_dict()
