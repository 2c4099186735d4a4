"""Speed measurement helpers on tiny real data (the figures themselves belong to benchmarks)."""

from __future__ import annotations

from tunerbench.data.dataset import Dataset
from tunerbench.data.holdout import make_split
from tunerbench.measurements.epoch_breakdown import epoch_breakdown
from tunerbench.measurements.loop_check import loop_accuracy_task
from tunerbench.measurements.reference_model import reference_model_of
from tunerbench.measurements.speed import epoch_seconds, fast_training_epoch, matmul_gflops
from tunerbench.profiles import Profile
from tunerbench.records.results_file import read_measurements
from tunerbench.space import REFERENCE_LEARNING_RATE, REFERENCE_UNITS, flops_per_epoch


def test_reference_epoch_is_about_44_gflop() -> None:
    gflop = flops_per_epoch(48_000, 12_000, 784, 176) / 1e9
    assert 40 < gflop < 48


def test_both_loops_time_every_epoch(digits: Dataset, tiny: Profile) -> None:
    split = make_split(digits, tiny)
    for loop in ("keras-default", "fast"):
        times = epoch_seconds(loop, split, tiny, epochs=2)
        assert len(times) == 2 and all(t > 0 for t in times)


def test_the_epoch_breakdown_times_every_stage(digits: Dataset, tiny: Profile) -> None:
    split = make_split(digits, tiny)
    stages = epoch_breakdown(split, 16, fast_training_epoch(split, tiny), rounds=1)
    assert list(stages) == ["matmuls", "gradients", "adam", "gather", "keras_train"]
    assert all(seconds > 0 for seconds in stages.values())


def test_matmul_rate_is_measured() -> None:
    assert matmul_gflops(n=256, repeats=2) > 0


def test_the_reference_model_is_the_reference_runs_choice(digits: Dataset, tiny: Profile) -> None:
    hypermodel, hp = reference_model_of("keras-default", make_split(digits, tiny), tiny)
    assert (hp.get("units"), hp.get("learning_rate")) == (REFERENCE_UNITS, REFERENCE_LEARNING_RATE)
    assert (hypermodel.image_shape, hypermodel.num_classes) == (digits.image_shape, 10)


def test_the_loop_check_writes_a_loop_accuracy_record() -> None:
    record = loop_accuracy_task("digits", None, "quick", "fast", 1)
    (check,) = read_measurements([record]).loop_checks
    assert (check.loop, check.seed, check.units) == ("fast", 1, REFERENCE_UNITS)
    assert 1 <= check.best_epoch <= len(check.refit_val_accuracy) and check.test_accuracy > 0.2
