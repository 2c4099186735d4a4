"""Tabulation on a Dask cluster (``--tb-cluster``): the session splits the cells it does not
hold yet into one task per worker slot (``table_task``), and saves each cell a worker sends the
moment it arrives, after checking it is the cell asked for (its key: point, seed, problem,
data, profile and loop) with every curve whole. Nothing a worker sends is saved unchecked, and
a worker's failure is one line; the cells already saved stay, so running again trains only the
cells still missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunerbench.pipeline.provenance import installed_versions
from tunerbench.records.events import Event, EventError
from tunerbench.replay.cell_files import cell_from_json, cell_path, read_cell, save_cell
from tunerbench.replay.table import TableError
from tunerbench.replay.tabulate import TableRequest
from tunerbench.run.child_process import ChildError, call_in_fresh_process
from tunerbench.run.cluster import DaskExecutor, relayed_event
from tunerbench.run.cluster_task import EVENT_JSON
from tunerbench.run.table_task import CELL_JSON, table_part_on_worker

CELL_PLAN = "tunerbench.replay.tabulate:cell_plan"


@dataclass(frozen=True)
class _Plan:
    """What each cell must be (its key by ``"point:seed"``, its curves' names and epochs), and
    the cells the session already holds, checked."""

    keys: dict[str, str]
    names: tuple[str, ...]
    epochs: int
    held: list[list[int]]

    @classmethod
    def of(cls, request: TableRequest, logs: Path) -> _Plan:
        """ChildError or TableError in one line where it cannot be made, or a held cell is
        another's."""
        log = logs / f"plan-{request.framework}.log"
        plan = call_in_fresh_process(CELL_PLAN, {"request": request.to_dict()}, _quiet, log)
        keys, names = plan["keys"], tuple(plan["names"])
        held = []
        for point_seed, key in keys.items():
            point, seed = (int(n) for n in point_seed.split(":"))
            path = cell_path(Path(request.cells), point, seed)
            if path.exists():
                read_cell(path, names, key)  # refused if trained for another cell
                held.append([point, seed])
        return cls(keys, names, int(plan["epochs"]), held)


def train_on_cluster(
    executor: DaskExecutor, request: TableRequest, logs: Path, on_event: Any
) -> list[str]:
    """Every cell of ``request`` not in its folder yet, trained on the cluster and saved here as
    it arrives; what failed, one line each."""
    try:
        plan = _Plan.of(request, logs)
    except (ChildError, TableError) as exc:
        return [str(exc)]
    if len(plan.held) == len(plan.keys):
        return []
    errors: list[str] = []

    def on_message(message: dict[str, Any]) -> None:
        try:
            if CELL_JSON in message:
                point, seed, cell = cell_from_json(
                    message[CELL_JSON], plan.names, plan.epochs, plan.keys
                )
                save_cell(cell_path(Path(request.cells), point, seed), cell)
            elif EVENT_JSON in message:
                on_event(relayed_event(message[EVENT_JSON]))
        except (TableError, EventError) as exc:
            errors.append(str(exc))

    parts, sent = executor.slots, {**request.to_dict(), "threads": executor.threads}
    expected = installed_versions()
    calls = {
        f"tabulate-{request.framework}-{part}": (sent, part, parts, plan.held, expected)
        for part in range(parts)
    }
    failed = executor.run_tasks(table_part_on_worker, calls, on_message)
    return errors + [f"{label}: {why}" for label, why in failed.items() if why]


def _quiet(event: Event) -> None:
    """The planning process sends no progress."""
