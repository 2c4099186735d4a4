"""Fashion-MNIST from its original IDX files.

Fashion-MNIST is read straight from the four IDX files rather than through Keras' loader so that
the same checked code serves every place the files can live (a user's folder, Keras' cache,
Debian's ``dataset-fashion-mnist`` package) and the benchmark never needs TensorFlow to find data.
Keras' downloader is only the last resort, for machines with internet.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
from pathlib import Path

import numpy as np

from tunerbench.data.dataset import DataError, Dataset

DATA_DIR_ENV = "TUNERBENCH_DATA_DIR"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
# SHA-256 of each file's decompressed content, header included: Zalando's originals (Debian's
# copies decompress to the same bytes). Another dataset of the same shape (MNIST) differs.
PUBLISHED_SHA256 = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
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


def read_idx(path: Path, magic: int, stem: str | None = None) -> np.ndarray:
    """Read one IDX file, checking magic number, header and payload length, and, given the
    file's ``stem``, that its content is the published Fashion-MNIST file of that name."""
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
    if stem is not None:
        _check_identity(path, stem, raw)
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(dims)


def _check_identity(path: Path, stem: str, raw: bytes) -> None:
    """Refuse a well-formed file whose content is not the published one (another dataset, a
    subset, an edit): a study's data would silently change with it."""
    found = hashlib.sha256(raw).hexdigest()
    if found != PUBLISHED_SHA256[stem]:
        count = struct.unpack(">I", raw[4:8])[0]
        raise DataError(
            f"{path} is not Fashion-MNIST's {stem} ({count} items, SHA-256 "
            f"{found[:12]}... where the published file has {PUBLISHED_SHA256[stem][:12]}...; "
            f"another dataset of the same shape, such as MNIST?); {GET_DATA_HINT}"
        )


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
        magic = IMAGE_MAGIC if key.startswith("x") else LABEL_MAGIC
        arrays[key] = read_idx(path, magic, stem)
    # Every file is the published one (read_idx checked its SHA-256): 60,000 and 10,000 images
    # with as many labels in 0-9 follow.
    return Dataset(
        name="fashion_mnist",
        x_train=(arrays["x_train"].astype(np.float32) / 255.0),
        y_train=arrays["y_train"].astype(np.int64),
        x_test=(arrays["x_test"].astype(np.float32) / 255.0),
        y_test=arrays["y_test"].astype(np.int64),
        source=str(folder),
    )
