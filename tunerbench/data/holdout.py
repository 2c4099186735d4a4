"""The one hold-out split every tuner and phase shares.

The hold-out is the last ``validation_fraction`` of the training set, exactly what Keras'
``validation_split`` takes, but cut once here so every tuner (scikit-learn's included) and every
phase sees the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tunerbench.data.dataset import Dataset, stratified_subset
from tunerbench.profiles import Profile


@dataclass(frozen=True)
class Split:
    x_fit: np.ndarray
    y_fit: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    fingerprint: str = ""  # of the whole dataset it was cut from (Dataset.fingerprint)

    def describe(self, fraction: float) -> dict[str, Any]:
        return {
            "source": self.source,
            "fingerprint": self.fingerprint,
            "n_fit": len(self.y_fit),
            "n_val": len(self.y_val),
            "n_test": len(self.y_test),
            "validation": f"last {fraction:.0%} of the training set (as validation_split)",
        }


def make_split(dataset: Dataset, profile: Profile) -> Split:
    """The profile's subset of ``dataset``, its hold-out cut off; the split carries the whole
    dataset's fingerprint, so every result names the data it came from."""
    fingerprint = dataset.fingerprint
    if profile.train_subset or profile.test_subset:
        dataset = stratified_subset(
            dataset,
            profile.train_subset or len(dataset.y_train),
            profile.test_subset or len(dataset.y_test),
        )
    n_val = round(len(dataset.y_train) * profile.validation_fraction)
    cut = len(dataset.y_train) - n_val
    return Split(
        dataset.x_train[:cut],
        dataset.y_train[:cut],
        dataset.x_train[cut:],
        dataset.y_train[cut:],
        dataset.x_test,
        dataset.y_test,
        dataset.source,
        fingerprint,
    )
