"""Fashion-MNIST from its original IDX files.

Fashion-MNIST is read straight from the four IDX files rather than through Keras' loader so that
the same checked code serves every place the files can live (a user's folder, Keras' cache,
Debian's ``dataset-fashion-mnist`` package) and the benchmark never needs TensorFlow to find data.
Keras' downloader is only the last resort, for machines with internet.
"""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np

from tunerbench.data.dataset import NUM_CLASSES, DataError, Dataset

DATA_DIR_ENV = "TUNERBENCH_DATA_DIR"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049
FASHION_SIDE = 28
GET_DATA_HINT = (
    "get good copies with `apt-get install dataset-fashion-mnist` (Debian), "
    "or point --tb-data-dir / TUNERBENCH_DATA_DIR at a folder holding the four original IDX files"
)


def _open_idx(path: Path) -> bytes:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            return handle.read()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DataError(f"cannot read {path}: {exc}; {GET_DATA_HINT}") from exc


def read_idx(path: Path, magic: int) -> np.ndarray:
    """Read one IDX file, checking magic number, header and payload length."""
    raw = _open_idx(path)
    if len(raw) < 8:
        raise DataError(f"{path} is truncated ({len(raw)} bytes, no IDX header); {GET_DATA_HINT}")
    found, count = struct.unpack(">II", raw[:8])
    if found != magic:
        raise DataError(
            f"{path} has IDX magic number {found}, expected {magic} "
            f"({'images' if magic == IMAGE_MAGIC else 'labels'}); {GET_DATA_HINT}"
        )
    dims = [count]
    offset = 8
    if magic == IMAGE_MAGIC:
        if len(raw) < 16:
            raise DataError(f"{path} is truncated (image header incomplete); {GET_DATA_HINT}")
        rows, cols = struct.unpack(">II", raw[8:16])
        if (rows, cols) != (FASHION_SIDE, FASHION_SIDE):
            raise DataError(
                f"{path} holds {rows}x{cols} images, expected "
                f"{FASHION_SIDE}x{FASHION_SIDE}; {GET_DATA_HINT}"
            )
        dims += [rows, cols]
        offset = 16
    expected = int(np.prod(dims))
    payload = len(raw) - offset
    if payload != expected:
        raise DataError(
            f"{path} is truncated or padded: {payload} data bytes for {count} items, "
            f"expected {expected}; {GET_DATA_HINT}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(dims)


def _find_file(folder: Path, stem: str) -> Path | None:
    for name in (stem + ".gz", stem):
        if (folder / name).is_file():
            return folder / name
    return None


def _complete(folder: Path) -> bool:
    return all(_find_file(folder, stem) for stem in FASHION_FILES.values())


def keras_cache_dir() -> Path:
    """Where ``keras.datasets.fashion_mnist.load_data()`` keeps its files."""
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return home / "datasets" / "fashion-mnist"


def locate_fashion_mnist(data_dir: str | Path | None = None) -> Path:
    """Find the folder holding the four IDX files, downloading through Keras only as last resort.

    An explicit folder (argument or TUNERBENCH_DATA_DIR) is taken at its word: if it lacks the
    files, that is an error rather than a silent fall-back to other copies.
    """
    explicit = data_dir or os.environ.get(DATA_DIR_ENV)
    if explicit:
        folder = Path(explicit)
        if not folder.exists():
            raise DataError(f"data directory {folder} does not exist; {GET_DATA_HINT}")
        if not folder.is_dir():
            raise DataError(f"data directory {folder} is a file, not a folder; {GET_DATA_HINT}")
        if not os.access(folder, os.R_OK | os.X_OK):
            raise DataError(f"data directory {folder} is not readable; fix its permissions")
        missing = [s for s in FASHION_FILES.values() if _find_file(folder, s) is None]
        if missing:
            raise DataError(
                f"data directory {folder} lacks {', '.join(missing)} (.gz or plain); "
                f"{GET_DATA_HINT}"
            )
        return folder
    for folder in (keras_cache_dir(), DEBIAN_DIR):
        if _complete(folder):
            return folder
    return _download_with_keras()


def _download_with_keras() -> Path:
    try:
        import keras

        keras.datasets.fashion_mnist.load_data()
    except Exception as exc:
        raise DataError(
            f"Fashion-MNIST not found in {keras_cache_dir()} or {DEBIAN_DIR} and the download "
            f"failed ({type(exc).__name__}); {GET_DATA_HINT}"
        ) from exc
    return keras_cache_dir()


def load_fashion_mnist(data_dir: str | Path | None = None) -> Dataset:
    folder = locate_fashion_mnist(data_dir)
    arrays = {}
    for key, stem in FASHION_FILES.items():
        path = _find_file(folder, stem)
        assert path is not None  # locate_fashion_mnist checked
        arrays[key] = read_idx(path, IMAGE_MAGIC if key.startswith("x") else LABEL_MAGIC)
    for split in ("train", "test"):
        n_images, n_labels = len(arrays[f"x_{split}"]), len(arrays[f"y_{split}"])
        if n_images != n_labels:
            raise DataError(
                f"{folder}: {split} set has {n_images} images but {n_labels} labels; "
                f"{GET_DATA_HINT}"
            )
        if arrays[f"y_{split}"].max(initial=0) >= NUM_CLASSES:
            raise DataError(f"{folder}: {split} labels outside 0-9; {GET_DATA_HINT}")
    return Dataset(
        name="fashion_mnist",
        x_train=(arrays["x_train"].astype(np.float32) / 255.0),
        y_train=arrays["y_train"].astype(np.int64),
        x_test=(arrays["x_test"].astype(np.float32) / 255.0),
        y_test=arrays["y_test"].astype(np.int64),
        source=str(folder),
    )
