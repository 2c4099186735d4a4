"""The datasets a benchmark can run on, by name: Fashion-MNIST (the reference) and scikit-learn's
bundled 8x8 digits (no download, for quick runs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tunerbench.choices import Choices
from tunerbench.data.dataset import Dataset
from tunerbench.data.fashion_mnist import load_fashion_mnist

DEFAULT_DATASET = "fashion_mnist"


def load_digits(seed: int = 0) -> Dataset:
    """scikit-learn's bundled 8x8 digits, split 80/20 stratified with a fixed seed."""
    from sklearn.datasets import load_digits as sk_load_digits
    from sklearn.model_selection import train_test_split

    bunch = sk_load_digits()
    images = (bunch.images / 16.0).astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(
        images,
        bunch.target.astype(np.int64),
        test_size=0.2,
        stratify=bunch.target,
        random_state=seed,
    )
    return Dataset("digits", x_train, y_train, x_test, y_test, "sklearn.datasets.load_digits")


@dataclass(frozen=True)
class DatasetEntry:
    name: str
    summary: str
    load: Callable[[str | Path | None], Dataset]
    # Whether the data lives in files a user points at (--tb-data-dir); digits is bundled.
    uses_data_dir: bool
    inputs: int  # pixels per image: the first layer's width, for the arithmetic of an epoch


DATASETS: Choices[DatasetEntry] = Choices(
    "dataset",
    (
        (e.name, e)
        for e in (
            DatasetEntry(
                "fashion_mnist",
                "Fashion-MNIST, 60,000 training and 10,000 test images of 28x28",
                load_fashion_mnist,
                uses_data_dir=True,
                inputs=28 * 28,
            ),
            DatasetEntry(
                "digits",
                "scikit-learn's bundled 8x8 digits, split 80/20 stratified; never needs network",
                lambda _data_dir: load_digits(),
                uses_data_dir=False,
                inputs=8 * 8,
            ),
        )
    ),
)


def load_dataset(name: str, data_dir: str | Path | None = None) -> Dataset:
    return DATASETS.get_entry(name).load(data_dir)
