"""A table of recorded training: every point of a problem's space trained from scratch once per
training seed, its whole learning curve kept, so tuners can be replayed against it.

Stored as one NumPy ``.npz`` file: the curves are dense arrays of one shape (points x training
seeds x epochs), which ``.npz`` holds natively with NumPy alone (no further dependency), read
without pickle (``allow_pickle=False``: a table from elsewhere can carry no code). Its metadata
(the problem, profile, data, versions and machine it was trained with, the space's declaration)
is one JSON string inside the same file, and its fingerprint is a digest of everything in it.
No TensorFlow here: the report and the checks read tables without it.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from tunerbench.records.atomic_file import atomic_write_text

# 2: every cell trains from a seed of its own; a format-1 table's cells of one seed index
# shared one data order, so it held only S orders in all and is read no more.
FORMAT = 2
# The folder of a --tb-output that --tb-tabulate saves tables and their cells in.
TABLES_FOLDER = "tables"
# Each epoch's record of a cell: what the search's EarlyStopping, the objective, the refit and
# the final fit read, and what it cost.
CURVES = ("loss", "val_loss", "val_accuracy", "test_accuracy", "epoch_s")


class TableError(ValueError):
    """A table cannot be used; the message says what is wrong and what to do, in one line."""


@dataclass(frozen=True)
class Table:
    """``curves[name][p, s, e]``: epoch ``e + 1`` of point ``p`` trained with training seed
    ``seeds[s]``; ``build_s[p, s]`` the seconds to build its model. ``points`` are the space's
    points in grid order, each a dict of the hyperparameters' values; ``space`` is Keras
    Tuner's ``HyperParameters`` config in declaration order (a replayed tuner declares the
    same space, so its seeded draws are a real run's); ``meta`` names what was trained."""

    points: list[dict[str, Any]]
    seeds: list[int]
    curves: dict[str, np.ndarray]
    build_s: np.ndarray
    space: dict[str, Any]
    meta: dict[str, Any]
    # The same problem's table for its other frameworks (scikit-learn's estimator), saved in
    # the same file under the same fingerprint, so every tuner replayed from it is one study.
    sections: dict[str, Table] = field(default_factory=dict)
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        missing = [name for name in CURVES if name not in self.curves]
        if missing:
            raise TableError(f"table: no {', '.join(missing)} curve; tabulate it again")
        shape = (len(self.points), len(self.seeds))
        for name, values in self.curves.items():
            if values.ndim != 3 or values.shape[:2] != shape or values.shape[2] < 1:
                raise TableError(
                    f"table: curve {name} has shape {values.shape}, expected "
                    f"({shape[0]}, {shape[1]}, epochs); tabulate it again"
                )
        if self.build_s.shape != shape:
            raise TableError(f"table: build_s has shape {self.build_s.shape}, expected {shape}")
        self._index.update({point_key(p): i for i, p in enumerate(self.points)})
        if len(self._index) != len(self.points):
            raise TableError("table: a point is listed twice; tabulate it again")

    @property
    def epochs(self) -> int:
        return int(self.curves["loss"].shape[2])

    @property
    def framework(self) -> str:
        """What trained it: ``keras`` (tables made before scikit-learn's were) or ``sklearn``."""
        return str(self.meta.get("framework", "keras"))

    @property
    def frameworks(self) -> list[str]:
        return [self.framework, *self.sections]

    def of_framework(self, framework: str) -> Table:
        """The part of the table a tuner of ``framework`` replays against (TableError if the
        table holds none)."""
        if framework == self.framework:
            return self
        if framework in self.sections:
            return self.sections[framework]
        raise TableError(
            f"table: it holds {' and '.join(self.frameworks)} training, no {framework}; "
            f"tabulate with a {framework} tuner among --tb-tuners"
        )

    def index(self, values: dict[str, Any]) -> int:
        """The row of a point, given a trial's values of the space (TableError if absent)."""
        key = point_key(values)
        if key not in self._index:
            raise TableError(f"table: point {key} is not in the table; tabulate this space")
        return self._index[key]

    @cached_property
    def fingerprint(self) -> str:
        digest = hashlib.sha256(json.dumps(_head(self), sort_keys=True).encode())
        _digest_arrays(self, digest)
        return digest.hexdigest()[:16]

    def save(self, path: Path) -> None:
        buffer = io.BytesIO()
        head = json.dumps(_head(self), sort_keys=True)
        np.savez_compressed(buffer, meta=np.array(head), **_arrays(self))
        atomic_write_text(path, buffer.getvalue())


def point_key(values: dict[str, Any]) -> str:
    """A point as text, the same for a table's point and a trial's values (Hyperband's
    ``tuner/...`` entries left out)."""
    own = {k: v for k, v in values.items() if not k.startswith("tuner/")}
    return json.dumps(own, sort_keys=True)


def _head(table: Table) -> dict[str, Any]:
    """Everything but the arrays, as the file's JSON holds it (sections under their names)."""
    head: dict[str, Any] = {
        "format": FORMAT,
        "points": table.points,
        "seeds": table.seeds,
        "space": table.space,
        "meta": table.meta,
    }
    if table.sections:
        head["sections"] = {name: _head(part) for name, part in table.sections.items()}
    return head


def _arrays(table: Table, prefix: str = "") -> dict[str, np.ndarray]:
    """The arrays as the file names them: ``curve_<name>`` and ``build_s``, a section's
    prefixed with ``<framework>__``."""
    arrays = {f"{prefix}curve_{n}": _float64(v) for n, v in table.curves.items()}
    arrays[f"{prefix}build_s"] = _float64(table.build_s)
    for name, part in table.sections.items():
        arrays.update(_arrays(part, f"{name}__"))
    return arrays


def _digest_arrays(table: Table, digest: Any) -> None:
    """Curves by name, then build seconds, then each section's the same way."""
    for name in sorted(table.curves):
        digest.update(_float64(table.curves[name]).tobytes())
    digest.update(_float64(table.build_s).tobytes())
    for name in sorted(table.sections):
        _digest_arrays(table.sections[name], digest)


def _float64(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64)


def _table_of(head: dict[str, Any], raw: dict[str, np.ndarray], prefix: str = "") -> Table:
    curve = f"{prefix}curve_"
    curves = {n.removeprefix(curve): v for n, v in raw.items() if n.startswith(curve)}
    sections = {
        name: _table_of(dict(part), raw, f"{name}__")
        for name, part in dict(head.get("sections", {})).items()
    }
    return Table(
        points=list(head["points"]),
        seeds=[int(s) for s in head["seeds"]],
        curves=curves,
        build_s=raw[f"{prefix}build_s"],
        space=dict(head["space"]),
        meta=dict(head["meta"]),
        sections=sections,
    )


def load_table(path: str | Path) -> Table:
    """A saved table, checked: a TableError in one line names what is wrong with it."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as stored:
            raw = {name: stored[name] for name in stored.files}
        head = json.loads(str(raw.pop("meta")))
        if not isinstance(head, dict) or head.get("format") != FORMAT:
            raise TableError(
                f"{path}: a table of format {head.get('format') if isinstance(head, dict) else '?'}"
                f", this tunerbench reads format {FORMAT}; tabulate it again"
            )
        return _table_of(head, raw)
    except TableError:
        raise
    except FileNotFoundError:
        raise TableError(f"{path}: no such table; make one with --tb-tabulate") from None
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        raise TableError(
            f"{path}: not a readable tunerbench table ({type(exc).__name__}); "
            "make one with --tb-tabulate"
        ) from None


def run_order(replay_seed: int, point: int, seeds: int) -> np.ndarray:
    """The table's training runs of ``point`` in the order replay seed ``replay_seed`` reads
    them: drawn per (replay seed, point) alone, so every tuner replayed with one seed meets the
    same training noise at the same point (common random numbers: comparisons stay paired)."""
    return np.random.default_rng([replay_seed, point]).permutation(seeds)


def phase_seeds(replay_seed: int, point: int, seeds: int) -> tuple[int, int, int]:
    """The training runs (columns of the table) a search's first visit of ``point``, the refit
    and the final fit read in replay seed ``replay_seed``: three different runs where the
    table has three (the refit and the final fit are new models)."""
    order = run_order(replay_seed, point, seeds)
    return int(order[0]), int(order[1 % seeds]), int(order[2 % seeds])


def search_run(replay_seed: int, point: int, seeds: int, visit: int) -> int:
    """The run a search's ``visit``-th fresh training of ``point`` reads (0: its first): a point
    proposed again (a Bayesian oracle may) is trained anew in a real run, with new noise, so it
    reads another run, every third of the order (apart from the refit's and final fit's where
    the table has five or more)."""
    return int(run_order(replay_seed, point, seeds)[(3 * visit) % seeds])
