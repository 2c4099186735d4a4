"""A table's cells on disk, whatever trained them: one ``.npz`` file per point and training seed,
written whole (a killed tabulation keeps every cell it finished), read back only where it was
trained for the same point, seed, problem, data, profile and loop.

No TensorFlow here: scikit-learn's cells are made and read without it.
"""

from __future__ import annotations

import io
import json
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


def cell_key(
    point: dict[str, Any], seed: int, problem_fingerprint: str, split: Split, profile: Profile,
    loop: str,
) -> str:  # fmt: skip
    """What a cell was trained for: a kept cell is reused only where this matches."""
    return json.dumps(
        {
            "point": point,
            "seed": seed,
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
