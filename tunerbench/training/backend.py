"""Seeds, sessions and threads, through the APIs Keras 2 (TensorFlow 2.15) and Keras 3 share.

Everything else in tunerbench uses APIs both lines share too, so there is one code path.
"""

from __future__ import annotations

import keras


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow at once (present in both Keras lines)."""
    keras.utils.set_random_seed(seed)


def clear_session() -> None:
    """Drop the graph and layer-name state so memory stays flat across many models."""
    keras.backend.clear_session()


def limit_threads(threads: int) -> None:
    """Cap TensorFlow's thread pools, so parallel workers share the cores instead of fighting."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
