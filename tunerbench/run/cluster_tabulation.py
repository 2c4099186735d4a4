"""Tabulation on a Dask cluster (``--tb-cluster``): the session deals the cells it does not hold
yet round the worker slots, one task per slot (``table_task``), and saves each cell a worker
sends the moment it arrives, after checking it is the cell asked for (its key: point, seed,
problem, data, profile and loop) with every curve whole. Nothing a worker sends is saved
unchecked, a cell is counted and journaled only once saved, and a worker's failure is one
line; the cells already saved stay, so running again trains only the cells still missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunerbench.pipeline.provenance import installed_versions
from tunerbench.records.events import CellTrained, Event, EventError
from tunerbench.replay.cell_files import cell_from_json, cell_path, read_cell, save_cell
from tunerbench.replay.table import TableError
from tunerbench.replay.tabulate import TableRequest
from tunerbench.run.child_process import ChildError, call_in_fresh_process
from tunerbench.run.cluster import DaskExecutor, relayed_event
from tunerbench.run.cluster_access import ClusterError
from tunerbench.run.cluster_task import EVENT_JSON
from tunerbench.run.table_task import CELL_JSON, table_part_on_worker

CELL_PLAN = "tunerbench.replay.tabulate:cell_plan"
EventFn = Callable[[Event], None]


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
    executor: DaskExecutor, request: TableRequest, logs: Path, on_event: EventFn
) -> list[str]:
    """Every cell of ``request`` not in its folder yet, trained on the cluster and saved here as
    it arrives; what failed, one line each."""
    try:
        plan = _Plan.of(request, logs)
    except (ChildError, TableError) as exc:
        return [str(exc)]
    held = {(p, s) for p, s in plan.held}
    missing = [[p, s] for p, s in (_cell(k) for k in plan.keys) if (p, s) not in held]
    if not missing:
        return []
    slots = executor.slots
    shares = [missing[k::slots] for k in range(min(slots, len(missing)))]
    receiver = _Receiver(request, plan, on_event)
    expected = installed_versions()
    calls = {
        f"tabulate-{request.framework}-{k}": (request.to_dict(), share, expected)
        for k, share in enumerate(shares)
    }
    try:
        failed = executor.run_tasks(table_part_on_worker, calls, receiver.on_message)
    except ClusterError as exc:
        return [*receiver.errors, str(exc)]
    return receiver.errors + [f"{label}: {why}" for label, why in failed.items() if why]


def _cell(point_seed: str) -> tuple[int, int]:
    point, seed = point_seed.split(":")
    return int(point), int(seed)


class _Receiver:
    """What the workers send: each cell checked, then saved; its ``CellTrained`` event passed
    on only once the cell is saved, and once (a task run again sends its cells again)."""

    def __init__(self, request: TableRequest, plan: _Plan, on_event: EventFn) -> None:
        self.request, self.plan, self.on_event = request, plan, on_event
        self.saved: set[tuple[int, int]] = set()
        self.told: set[tuple[int, int]] = set()
        self.errors: list[str] = []

    def on_message(self, message: dict[str, Any]) -> None:
        try:
            if CELL_JSON in message:
                plan = self.plan
                point, seed, cell = cell_from_json(
                    message[CELL_JSON], plan.names, plan.epochs, plan.keys
                )
                save_cell(cell_path(Path(self.request.cells), point, seed), cell)
                self.saved.add((point, seed))
            elif EVENT_JSON in message:
                self._tell(relayed_event(message[EVENT_JSON]))
        except (TableError, EventError) as exc:
            self.errors.append(str(exc))
        except OSError as exc:
            self.errors.append(f"a cell could not be saved in {self.request.cells}: {exc}")

    def _tell(self, event: Event) -> None:
        if not isinstance(event, CellTrained) or event.framework != self.request.framework:
            return
        cell = (event.point, event.seed)
        if cell in self.saved and cell not in self.told:
            self.told.add(cell)
            self.on_event(event)


def _quiet(event: Event) -> None:
    """The planning process sends no progress."""
