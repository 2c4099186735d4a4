"""A problem's search space as a table covers it: Keras Tuner's own declaration of the space (the
real hypermodel built on a fresh ``HyperParameters``, as a tuner populates its initial space),
and every point of it in grid order.

A table holds one row per point, so the space must be finite and flat: a continuous range (a
``Float``, or a log-sampled ``Int``, without a step) has no list of points, and a conditional
scope makes some hyperparameters exist only at some points, which a dense grid cannot hold.
Both are refused in one line that says what to change. Keras Tuner is imported inside the
functions: the pytest process imports this module without TensorFlow.
"""

from __future__ import annotations

import itertools
from typing import Any

from tunerbench.replay.table import TableError


class SpaceError(TableError):
    """The space cannot be tabulated; the message names the hyperparameter and what to do."""


def declared_space(hypermodel: Any) -> Any:
    """The ``kt.HyperParameters`` the hypermodel declares, in declaration order: what
    ``BaseTuner._populate_initial_space`` records before a search (its default values are
    used for the one model this builds)."""
    import keras_tuner as kt

    hp = kt.HyperParameters()
    hypermodel.declare_hyperparameters(hp)
    hypermodel.build(hp)
    for declared in hp.space:
        if declared.conditions:
            raise SpaceError(
                f"hyperparameter {declared.name!r} is declared in a conditional scope: a table "
                "needs every hyperparameter at every point; declare it unconditionally"
            )
    return hp


def _values(declared: Any) -> list[Any]:
    """One hyperparameter's values in Keras Tuner's order (``Fixed`` has one)."""
    import keras_tuner as kt

    if getattr(declared, "step", 1) is None:
        kind = type(declared).__name__
        raise SpaceError(
            f"hyperparameter {declared.name!r} is a continuous range ({kind} without step): "
            "a table needs a finite space; give it a step"
        )
    values = list(declared.values)
    if isinstance(declared, kt.engine.hyperparameters.Int):  # log steps come as floats
        return [int(v) for v in values]
    return values


def grid(hp: Any) -> list[dict[str, Any]]:
    """Every point of the space: ``itertools.product`` over each hyperparameter's values in
    declaration order (the first varies slowest), Hyperband's ``tuner/`` entries left out."""
    declared = [h for h in hp.space if not h.name.startswith("tuner/")]
    names = [h.name for h in declared]
    return [
        dict(zip(names, values, strict=True))
        for values in itertools.product(*(_values(h) for h in declared))
    ]


def hyperparameters_at(space: dict[str, Any], point: dict[str, Any]) -> Any:
    """The space (a ``HyperParameters`` config) with ``point``'s values: what an oracle hands a
    trial, so the hypermodel reads every value, ``hp.get`` included."""
    import keras_tuner as kt

    hp = kt.HyperParameters.from_config(space)
    hp.values.update(point)
    return hp
