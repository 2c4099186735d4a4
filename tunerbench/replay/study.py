"""Replayed pipelines one after another in one process, each result sent as it is made.

A replayed pipeline costs milliseconds to a few seconds (the Bayesian oracle's Gaussian process),
against seconds to start a process that imports Keras Tuner: so one process replays many
pipelines, and a session runs two such processes side by side on two cores. Each result is sent
as an event the moment it exists, so a killed replay loses only the pipeline in flight.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from tunerbench.records.events import Event, Replayed, ReplayFailed
from tunerbench.replay.pipeline import ReplayStudy, replay_pipeline
from tunerbench.replay.table import load_table
from tunerbench.training import backend

# Keras Tuner writes every trial's state: in memory where the machine has a tmpfs.
SCRATCH = Path("/dev/shm")


def replay_part(
    table: str,
    tuner: str,
    seeds: list[int],
    session: str,
    emit: Callable[[Event], None],
) -> dict[str, int]:
    """Replay ``tuner`` for each of ``seeds`` against the table at ``table`` (in a fresh
    process: ``run.child_process``), one thread for TensorFlow and BLAS, as a pipeline of
    ``local:2`` has; each result (or failure, in one line) sent as an event."""
    backend.limit_threads(1)
    study_table = load_table(table)
    done = failed = 0
    base = SCRATCH if SCRATCH.is_dir() else None
    with tempfile.TemporaryDirectory(prefix="replay-", dir=base) as scratch:
        study = ReplayStudy.of(study_table, session, Path(scratch), table)
        for seed in seeds:
            try:
                result = replay_pipeline(study, tuner, seed)
            except Exception as exc:  # this seed's own failure: the others go on
                message = f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0]}"
                emit(ReplayFailed(tuner, seed, message))
                failed += 1
                continue
            emit(Replayed(result))
            done += 1
    return {"replayed": done, "failed": failed}
