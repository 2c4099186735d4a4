"""What every fit of a pipeline is given, alike in the search and the phases after it."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from tunerbench.data.holdout import Split
from tunerbench.profiles import Profile


def keras_fit_args(split: Split, profile: Profile, epochs: int) -> dict[str, Any]:
    """A Keras fit of a pipeline: the split's rows, the profile's batch size."""
    return {
        "x": split.x_fit,
        "y": split.y_fit,
        "validation_data": (split.x_val, split.y_val),
        "epochs": epochs,
        "batch_size": profile.batch_size,
        "verbose": 0,
    }


def flat(x: np.ndarray) -> np.ndarray:
    """Images as rows of pixels, as scikit-learn's estimators take them."""
    return x.reshape(len(x), -1)


@contextlib.contextmanager
def budget_capped_fits() -> Iterator[None]:
    """Silence ConvergenceWarning: stopping at the epoch budget is the point, not a fault."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield
