"""What runs on a Dask worker for one part of a tabulation: check the worker, train the part's
cells in a fresh process there (into a folder of the task's own, gone when it ends), and send
each cell to the session as JSON text the moment it is trained, then its ``CellTrained`` event.

The session saves a cell only once it has checked it (``cell_files.cell_from_json``), so a
killed worker or session loses only the cells being trained, and cells the session already
holds are never trained again (they are passed as ``held``). No shared filesystem is needed,
and nothing but plain data goes back (``cluster``'s rule).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from tunerbench.records.events import CellTrained, Event
from tunerbench.replay.cell_files import cell_as_json, cell_path
from tunerbench.run.child_process import call_in_fresh_process
from tunerbench.run.cluster_task import (
    DONE,
    EVENT_JSON,
    FAILED,
    Stopped,
    check_versions,
    failed_reply,
    nanny_environment,
    share_of_cores,
    still_wanted,
)

# The key of a topic message that holds one trained cell as JSON text.
CELL_JSON = "cell_json"
TABULATE_PART = "tunerbench.replay.tabulate:tabulate_part"


def table_part_on_worker(
    request: dict[str, Any],
    part: int,
    parts: int,
    held: list[list[int]],
    expected: dict[str, str],
    label: str,
    topic: str,
    log_dir: str | None = None,
) -> str:
    """The task: this part's cells not ``held`` by the session, trained here (its output in
    ``log_dir`` where the session can read it, else in the worker's folder); its reply is
    ``{"trained": n, "kept": k}`` or ``{"failed": ...}`` as JSON text."""
    from distributed import get_worker

    worker = get_worker()
    try:
        check_versions(worker, expected)
        threads = request["threads"] or share_of_cores(worker)
        with tempfile.TemporaryDirectory(dir=worker.local_directory) as folder:
            here = {**request, "cells": folder, "threads": threads}

            def relay(event: Event) -> None:
                still_wanted(worker)
                if isinstance(event, CellTrained):
                    cell = cell_as_json(cell_path(Path(folder), event.point, event.seed),
                                        event.point, event.seed)  # fmt: skip
                    worker.log_event(topic, {"label": label, CELL_JSON: cell})
                worker.log_event(topic, {"label": label, EVENT_JSON: json.dumps(event.to_dict())})

            counts = call_in_fresh_process(
                TABULATE_PART,
                {"request": here, "part": part, "parts": parts, "held": held},
                relay,
                Path(log_dir or worker.local_directory) / f"{label}.log",
                unset=nanny_environment(),
                on_alive=lambda: still_wanted(worker),
            )
        return json.dumps(counts)
    except Stopped as exc:
        return json.dumps({FAILED: f"Stopped: {exc}"})
    except Exception as exc:
        return failed_reply(exc)
    finally:
        worker.log_event(topic, {"label": label, DONE: True})
