"""What runs on a Dask worker for its share of a tabulation: check the worker, train the cells
the session chose for it in a fresh process there (into a folder of the task's own, gone when it
ends), and send each cell to the session as JSON text the moment it is trained, then its
``CellTrained`` event.

The session saves a cell only once it has checked it (``cell_files.cell_from_json``), so a
killed worker or session loses only the cells being trained; a task Dask runs again after its
worker was lost trains its whole share again, and the session keeps the last copy of each cell.
No shared filesystem is needed, and nothing but plain data goes back (``cluster``'s rule).
"""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path
from typing import Any

from tunerbench.records.events import CellTrained, Event
from tunerbench.replay.cell_files import cell_as_json, cell_path
from tunerbench.run.child_process import call_in_fresh_process
from tunerbench.run.cluster_task import (
    check_versions,
    nanny_environment,
    send_event,
    share_of_cores,
    still_wanted,
    task_reply,
)

# The key of a topic message that holds one trained cell as JSON text.
CELL_JSON = "cell_json"
TABULATE_PART = "tunerbench.replay.tabulate:tabulate_part"


def table_part_on_worker(
    request: dict[str, Any],
    share: list[list[int]],
    expected: dict[str, str],
    label: str,
    topic: str,
    log_dir: str | None = None,
) -> str:
    """The task: the cells of ``share`` (``[point, seed]`` pairs) trained here (its output in
    ``log_dir`` where the session can read it, else in the worker's folder); its reply is
    ``{"trained": n}`` or ``{"failed": ...}`` as JSON text (the session reads whether it
    failed: the cells themselves came as messages)."""
    from distributed import get_worker

    worker = get_worker()
    work = partial(_train_share, worker, request, share, expected, label, topic, log_dir)
    return task_reply(worker, topic, label, work)


def _train_share(
    worker: Any,
    request: dict[str, Any],
    share: list[list[int]],
    expected: dict[str, str],
    label: str,
    topic: str,
    log_dir: str | None,
) -> dict[str, int]:
    check_versions(worker, expected)
    threads = request["threads"] or share_of_cores(worker)
    with tempfile.TemporaryDirectory(dir=worker.local_directory) as folder:
        here = {**request, "cells": folder, "threads": threads}

        def relay(event: Event) -> None:
            still_wanted(worker)  # once per event, so a cell never goes without its event
            if isinstance(event, CellTrained):
                path = cell_path(Path(folder), event.point, event.seed)
                cell = cell_as_json(path, event.point, event.seed)
                worker.log_event(topic, {"label": label, CELL_JSON: cell})
            send_event(worker, topic, label, event)

        counts = call_in_fresh_process(
            TABULATE_PART,
            {"request": here, "part": 0, "parts": 1, "only": share},
            relay,
            Path(log_dir or worker.local_directory) / f"{label}.log",
            unset=nanny_environment(),
            on_alive=lambda: still_wanted(worker),
        )
    return {"trained": counts["trained"]}
