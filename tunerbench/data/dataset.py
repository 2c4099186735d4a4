"""A dataset in memory, the error every loader raises, and class-balanced subsets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np


class DataError(Exception):
    """A dataset could not be found or read; the message says which file and what to do."""


def class_count(*labels: np.ndarray) -> int:
    """Labels are 0..K-1: K is one more than the largest label of any of the arrays."""
    return int(max(y.max() for y in labels)) + 1


@dataclass(frozen=True)
class Dataset:
    """Features as float32 (images scaled to [0, 1]) with integer labels 0..K-1, plus where
    they came from."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    @property
    def image_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @cached_property
    def num_classes(self) -> int:
        """10 for both bundled datasets."""
        return class_count(self.y_train, self.y_test)

    @cached_property
    def fingerprint(self) -> str:
        """A digest of every array: machines that run one study's pipelines must agree on it.
        Hashing Fashion-MNIST takes a fifth of a second, so a process does it once."""
        digest = hashlib.sha256()
        for array in (self.x_train, self.y_train, self.x_test, self.y_test):
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()[:16]


def stratified_subset(dataset: Dataset, n_train: int, n_test: int, seed: int = 0) -> Dataset:
    """A class-balanced subset, for quick runs that still see every class."""

    def pick(x: np.ndarray, y: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        if n >= len(y):
            return x, y
        from sklearn.model_selection import train_test_split

        x_keep, _, y_keep, _ = train_test_split(x, y, train_size=n, stratify=y, random_state=seed)
        return x_keep, y_keep

    x_train, y_train = pick(dataset.x_train, dataset.y_train, n_train)
    x_test, y_test = pick(dataset.x_test, dataset.y_test, n_test)
    return Dataset(dataset.name, x_train, y_train, x_test, y_test, dataset.source)
