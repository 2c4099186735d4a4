"""Tabulation: every point of a problem's space trained once per training seed, in parts that
run in fresh processes (``call_in_fresh_process``), each cell kept in its own file as it ends,
then assembled into one ``Table``: a Keras table, and, where scikit-learn's tuner is asked,
the problem's estimator's table as a section of the same file.

A part trains the cells ``(point p, seed index i)`` with ``(p * seeds + i) % parts == part``,
so parts share the work evenly and never the same cell. A cell whose file exists is kept (after
checking it was trained for the same point, seed, problem, data, profile and loop), so a killed
tabulation loses only the cells it was training, and one grown by more seeds trains only those.
Within a process the cells share one hypermodel, so the fast loop reuses its compiled model
per architecture across cells as a pipeline does across trials; each cell still starts from
``timed_phase``'s fresh session and seed, exactly as the refit phase does.

Nothing here imports TensorFlow until a function runs: the pytest process imports this module.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tunerbench.data.dataset import Dataset
from tunerbench.problems.problem import Problem
from tunerbench.profiles import Profile
from tunerbench.records.events import CellTrained, Event
from tunerbench.replay.space_points import SpaceError, declared_space, grid
from tunerbench.replay.table import Table, TableError

__all__ = [
    "SpaceError", "TableRequest", "assemble", "cell_plan", "save_table", "space_points",
    "tabulate_part",
]  # fmt: skip

EmitFn = Callable[[Event], None]


@dataclass(frozen=True)
class TableRequest:
    """One framework's table of one problem: what every process of a tabulation is handed
    (as a dict: it crosses into fresh processes as JSON)."""

    problem: dict[str, Any]  # Problem.to_dict()
    profile: dict[str, Any]  # the sized profile, asdict
    data_dir: str | None
    loop: str
    seeds: list[int]
    cells: str  # the folder of its cell files
    framework: str = "keras"
    points: list[int] | None = None  # grid indices to cover (None: every point)
    threads: int = 0  # each process's cap on TensorFlow's and BLAS' threads (0: no cap)

    @classmethod
    def of(cls, raw: dict[str, Any]) -> TableRequest:
        return cls(**raw)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def space_points(
    problem: Problem, dataset: Dataset, loop: str, profile: Profile
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Keras Tuner's ``HyperParameters`` config of the space as the problem's hypermodel
    declares it, and every point of it in grid order (SpaceError where it has no finite grid)."""
    from tunerbench.replay.cells import CellSetup

    return _space(CellSetup.create(problem, dataset, profile, loop).hypermodel)


def _space(hypermodel: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    hp = declared_space(hypermodel)
    return hp.get_config(), grid(hp)


@dataclass(frozen=True)
class _Tabulation:
    """One process's view of a tabulation: its cell setup and trainer, the space and the
    cells it covers."""

    setup: Any  # cells.CellSetup or estimator_cells.EstimatorCellSetup
    train: Callable[..., Any]  # (setup, space, point, seed) -> Cell
    space: dict[str, Any]
    points: list[dict[str, Any]]
    chosen: list[int] = field(default_factory=list)  # indices into points, in grid order

    @classmethod
    def open(cls, request: TableRequest) -> _Tabulation:
        tuned = Problem.from_dict(request.problem)
        dataset, profile = tuned.load(request.data_dir), Profile(**request.profile)
        if request.framework == "sklearn":
            from tunerbench.replay.estimator_cells import EstimatorCellSetup, train_estimator_cell

            setup: Any = EstimatorCellSetup.create(tuned, dataset, profile)
            train: Callable[..., Any] = train_estimator_cell
        else:
            from tunerbench.replay.cells import CellSetup, train_cell

            setup, train = CellSetup.create(tuned, dataset, profile, request.loop), train_cell
        space, every = _space(setup.hypermodel)
        chosen = list(range(len(every))) if request.points is None else sorted(set(request.points))
        outside = [p for p in chosen if not 0 <= p < len(every)]
        if outside:
            raise TableError(f"points {outside} are not in the space's {len(every)} points")
        return cls(setup, train, space, every, chosen)


def tabulate_part(
    request: dict[str, Any], part: int, parts: int, emit: EmitFn,
    only: list[list[int]] | None = None,
) -> dict[str, int]:  # fmt: skip
    """Train this part's cells that have no file in the request's cells folder yet, each saved
    as it ends and announced as a ``CellTrained`` event; with ``only`` (``[point, seed]``
    pairs: a worker's share, chosen by a session elsewhere), those cells instead of the part's.
    Runs in a fresh process."""
    asked = TableRequest.of(request)
    if asked.threads > 0:
        from tunerbench.training import backend

        backend.limit_threads(asked.threads)  # before TensorFlow runs anything
    from tunerbench.replay.cell_files import cell_path, read_cell, save_cell

    run = _Tabulation.open(asked)
    setup, folder, seeds = run.setup, Path(asked.cells), asked.seeds
    trained = kept = 0
    share = None if only is None else {(p, seed) for p, seed in only}
    for p in run.chosen:
        for i, seed in enumerate(seeds):
            mine = (p * len(seeds) + i) % parts == part if share is None else (p, seed) in share
            if not mine:
                continue
            path, key = cell_path(folder, p, seed), setup.key(run.points[p], seed)
            if path.exists():
                read_cell(path, setup.curve_names, key)  # refused if trained for another cell
                kept += 1
                continue
            start = time.perf_counter()
            save_cell(path, run.train(setup, run.space, run.points[p], seed))
            seconds = round(time.perf_counter() - start, 3)
            emit(CellTrained(asked.framework, p, seed, seconds))
            trained += 1
    return {"trained": trained, "kept": kept}


def cell_plan(request: dict[str, Any], emit: EmitFn | None = None) -> dict[str, Any]:
    """What every cell of the request must be, for a session that receives cells trained on
    other machines and checks each before saving it: the key of each ``"point:seed"``, the
    curves' names and their number of epochs. Runs in a fresh process (it builds the model;
    it sends no events)."""
    asked = TableRequest.of(request)
    run = _Tabulation.open(asked)
    keys = {
        f"{p}:{seed}": run.setup.key(run.points[p], seed)
        for p in run.chosen
        for seed in asked.seeds
    }
    return {"keys": keys, "names": list(run.setup.curve_names),
            "epochs": run.setup.profile.refit_epochs}  # fmt: skip


def assemble(request: dict[str, Any]) -> Table:
    """Every cell of one framework read back into one Table (points in grid order, seeds as
    given); a missing or foreign cell is a TableError naming its file."""
    from tunerbench.pipeline.provenance import framework_versions, machine_info
    from tunerbench.replay.cell_files import cell_path, read_cell

    asked = TableRequest.of(request)
    run = _Tabulation.open(asked)
    setup, folder, names, seeds = run.setup, Path(asked.cells), run.setup.curve_names, asked.seeds
    read = [
        [read_cell(cell_path(folder, p, s), names, setup.key(run.points[p], s)) for s in seeds]
        for p in run.chosen
    ]
    curves = {name: np.array([[c.curves[name] for c in row] for row in read]) for name in names}
    keras = setup.framework == "keras"
    meta = {
        "problem": setup.problem.name,
        "dataset": setup.problem.data_name,
        "data": setup.split.describe(setup.profile.validation_fraction),
        "problem_fingerprint": setup.problem_fingerprint,
        "data_fingerprint": setup.split.fingerprint,
        "profile": asdict(setup.profile),
        "framework": setup.framework,
        "loop": setup.loop,
        # what each training process could use (0: every core, or on a scheduler's workers
        # their host's share); the machine is the session's
        "threads": asked.threads,
        # scikit-learn's tuner is scored by accuracy on the hold-out, whatever the problem's
        "objective": setup.problem.objective if keras else "val_accuracy",
        "direction": setup.problem.direction if keras else "max",
        "versions": framework_versions(),
        "machine": machine_info(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if not keras:
        meta["stopping"] = setup.stopping(run.space, run.points[0])
    return Table(
        points=[run.points[p] for p in run.chosen],
        seeds=list(seeds),
        curves=curves,
        build_s=np.array([[c.build_s for c in row] for row in read]),
        space=run.space,
        meta=meta,
    )


def save_table(requests: list[dict[str, Any]], path: str, emit: EmitFn) -> dict[str, Any]:
    """Each framework's cells assembled and saved as one table at ``path``, the first
    framework's the table and the others its sections (in a fresh process: it reads the
    problem's space through its hypermodel); its fingerprint and size returned."""
    first, *others = (assemble(request) for request in requests)
    table = Table(
        first.points, first.seeds, first.curves, first.build_s, first.space, first.meta,
        sections={part.framework: part for part in others},
    )  # fmt: skip
    table.save(Path(path))
    return {"fingerprint": table.fingerprint, "points": len(table.points),
            "seeds": len(table.seeds), "frameworks": table.frameworks}  # fmt: skip
