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
    """Cap TensorFlow's thread pools and the native BLAS and OpenMP pools, so parallel workers
    share the cores instead of fighting, and a result's ``threads`` is what really ran:
    scikit-learn's MLPClassifier does its arithmetic in NumPy's BLAS, which TensorFlow's
    settings do not reach (two such pipelines on one core each would otherwise run two BLAS
    threads each)."""
    import tensorflow as tf
    from threadpoolctl import threadpool_limits

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    threadpool_limits(limits=threads)  # every BLAS/OpenMP library loaded so far (NumPy's)
