"""Speed measurements: the training loop against Keras' default and against arithmetic.

Everything is measured in one process on the same data, so the figures are ratios of runs made
side by side, which is what a shared, noisy machine allows.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from tunerbench.data.holdout import Split
from tunerbench.measurements.reference_model import reference_model_of
from tunerbench.profiles import Profile
from tunerbench.records.schema import EpochSpeed
from tunerbench.space import REFERENCE_UNITS, flops_per_epoch
from tunerbench.training import backend

UNITS = REFERENCE_UNITS


def matmul_gflops(n: int = 2048, repeats: int = 5) -> float:
    """The best rate of a chain of large XLA matmuls: what this machine's arithmetic can do."""
    import tensorflow as tf

    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))

    @tf.function(jit_compile=True)
    def chain(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
        for _ in range(10):
            a = tf.matmul(a, b) * 1e-3
        return a

    chain(a, b).numpy()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        chain(a, b).numpy()
        best = min(best, time.perf_counter() - start)
    return 10 * 2 * n**3 / best / 1e9


def epoch_seconds(loop_name: str, split: Split, profile: Profile, epochs: int) -> list[float]:
    """Wall seconds of each epoch (training and validation) within one ``fit`` call, as a trial
    runs them, leaving out the first epoch, which compiles."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.times: list[float] = []

        def on_epoch_begin(self, epoch: int, logs: object = None) -> None:
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: object = None) -> None:
            self.times.append(time.perf_counter() - self._start)

    backend.clear_session()
    backend.set_seed(1)
    hypermodel, hp = reference_model_of(loop_name, split, profile)
    model = hypermodel.build(hp)
    timer = EpochTimer()
    hypermodel.fit(
        hp,
        model,
        split.x_fit,
        split.y_fit,
        validation_data=(split.x_val, split.y_val),
        epochs=epochs + 1,
        batch_size=profile.batch_size,
        verbose=0,
        callbacks=[timer],
    )
    backend.clear_session()
    return timer.times[1:]


def fast_training_epoch(split: Split, profile: Profile) -> Callable[[], float]:
    """A timer of one training epoch of the fast loop without validation (compiled first)."""
    hypermodel, hp = reference_model_of("fast", split, profile)
    model = hypermodel.build(hp)

    def one_epoch() -> float:
        start = time.perf_counter()
        hypermodel.fit(hp, model, split.x_fit, split.y_fit, epochs=1, verbose=0)
        return time.perf_counter() - start

    one_epoch()
    return one_epoch


def measure_epochs(split: Split, dataset: str, profile: str, epochs: int = 3) -> EpochSpeed:
    """Both loops on the same data, interleaved twice so drift on a shared machine hits both;
    then where the fast epoch's time goes (``epoch_breakdown``)."""
    from tunerbench.measurements.epoch_breakdown import epoch_breakdown
    from tunerbench.profiles import PROFILES

    default, fast = [], []
    for _ in range(2):
        default += epoch_seconds("keras-default", split, PROFILES[profile], epochs)
        fast += epoch_seconds("fast", split, PROFILES[profile], epochs)
    breakdown = epoch_breakdown(split, UNITS, fast_training_epoch(split, PROFILES[profile]))
    gflops = matmul_gflops()
    inputs = int(split.x_fit[0].size)
    gflop = flops_per_epoch(len(split.y_fit), len(split.y_val), inputs, UNITS) / 1e9
    default_s, fast_s = statistics.median(default), statistics.median(fast)
    bound = gflop / gflops
    return EpochSpeed(
        dataset=dataset,
        profile=profile,
        default_epoch_s=round(default_s, 4),
        fast_epoch_s=round(fast_s, 4),
        speedup=round(default_s / fast_s, 3),
        matmul_gflops=round(gflops, 1),
        gflop_per_epoch=round(gflop, 2),
        bound_epoch_s=round(bound, 4),
        fast_over_bound=round(fast_s / bound, 2),
        epochs_timed=len(fast),
        units=UNITS,
        breakdown={**breakdown, "fast_epoch": round(fast_s, 4)},
    )


def epoch_speed_task(
    dataset: str, data_dir: str | None, profile: str, emit: object = None
) -> dict[str, object]:
    """``measure_epochs`` in a process of its own (see ``child_process``), on the profile's
    split of the dataset; returns the record."""
    from tunerbench.data.datasets import load_dataset
    from tunerbench.data.holdout import make_split
    from tunerbench.profiles import PROFILES

    split = make_split(load_dataset(dataset, data_dir), PROFILES[profile])
    return measure_epochs(split, dataset, profile).to_dict()
