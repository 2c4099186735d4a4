"""Tabulation: every point of a problem's space trained once per training seed, in parts that
run in fresh processes (``call_in_fresh_process``), each cell kept in its own file as it ends,
then assembled into one ``Table``.

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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tunerbench.data.dataset import Dataset
from tunerbench.problems.problem import Problem
from tunerbench.profiles import Profile
from tunerbench.replay.space_points import SpaceError, declared_space, grid
from tunerbench.replay.table import Table, TableError

__all__ = ["SpaceError", "assemble", "save_table", "space_points", "tabulate_part"]

EmitFn = Callable[[dict[str, Any]], None]


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
    """One process's view of a tabulation: its cell setup, the space and the cells it covers."""

    setup: Any  # cells.CellSetup (TensorFlow is imported with it)
    space: dict[str, Any]
    points: list[dict[str, Any]]
    chosen: list[int]  # indices into points, in grid order

    @classmethod
    def open(
        cls, problem: dict, profile: dict, data_dir: str | None, loop: str, points: list[int] | None
    ) -> _Tabulation:
        from tunerbench.replay.cells import CellSetup

        tuned = Problem.from_dict(problem)
        setup = CellSetup.create(tuned, tuned.load(data_dir), Profile(**profile), loop)
        space, every = _space(setup.hypermodel)
        chosen = list(range(len(every))) if points is None else sorted(set(points))
        outside = [p for p in chosen if not 0 <= p < len(every)]
        if outside:
            raise TableError(f"points {outside} are not in the space's {len(every)} points")
        return cls(setup, space, every, chosen)


def tabulate_part(
    problem: dict,
    profile: dict,
    data_dir: str | None,
    loop: str,
    seeds: list[int],
    cells: str,
    part: int,
    parts: int,
    threads: int,
    emit: EmitFn,
    points: list[int] | None = None,
) -> dict[str, int]:
    """Train this part's cells that have no file in ``cells`` yet, each saved as it ends and
    announced as a ``cell`` event; ``points`` (grid indices) restricts the space. Runs in a
    fresh process; ``threads`` caps TensorFlow's thread pools (0 leaves them)."""
    if threads > 0:
        from tunerbench.training import backend

        backend.limit_threads(threads)  # before TensorFlow runs anything
    from tunerbench.replay.cells import cell_path, read_cell, save_cell, train_cell

    run = _Tabulation.open(problem, profile, data_dir, loop, points)
    setup, folder = run.setup, Path(cells)
    trained = kept = 0
    for p in run.chosen:
        for i, seed in enumerate(seeds):
            if (p * len(seeds) + i) % parts != part:
                continue
            path, key = cell_path(folder, p, seed), setup.key(run.points[p], seed)
            if path.exists():
                read_cell(path, setup.curve_names, key)  # refused if trained for another cell
                kept += 1
                continue
            start = time.perf_counter()
            save_cell(path, train_cell(setup, run.space, run.points[p], seed))
            seconds = round(time.perf_counter() - start, 3)
            emit({"event": "cell", "point": p, "seed": seed, "seconds": seconds})
            trained += 1
    return {"trained": trained, "kept": kept}


def assemble(
    problem: dict,
    profile: dict,
    data_dir: str | None,
    loop: str,
    seeds: list[int],
    cells: str,
    points: list[int] | None = None,
) -> Table:
    """Every cell read back into one Table (points in grid order, seeds as given); a missing or
    foreign cell is a TableError naming its file."""
    from tunerbench.pipeline.provenance import framework_versions, machine_info
    from tunerbench.replay.cells import cell_path, read_cell

    run = _Tabulation.open(problem, profile, data_dir, loop, points)
    setup, folder, names = run.setup, Path(cells), run.setup.curve_names
    read = [
        [read_cell(cell_path(folder, p, s), names, setup.key(run.points[p], s)) for s in seeds]
        for p in run.chosen
    ]
    curves = {name: np.array([[c.curves[name] for c in row] for row in read]) for name in names}
    meta = {
        "problem": setup.problem.name,
        "dataset": setup.problem.data_name,
        "data": setup.split.describe(setup.profile.validation_fraction),
        "problem_fingerprint": setup.problem_fingerprint,
        "data_fingerprint": setup.split.fingerprint,
        "profile": asdict(setup.profile),
        "framework": "keras",
        "loop": setup.loop,
        "objective": setup.problem.objective,
        "direction": setup.problem.direction,
        "versions": framework_versions(),
        "machine": machine_info(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return Table(
        points=[run.points[p] for p in run.chosen],
        seeds=list(seeds),
        curves=curves,
        build_s=np.array([[c.build_s for c in row] for row in read]),
        space=run.space,
        meta=meta,
    )


def save_table(
    problem: dict,
    profile: dict,
    data_dir: str | None,
    loop: str,
    seeds: list[int],
    cells: str,
    path: str,
    emit: EmitFn,
) -> dict[str, Any]:
    """The cells assembled and saved as one table at ``path`` (in a fresh process: it reads
    the problem's space through its hypermodel); its fingerprint and size returned."""
    table = assemble(problem, profile, data_dir, loop, seeds, cells)
    table.save(Path(path))
    return {"fingerprint": table.fingerprint, "points": len(table.points), "seeds": len(seeds)}
