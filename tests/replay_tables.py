"""Tables made by hand for replay tests: what they hold is known by construction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

import keras_tuner as kt
import numpy as np

from tunerbench.pipeline.provenance import framework_versions, machine_info
from tunerbench.problems.builtin import PROBLEMS
from tunerbench.profiles import Profile
from tunerbench.replay.table import Table
from tunerbench.training.hypermodel import define_space


def space_of(units: dict[str, int], rates: list[float]) -> dict:
    hp = kt.HyperParameters()
    hp.Int("units", **units)
    hp.Choice("learning_rate", rates)
    return hp.get_config()


def built_table(
    space: dict,
    profile: Profile,
    score: Callable[[int, int, int], float],
    seeds: int = 3,
    framework: str = "keras",
) -> Table:
    """A table over ``space``'s grid whose val_accuracy after each epoch is ``score(point,
    seed, epoch)``, val_loss and loss its complement (so EarlyStopping follows it); as
    ``framework`` (``keras`` or ``sklearn``) would have trained it."""
    hp = kt.HyperParameters.from_config(space)
    units, rates = hp.space[0], hp.space[1]
    points = [{"units": u, "learning_rate": r} for u in units.values for r in rates.values]
    shape = (len(points), seeds, profile.refit_epochs)
    val = np.fromfunction(np.vectorize(score), shape, dtype=int)
    curves = {
        "val_accuracy": val,
        "val_loss": 1.0 - val,
        "loss": 1.0 - val,
        "test_accuracy": val - 0.01,
        "epoch_s": np.full(shape, 0.5),
    }
    meta = {
        "problem": "digits", "problem_fingerprint": PROBLEMS["digits"].fingerprint,
        "dataset": "digits", "profile": asdict(profile), "framework": "keras", "loop": "fast",
        "objective": "val_accuracy", "direction": "max", "versions": framework_versions(),
        "machine": machine_info(), "created": "2026-12-06T00:00:00+00:00",
        "data": {"source": "built", "n_fit": 2400, "n_val": 600, "n_test": 1000,
                 "validation": "last 20% of the training set (as validation_split)"},
        "data_fingerprint": "",
    }  # fmt: skip
    if framework == "sklearn":
        meta.update(framework="sklearn", loop="sklearn",
                    stopping={"tol": 1e-4, "n_iter_no_change": 10})  # fmt: skip
    return Table(points, list(range(1, seeds + 1)), curves, np.full(shape[:2], 0.1), space, meta)


def real_space() -> dict:
    hp = kt.HyperParameters()
    define_space(hp)
    return hp.get_config()
