"""Dataset loading: real digits, real Fashion-MNIST when installed, and every kind of bad file."""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from tunerbench.choices import ChoiceError
from tunerbench.data.dataset import DataError, stratified_subset
from tunerbench.data.datasets import load_dataset, load_digits
from tunerbench.data.fashion_mnist import DEBIAN_DIR, FASHION_FILES, load_fashion_mnist


def write_idx(
    folder: Path, stem: str, array: np.ndarray, magic: int, compress: bool = True
) -> Path:
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape)
    payload = header + array.astype(np.uint8).tobytes()
    path = folder / (stem + (".gz" if compress else ""))
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


REAL = pytest.mark.skipif(
    not DEBIAN_DIR.is_dir() and not os.environ.get("CI"),
    reason="Debian's dataset-fashion-mnist is not installed (CI installs it)",
)


def real_idx_folder(folder: Path) -> Path:
    """A folder of links to Debian's real Fashion-MNIST files, to damage one by one."""
    for stem in FASHION_FILES.values():
        (folder / f"{stem}.gz").symlink_to(DEBIAN_DIR / f"{stem}.gz")
    return folder


@REAL
def test_idx_folder_loads_scaled(tmp_path: Path) -> None:
    data = load_fashion_mnist(real_idx_folder(tmp_path))
    assert data.x_train.shape == (60000, 28, 28) and data.x_test.shape == (10000, 28, 28)
    assert data.x_train.dtype == np.float32
    assert data.x_train.min() >= 0.0 and data.x_train.max() <= 1.0
    assert data.source == str(tmp_path)


@REAL
def test_plain_uncompressed_files_load(tmp_path: Path) -> None:
    for stem in FASHION_FILES.values():
        (tmp_path / stem).write_bytes(gzip.decompress((DEBIAN_DIR / f"{stem}.gz").read_bytes()))
    assert len(load_fashion_mnist(tmp_path).y_test) == 10000


@REAL
def test_another_dataset_of_the_same_shape_is_refused(tmp_path: Path) -> None:
    """Well-formed 28x28 files that are not Fashion-MNIST (MNIST, a subset, an edit)."""
    folder = real_idx_folder(tmp_path)
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    rng = np.random.default_rng(3)
    write_idx(folder, "t10k-labels-idx1-ubyte", rng.integers(0, 10, 10000), 2049)
    with pytest.raises(DataError, match="is not Fashion-MNIST's t10k-labels-idx1-ubyte"):
        load_fashion_mnist(folder)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("truncate", "truncated"),
        ("magic", "magic number 2049, expected 2051"),
        ("size", "holds 8x8 images, expected 28x28"),
        ("count", "is not Fashion-MNIST's train-labels-idx1-ubyte (19 items"),
        ("missing", "lacks train-labels-idx1-ubyte"),
        ("garbage", "cannot read"),
    ],
)
@REAL
def test_bad_files_name_the_file_and_the_fix(tmp_path: Path, damage: str, expected: str) -> None:
    folder = real_idx_folder(tmp_path)
    images = folder / "train-images-idx3-ubyte.gz"
    labels = folder / "train-labels-idx1-ubyte.gz"
    rng = np.random.default_rng(2)
    for path in (images, labels):  # own copies, free to damage
        path.unlink()
        path.write_bytes((DEBIAN_DIR / path.name).read_bytes())
    if damage == "truncate":
        images.write_bytes(gzip.compress(gzip.decompress(images.read_bytes())[:-100]))
    elif damage == "magic":
        write_idx(folder, "train-images-idx3-ubyte", rng.integers(0, 9, (20, 28, 28)), 2049)
    elif damage == "size":
        write_idx(folder, "train-images-idx3-ubyte", rng.integers(0, 9, (20, 8, 8)), 2051)
    elif damage == "count":
        write_idx(folder, "train-labels-idx1-ubyte", rng.integers(0, 10, 19), 2049)
    elif damage == "missing":
        labels.unlink()
    elif damage == "garbage":
        images.write_bytes(b"this is not gzip at all")
    with pytest.raises(DataError) as info:
        load_fashion_mnist(folder)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message
    assert "dataset-fashion-mnist" in message or "permissions" in message


def test_missing_data_dir_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_fashion_mnist(tmp_path / "nowhere")


def test_a_file_given_as_data_dir_is_named(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    with pytest.raises(DataError, match="is a file, not a folder"):
        load_fashion_mnist(tmp_path / "f")


@REAL
def test_env_variable_names_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNERBENCH_DATA_DIR", str(real_idx_folder(tmp_path)))
    assert load_fashion_mnist().source == str(tmp_path)


def test_unknown_dataset() -> None:
    expected = "unknown dataset 'mnist'; choose one of fashion_mnist, digits"
    with pytest.raises(ChoiceError, match=expected):
        load_dataset("mnist")


def test_digits_split_is_stratified_and_fixed() -> None:
    first, second = load_digits(), load_digits()
    assert first.x_train.shape == (1437, 8, 8) and first.x_test.shape == (360, 8, 8)
    np.testing.assert_array_equal(first.y_test, second.y_test)
    counts = np.bincount(first.y_test, minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37
    assert first.x_train.min() >= 0.0 and first.x_train.max() <= 1.0


def test_stratified_subset_keeps_every_class() -> None:
    small = stratified_subset(load_digits(), 100, 50)
    assert len(small.y_train) == 100 and len(small.y_test) == 50
    assert set(small.y_train) == set(range(10))


@REAL
def test_real_fashion_mnist_matches_the_published_set() -> None:
    data = load_fashion_mnist(DEBIAN_DIR)
    assert data.x_train.shape == (60000, 28, 28) and data.x_test.shape == (10000, 28, 28)
    assert np.bincount(data.y_train).tolist() == [6000] * 10
    assert np.bincount(data.y_test).tolist() == [1000] * 10
    assert data.y_train[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert data.y_test[:10].tolist() == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]
    assert abs(data.x_train.mean() * 255 - 72.94) < 0.01
    assert abs(data.x_test.mean() * 255 - 73.15) < 0.01
