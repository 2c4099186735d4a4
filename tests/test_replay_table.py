"""Tabulation on real TensorFlow: the space as Keras Tuner declares it, in grid order (finite
spaces only); cells trained in parts in a fresh process and kept across calls; the assembled
table saved and read back; a cell equal to the pipeline's own refit with its own training seed;
damaged files refused in one line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import keras_tuner as kt
import numpy as np
import pytest
from problem_models import build_conditional, build_continuous

from tunerbench.data.dataset import Dataset
from tunerbench.pipeline.phases import KerasPhases, SklearnPhases, timed_phase
from tunerbench.problems.builtin import PROBLEMS
from tunerbench.problems.problem import Problem
from tunerbench.profiles import PROFILES
from tunerbench.records.events import CellTrained
from tunerbench.replay.cell_files import (
    Cell,
    cell_as_json,
    cell_from_json,
    cell_path,
    read_cell,
    save_cell,
    training_seed,
)
from tunerbench.replay.table import CURVES, Table, TableError, load_table
from tunerbench.replay.tabulate import (
    SpaceError,
    TableRequest,
    assemble,
    cell_plan,
    save_table,
    space_points,
    tabulate_part,
)
from tunerbench.run.child_process import call_in_fresh_process
from tunerbench.search.tuner_setup import TunerSetup
from tunerbench.space import LEARNING_RATES
from tunerbench.training.hypermodel import fixed_hyperparameters

QUICK = PROFILES["quick"]
DIGITS = PROBLEMS["digits"]
POINTS = [1, 4]  # units 16 (the model declaring the space built: reused) and 48 (built anew)
SEEDS = [3, 7]


def _args(cells: Path, framework: str = "keras") -> dict:
    return TableRequest(DIGITS.to_dict(), asdict(QUICK), None, "fast", SEEDS, str(cells),
                        framework, POINTS).to_dict()  # fmt: skip


@pytest.fixture(scope="module")
def tabulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Table, list[CellTrained]]:
    """Part 0 of 2 in a fresh process (one thread), then both parts here: part 0 keeps its
    cells, part 1 trains the rest; then the table."""
    cells = tmp_path_factory.mktemp("cells")
    events: list[CellTrained] = []
    first = call_in_fresh_process(
        "tunerbench.replay.tabulate:tabulate_part",
        {"request": {**_args(cells), "threads": 1}, "part": 0, "parts": 2},
        events.append,
        cells.parent / "part0.log",
    )
    again = tabulate_part(_args(cells), part=0, parts=2, emit=events.append)
    rest = tabulate_part(_args(cells), part=1, parts=2, emit=events.append)
    assert (first, again, rest) == ({"trained": 2, "kept": 0}, {"trained": 0, "kept": 2},
                                    {"trained": 2, "kept": 0})  # fmt: skip
    return cells, assemble(_args(cells)), events


def test_the_reference_space_in_grid_order(digits: Dataset) -> None:
    config, points = space_points(DIGITS, digits, "fast", QUICK)
    units = range(16, 241, 32)
    assert points == [{"units": u, "learning_rate": lr} for u in units for lr in LEARNING_RATES]
    assert len(points) == 24
    assert kt.HyperParameters.from_config(config).get_config() == config
    assert [h["config"]["name"] for h in config["space"]] == ["units", "learning_rate"]


@pytest.mark.parametrize(
    ("build", "refused"),
    [
        (build_continuous, r"^hyperparameter 'dropout' is a continuous range \(Float without "
                           r"step\): a table needs a finite space; give it a step$"),
        (build_conditional, r"^hyperparameter 'momentum' is declared in a conditional scope"),
    ],
)  # fmt: skip
def test_a_space_without_a_finite_grid_is_refused_in_one_line(
    build: object, refused: str, digits: Dataset
) -> None:
    problem = Problem(name="mine", hypermodel=build, dataset="digits")
    with pytest.raises(SpaceError, match=refused) as caught:
        space_points(problem, digits, "fast", QUICK)
    assert "\n" not in str(caught.value) and isinstance(caught.value, TableError)


def test_cells_are_kept_and_assembled_into_a_table(
    tabulated: tuple[Path, Table, list[CellTrained]], tmp_path: Path
) -> None:
    cells, table, events = tabulated
    assert sorted(p.name for p in cells.iterdir()) == [
        "p0001-seed3.npz", "p0001-seed7.npz", "p0004-seed3.npz", "p0004-seed7.npz",
    ]  # fmt: skip
    assert [(type(e), e.point, e.seed) for e in events] == [
        (CellTrained, 1, 3), (CellTrained, 4, 3), (CellTrained, 1, 7), (CellTrained, 4, 7),
    ]  # fmt: skip
    assert all(e.seconds > 0 for e in events)
    assert table.points == [
        {"units": 16, "learning_rate": 1e-3},
        {"units": 48, "learning_rate": 1e-3},
    ]
    assert table.seeds == SEEDS and table.epochs == QUICK.refit_epochs
    assert set(table.curves) == set(CURVES)
    assert all(v.shape == (2, 2, QUICK.refit_epochs) for v in table.curves.values())
    test_accuracy = table.curves["test_accuracy"]
    assert np.all((test_accuracy > 0) & (test_accuracy <= 1))
    assert np.all(table.curves["epoch_s"] > 0) and np.all(table.build_s > 0)
    assert table.meta["loop"] == "fast" and table.meta["objective"] == "val_accuracy"
    assert table.meta["threads"] == 0
    assert table.meta["problem_fingerprint"] == DIGITS.fingerprint
    assert table.meta["profile"] == asdict(DIGITS.sized(QUICK))
    table.save(tmp_path / "digits.npz")
    loaded = load_table(tmp_path / "digits.npz")
    assert loaded.fingerprint == table.fingerprint and loaded.points == table.points


@pytest.mark.parametrize(("point", "seed"), [(0, 7), (1, 3)])  # one trained here, one there
def test_a_cell_is_the_pipelines_refit_with_its_training_seed(
    tabulated: tuple[Path, Table, list[CellTrained]], digits: Dataset, tmp_path: Path, point: int,
    seed: int,
) -> None:  # fmt: skip
    """Bit for bit: the refit in a new setup (a new loop, its model built anew, the default
    threads) against a cell trained after other cells of its process: here (units 16, the
    compiled model reused), and in a fresh process with one thread (units 48, built anew)."""
    table = tabulated[1]
    values = table.points[point]
    setup = TunerSetup.create("random", DIGITS, digits, DIGITS.sized(QUICK), 0, tmp_path, "fast")
    phases = KerasPhases(setup.profile, DIGITS, setup.classes)
    hp = fixed_hyperparameters(values["units"], values["learning_rate"])
    own = training_seed(values, seed)
    curve, _ = timed_phase(
        own, lambda: phases.refit_curve(setup.ctx.hypermodel, hp, setup.split, own)
    )
    assert curve == table.curves["val_accuracy"][point, table.seeds.index(seed)].tolist()


def test_every_cell_trains_from_a_seed_of_its_own(
    tabulated: tuple[Path, Table, list[CellTrained]],
) -> None:
    """A real search draws new initial weights and a new data order for every trial: cells of
    one seed index at different points must not share theirs, or a table of S seeds would hold
    only S data orders, their luck common to every point. Each cell's seed is fixed by its
    point and seed index (the same on every machine) and recorded in its key."""
    table = tabulated[1]
    reference = [
        {"units": u, "learning_rate": r} for u in range(16, 256, 32) for r in LEARNING_RATES
    ]
    seeds = {training_seed(p, s) for p in reference for s in range(1, 11)}
    assert len(seeds) == len(reference) * 10
    assert all(1 <= s < 2**31 for s in seeds)
    assert training_seed(table.points[0], 3) == training_seed(dict(table.points[0]), 3)
    key = json.loads(np.load(cell_path(tabulated[0], 1, 3))["key"].item())
    assert key["training_seed"] == training_seed(table.points[0], 3)


def test_a_missing_or_damaged_cell_is_named(
    tabulated: tuple[Path, Table, list[CellTrained]],
) -> None:
    cells = tabulated[0]
    with pytest.raises(TableError, match=r"p0001-seed11\.npz: cell missing"):
        assemble({**_args(cells), "seeds": [*SEEDS, 11]})
    damaged = cells.parent / "damaged"
    damaged.mkdir()
    for cell in cells.iterdir():
        (damaged / cell.name).write_bytes(cell.read_bytes())
    cut = damaged / "p0004-seed7.npz"
    cut.write_bytes(cut.read_bytes()[:200])  # what a copy cut short leaves
    with pytest.raises(TableError, match=r"p0004-seed7\.npz: not a readable cell"):
        assemble(_args(damaged))


@pytest.mark.parametrize("content", [b"truncated", b"not a table\n"])
def test_a_damaged_table_is_refused_in_one_line(
    content: bytes, tabulated: tuple[Path, Table, list[CellTrained]], tmp_path: Path
) -> None:
    path = tmp_path / "table.npz"
    tabulated[1].save(path)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2] if content == b"truncated" else content)
    with pytest.raises(TableError) as caught:
        load_table(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: not a readable tunerbench table") and "\n" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_table_of_another_format_is_refused_in_one_line(
    tabulated: tuple[Path, Table, list[CellTrained]], tmp_path: Path
) -> None:
    """A table of format 1 (its cells of one seed index shared one seed) is not replayed."""
    path = tmp_path / "table.npz"
    tabulated[1].save(path)
    with np.load(path, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    head = json.loads(str(arrays["meta"]))
    arrays["meta"] = np.array(json.dumps({**head, "format": 1}))
    with open(path, "wb") as out:
        np.savez(out, **arrays)
    with pytest.raises(TableError) as caught:
        load_table(path)
    assert str(caught.value) == (
        f"{path}: a table of format 1, this tunerbench reads format 2; tabulate it again"
    )


def test_the_module_loads_without_tensorflow() -> None:
    code = (
        "import sys, tunerbench.replay.tabulate; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', "
        "'keras_tuner'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_an_estimator_cell_is_the_pipelines_refit_and_joins_the_table(
    tabulated: tuple[Path, Table, list[CellTrained]], digits: Dataset, tmp_path: Path
) -> None:
    """scikit-learn's cells (the problem's MLPClassifier, partial_fit per epoch) bit for bit the
    refit ``SklearnPhases`` runs with that seed; saved as a section of the Keras table's file."""
    cells = tmp_path / "estimator"
    cells.mkdir()
    request = _args(cells, "sklearn")
    events: list[CellTrained] = []
    assert tabulate_part(request, 0, 1, events.append) == {"trained": 4, "kept": 0}
    assert {e.framework for e in events} == {"sklearn"}
    estimator = assemble(request)
    assert estimator.meta["framework"] == "sklearn" and estimator.meta["loop"] == "sklearn"
    assert estimator.meta["objective"] == "val_accuracy"
    assert estimator.meta["stopping"] == {"tol": 1e-4, "n_iter_no_change": 10}
    assert estimator.points == tabulated[1].points and estimator.space == tabulated[1].space
    phases = SklearnPhases(DIGITS.sized(QUICK), DIGITS, digits.num_classes)
    setup = TunerSetup.create("sklearn", DIGITS, digits, DIGITS.sized(QUICK), 0, tmp_path, "fast")
    values = estimator.points[1]
    hp = fixed_hyperparameters(values["units"], values["learning_rate"])
    curve = phases.refit_curve(None, hp, setup.split, training_seed(values, SEEDS[1]))
    assert curve == estimator.curves["val_accuracy"][1, 1].tolist()
    both = save_table([_args(tabulated[0]), request], str(tmp_path / "t.npz"), events.append)
    assert both["frameworks"] == ["keras", "sklearn"]
    loaded = load_table(tmp_path / "t.npz")
    assert np.array_equal(loaded.of_framework("sklearn").curves["loss"], estimator.curves["loss"])


def test_a_cell_sent_by_a_worker_is_saved_only_when_it_is_the_cell_asked_for(
    tabulated: tuple[Path, Table, list[CellTrained]],
) -> None:
    """The JSON text a worker sends gives back the cell file bit for bit; anything else (a
    cell of another point or seed, a missing or short curve, a word for a number, no JSON)
    is one TableError line, so nothing wrong reaches the session's folder."""
    cells = tabulated[0]
    plan = cell_plan(_args(cells))
    names, epochs, keys = tuple(plan["names"]), plan["epochs"], plan["keys"]
    assert sorted(keys) == sorted(f"{p}:{s}" for p in POINTS for s in SEEDS)
    sent = cell_as_json(cell_path(cells, 4, 7), 4, 7)
    point, seed, cell = cell_from_json(sent, names, epochs, keys)
    kept = read_cell(cell_path(cells, 4, 7), names, keys["4:7"])
    assert (point, seed, cell.key, cell.build_s) == (4, 7, kept.key, kept.build_s)
    assert all(np.array_equal(cell.curves[n], kept.curves[n]) for n in names)

    raw = json.loads(sent)
    wrong = [
        ({**raw, "point": 1}, "another point"),  # the key says point 4
        ({**raw, "seed": 99}, "another point"),  # no such cell asked
        ({**raw, "curves": {n: raw["curves"][n] for n in names[1:]}}, "without the curves"),
        ({**raw, "curves": {**raw["curves"], "loss": raw["curves"]["loss"][:-1]}}, "not 6"),
        ({**raw, "curves": {**raw["curves"], "loss": ["0.1"] * epochs}}, "not 6 numbers"),
        ({**raw, "build_s": -1}, "no build time"),
    ]
    for message, said in [(json.dumps(m), s) for m, s in wrong] + [("{", "not a cell's")]:
        with pytest.raises(TableError, match=said) as refused:
            cell_from_json(message, names, epochs, keys)
        assert "\n" not in str(refused.value)


def test_a_workers_share_is_the_cells_it_is_given(tmp_path: Path) -> None:
    """A worker trains exactly the cells its session dealt it, whatever the part."""
    events: list[CellTrained] = []
    assert tabulate_part(_args(tmp_path), 0, 1, events.append, only=[]) == {"trained": 0,
                                                                             "kept": 0}  # fmt: skip
    assert tabulate_part(_args(tmp_path), 0, 1, events.append, only=[[4, 7]])["trained"] == 1
    assert [(e.point, e.seed) for e in events] == [(4, 7)]
    assert [p.name for p in tmp_path.iterdir()] == [cell_path(tmp_path, 4, 7).name]


def test_a_diverged_cell_travels_as_it_was_saved(tmp_path: Path) -> None:
    """NaN and infinite losses (a diverged fit) arrive as they were saved, not as each other:
    a replayed search tells them apart."""
    curves = {name: np.linspace(0.1, 0.6, 6) for name in CURVES}
    curves["loss"][3:] = [np.inf, -np.inf, np.nan]
    save_cell(tmp_path / "c.npz", Cell(curves, 0.5, "k"))
    _, _, cell = cell_from_json(cell_as_json(tmp_path / "c.npz", 1, 3), CURVES, 6, {"1:3": "k"})
    np.testing.assert_array_equal(cell.curves["loss"], curves["loss"])
    huge = json.loads(cell_as_json(tmp_path / "c.npz", 1, 3))
    huge["curves"]["loss"][0] = 10**400
    with pytest.raises(TableError, match="loss curve that is not 6 numbers"):
        cell_from_json(json.dumps(huge), CURVES, 6, {"1:3": "k"})
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(TableError, match="not a cell's"):
        cell_from_json(deep, CURVES, 6, {"1:3": "k"})


def test_a_session_on_a_cluster_refuses_a_held_cell_trained_for_another(
    tabulated: tuple[Path, Table, list[CellTrained]], tmp_path: Path
) -> None:
    """Before anything is sent to a worker, the cells the session holds are checked: one that
    was trained for another point is named in one line, and the held ones are listed."""
    from tunerbench.run.cluster_tabulation import _Plan

    cells = tmp_path / "cells"
    shutil.copytree(tabulated[0], cells)
    plan = _Plan.of(TableRequest.of(_args(cells)), tmp_path)
    assert sorted(map(tuple, plan.held)) == sorted((p, s) for p in POINTS for s in SEEDS)
    shutil.copy(cell_path(cells, 1, 3), cell_path(cells, 4, 3))
    with pytest.raises(TableError, match="trained for another point") as refused:
        _Plan.of(TableRequest.of(_args(cells)), tmp_path)
    assert "\n" not in str(refused.value)
