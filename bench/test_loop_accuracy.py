"""Does the fast loop train as well as Keras' own? (collected only with ``--tb-loop-accuracy``)

The reference run's hyperparameters (units 176, learning rate 1e-3) through the refit and final
phases of the profile, under each loop with seeds 1..N, each in a fresh process, one after
another on this machine. The records land beside the results; the report's Performance section
pairs the loops by seed and tests the difference.
"""

from __future__ import annotations

import pytest

from tunerbench.run.session import BenchSession, PipelineFailed
from tunerbench.training.loops import LOOPS


@pytest.fixture(params=LOOPS.names)
def loop(request: pytest.FixtureRequest) -> str:
    return request.param


def test_loop_accuracy(benchmark, bench_session: BenchSession, loop: str, seed: int) -> None:
    options = bench_session.options
    kwargs = {"dataset": options.dataset, "data_dir": options.data_dir,
              "profile": options.profile, "loop": loop, "seed": seed}  # fmt: skip
    try:
        record = benchmark.pedantic(
            bench_session.measure,
            args=(
                "tunerbench.measurements.loop_check:loop_accuracy_task",
                f"loop-accuracy-{loop}-{seed}",
            ),
            kwargs=kwargs,
            rounds=1,
            iterations=1,
        )
    except PipelineFailed as exc:
        pytest.fail(str(exc), pytrace=False)
    benchmark.extra_info.update(record)
    assert 1 <= record["best_epoch"] <= len(record["refit_val_accuracy"])
    assert record["test_accuracy"] > 0.2
