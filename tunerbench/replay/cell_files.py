"""A table's cells on disk, whatever trained them: one ``.npz`` file per point and training seed,
written whole (a killed tabulation keeps every cell it finished), read back only where it was
trained for the same point, seed, problem, data, profile and loop.

Each cell trains from a seed of its own (``training_seed``), drawn from its point and its seed
index: a real search trains every trial from a new draw of initial weights and data order, and a
table whose cells of one seed index shared one draw would hold only S data orders in all, their
luck common to every point.

No TensorFlow here: scikit-learn's cells are made and read without it.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tunerbench.data.holdout import Split
from tunerbench.profiles import Profile
from tunerbench.records.atomic_file import atomic_write_text
from tunerbench.replay.table import TableError


@dataclass(frozen=True)
class Cell:
    """One point and seed: each curve epoch by epoch, the seconds to build its model, and the
    key it was trained for."""

    curves: dict[str, np.ndarray]
    build_s: float
    key: str


def training_seed(point: dict[str, Any], seed: int) -> int:
    """The seed cell (``point``, ``seed``) trains from: the same on every machine and in every
    run, different for every point and seed index, and within NumPy's and Keras' seed range."""
    text = json.dumps({"point": point, "seed": seed}, sort_keys=True)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") % (2**31 - 1) + 1


def cell_key(
    point: dict[str, Any], seed: int, problem_fingerprint: str, split: Split, profile: Profile,
    loop: str,
) -> str:  # fmt: skip
    """What a cell was trained for: a kept cell is reused only where this matches."""
    return json.dumps(
        {
            "point": point,
            "seed": seed,
            "training_seed": training_seed(point, seed),
            "problem_fingerprint": problem_fingerprint,
            "data_fingerprint": split.fingerprint,
            "profile": asdict(profile),
            "loop": loop,
        },
        sort_keys=True,
    )


def cell_path(folder: Path, point: int, seed: int) -> Path:
    return folder / f"p{point:04d}-seed{seed}.npz"


def save_cell(path: Path, cell: Cell) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, key=np.array(cell.key), build_s=np.float64(cell.build_s), **cell.curves)
    atomic_write_text(path, buffer.getvalue())


def read_cell(path: Path, names: tuple[str, ...], key: str) -> Cell:
    """A kept cell, checked: a TableError in one line when it is unreadable or was trained
    for another point, seed, problem, data, profile or loop."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            cell = Cell(
                {name: np.asarray(stored[name], dtype=np.float64) for name in names},
                float(stored["build_s"]),
                str(stored["key"]),
            )
    except FileNotFoundError:
        raise TableError(f"{path}: cell missing; tabulate again to train it") from None
    except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        raise TableError(
            f"{path}: not a readable cell ({type(exc).__name__}); delete it and tabulate again"
        ) from None
    if cell.key != key:
        raise TableError(
            f"{path}: trained for another point, seed, problem, data, profile or loop; "
            "tabulate into a new folder"
        )
    return cell


def cell_as_json(path: Path, point: int, seed: int) -> str:
    """A cell file as JSON text, to send to a session on another machine: plain data only.
    A diverged fit's NaN or infinite loss travels as JSON's NaN or Infinity, so the cell
    arrives as it was saved."""
    with np.load(path, allow_pickle=False) as stored:
        curves = {name: stored[name].tolist() for name in stored.files
                  if name not in ("key", "build_s")}  # fmt: skip
        sent = {"point": point, "seed": seed, "key": str(stored["key"]),
                "build_s": float(stored["build_s"]), "curves": curves}  # fmt: skip
    return json.dumps(sent)


def cell_from_json(
    text: Any, names: tuple[str, ...], epochs: int, keys: dict[str, str]
) -> tuple[int, int, Cell]:
    """A cell sent as JSON text, checked before anything is saved: ``(point, seed, cell)``, or a
    TableError in one line when it is not one of ``keys`` (by ``"point:seed"``), its key is
    not the one that cell was asked for, or its curves are not ``names`` with ``epochs``
    numbers each."""
    try:
        sent = json.loads(text) if isinstance(text, str) else None
        point, seed, key = sent["point"], sent["seed"], sent["key"]
        curves, build_s = sent["curves"], sent["build_s"]
    except (ValueError, TypeError, KeyError, RecursionError):
        raise TableError("a cell sent by a worker is not a cell's JSON text") from None
    whole = isinstance(point, int) and isinstance(seed, int)
    asked = keys.get(f"{point}:{seed}") if whole else None
    if asked is None or key != asked:
        raise TableError(
            f"a worker sent a cell trained for another point, seed, problem, data, profile or "
            f"loop than asked (point {point!r:.40}, seed {seed!r:.40}): stop that worker"
        )
    if not isinstance(curves, dict) or sorted(curves) != sorted(names):
        raise TableError(f"a worker sent point {point} seed {seed} without the curves {names}")
    arrays = {name: _numbers(curves[name], epochs) for name in names}
    bad = [name for name, values in arrays.items() if values is None]
    if bad:
        raise TableError(
            f"a worker sent point {point} seed {seed} with a {bad[0]} curve that is not "
            f"{epochs} numbers"
        )
    if _numbers([build_s], 1) is None or not 0 <= build_s < math.inf:
        raise TableError(f"a worker sent point {point} seed {seed} with no build time")
    return point, seed, Cell(arrays, float(build_s), key)  # type: ignore[arg-type]


def _numbers(values: Any, count: int) -> np.ndarray | None:
    """``values`` as ``count`` float64 numbers (NaN and infinities kept), or None."""
    if not isinstance(values, list) or len(values) != count:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return None
    try:
        return np.array(values, dtype=np.float64)
    except OverflowError:  # an integer beyond any float
        return None
