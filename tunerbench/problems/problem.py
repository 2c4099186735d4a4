"""A benchmark problem: the data, the model family searched, the objective and the budget.

Everything a pipeline needs to know about *what* is tuned, as plain values and
``"module:attribute"`` references (``tunerbench.references``): the record loads without
TensorFlow, travels as JSON to the process that runs a pipeline (here or on a Dask worker), and
its fingerprint, stored with every result, tells apart two definitions under one name.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from tunerbench.data.dataset import DataError, Dataset
from tunerbench.data.datasets import load_dataset
from tunerbench.profiles import Profile
from tunerbench.references import reference_to, resolve

# The loop that trains a problem the fast loop was not written for: Keras' own fit.
KERAS_FIT_LOOP = "keras-default"
_BUDGET_FIELDS = ("max_epochs", "factor", "refit_epochs", "batch_size", "validation_fraction")


@dataclass(frozen=True)
class Problem:
    """What a study tunes. ``data`` loads it: a registered dataset's name in ``dataset``, or a
    function of no arguments (of the data folder where ``uses_data_dir``) returning a
    ``Dataset`` or ``(x_train, y_train, x_test, y_test)``, labels 0..K-1. ``hypermodel`` is a
    ``build(hp)`` returning a compiled Keras model (with ``metrics=["accuracy"]``, the test
    score every report compares) or a Keras Tuner ``HyperModel`` class. The budget fields left
    ``None`` take the profile's. ``sklearn`` (optional) builds a scikit-learn estimator from
    ``(hp, max_iter, batch_size, seed)``: SklearnTuner runs only where one exists.
    ``steps_per_execution`` and ``jit_compile`` set how Keras' fit runs the model. Functions
    may be given as objects; they are kept as references (with their module's folder)."""

    name: str
    hypermodel: Any
    data: Any = None
    dataset: str = ""
    summary: str = ""
    objective: str = "val_accuracy"
    direction: Literal["max", "min"] = "max"
    max_epochs: int | None = None
    factor: int | None = None
    refit_epochs: int | None = None
    batch_size: int | None = None
    validation_fraction: float | None = None
    sklearn: Any = None
    # The hyperparameter that sets the batch size, where the space searches it ("" if not).
    batch_size_hp: str = ""
    steps_per_execution: int = 1
    jit_compile: bool = False
    uses_data_dir: bool = False
    # The reference MLP: a model the training loops build themselves (--tb-loop applies).
    fast_loop: bool = False
    folder: str = ""  # where the references' modules import from; "" for installed ones

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"problem name {self.name!r}: use lower-case letters, digits and _")
        # The objective is named in verdict.md and the terminal: one printable word.
        valid = self.objective.startswith("val_") and self.objective.isprintable()
        if self.direction not in ("max", "min") or not valid:
            raise ValueError(
                f"problem {self.name}: objective must be a validation metric ('val_...', no "
                "control characters) with direction 'max' or 'min', got "
                f"{self.objective!r}, {self.direction!r}"
            )
        if (self.data is None) == (not self.dataset):
            raise ValueError(f"problem {self.name}: give exactly one of data= and dataset=")
        for name in ("hypermodel", "data", "sklearn"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                reference, folder = reference_to(value)
                object.__setattr__(self, name, reference)
                object.__setattr__(self, "folder", self.folder or folder)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Problem:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    @property
    def data_name(self) -> str:
        """What its data is called in requests and results: the registered dataset's name, or
        the problem's own for data of its own."""
        return self.dataset or self.name

    def resolve(self, reference: str) -> Any:
        return resolve(reference, self.folder)

    def sized(self, profile: Profile) -> Profile:
        """The profile with this problem's own budget where it sets one."""
        own = {k: getattr(self, k) for k in _BUDGET_FIELDS if getattr(self, k) is not None}
        return replace(profile, **own)

    def loop_for(self, requested: str) -> str:
        """The loop a pipeline of this problem trains with: the one asked for where the loops
        apply (the reference MLP), Keras' own fit otherwise."""
        return requested if self.fast_loop else KERAS_FIT_LOOP

    def best_epoch(self, curve: list[float], direction: str | None = None) -> int:
        """1-based epoch of the best value on the refit's curve, by the objective's direction
        (or ``direction``, for a curve of another score)."""
        return best_epoch(curve, direction or self.direction)

    def load(self, data_dir: str | Path | None = None) -> Dataset:
        """The problem's data, checked: a DataError in one line says what is wrong."""
        if self.dataset:
            return load_dataset(self.dataset, data_dir)
        try:
            loader = self.resolve(self.data)
            loaded = loader(data_dir) if self.uses_data_dir else loader()
            if isinstance(loaded, Dataset):  # named as requests and results name it
                return replace(loaded, name=self.data_name)
            return _dataset(self.data_name, loaded, self.data)
        except DataError:
            raise
        except Exception as exc:  # the user's loader, or arrays that are not numbers
            first = (str(exc).strip().splitlines() or [""])[0]
            raise DataError(
                f"problem {self.name}: its data could not be loaded ({type(exc).__name__}: {first})"
            ) from None

    @property
    def fingerprint(self) -> str:
        """A digest of the definition and of the source of every module it names, so a
        changed ``build`` or loader gives results that say so."""
        digest = hashlib.sha256()
        definition = {k: v for k, v in self.to_dict().items() if k not in ("summary", "folder")}
        digest.update(json.dumps(definition, sort_keys=True).encode())
        for reference in (self.hypermodel, self.data, self.sklearn):
            if reference:
                digest.update(_module_source(reference.partition(":")[0], self.folder))
        return digest.hexdigest()[:16]


def best_epoch(curve: Any, direction: str) -> int:
    """1-based epoch of the best value on a refit's curve: the highest where ``direction`` is
    "max", else the lowest (a replayed refit's curve, read from a table, has no Problem)."""
    return int(np.argmax(curve) if direction == "max" else np.argmin(curve)) + 1


def _module_source(module: str, folder: str) -> bytes:
    """The text of ``module``'s file, found without importing it."""
    candidate = Path(folder, *module.split(".")).with_suffix(".py") if folder else None
    if candidate is not None and candidate.is_file():
        return candidate.read_bytes()
    spec = importlib.util.find_spec(module)
    origin = spec.origin if spec is not None else None
    return Path(origin).read_bytes() if origin and Path(origin).is_file() else module.encode()


def _dataset(name: str, loaded: Any, source: str) -> Dataset:
    """Four arrays as a Dataset: features as float32, labels as integers 0..K-1."""
    try:
        x_train, y_train, x_test, y_test = loaded
    except (TypeError, ValueError):
        raise DataError(
            f"problem {name}: its data function must return a Dataset or (x_train, y_train, "
            "x_test, y_test)"
        ) from None
    arrays = [np.asarray(a) for a in (x_train, y_train, x_test, y_test)]
    if len(arrays[0]) != len(arrays[1]) or len(arrays[2]) != len(arrays[3]):
        raise DataError(f"problem {name}: features and labels differ in length")
    labels = np.concatenate([arrays[1], arrays[3]])
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0:
        raise DataError(f"problem {name}: labels must be integers 0..K-1 (classes)")
    return Dataset(
        name,
        arrays[0].astype(np.float32),
        arrays[1].astype(np.int64),
        arrays[2].astype(np.float32),
        arrays[3].astype(np.int64),
        source,
    )
