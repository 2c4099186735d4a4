"""Replay (collected only with ``--tb-replay TABLE``): each tuner whose framework the table
holds over ``--tb-seeds`` seeds, Keras Tuner's own tuner with every fit answered from the
table, as one benchmark per tuner; the results are records like any pipeline's
(``mode: replay``), reported apart."""

from __future__ import annotations

import pytest

from tunerbench.pytest_plugin import SESSION
from tunerbench.replay.table import load_table
from tunerbench.run.replay_runner import replay_tuner
from tunerbench.run.session import BenchSession, PipelineFailed
from tunerbench.search.registry import TUNERS


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "replayed_tuner" in metafunc.fixturenames:
        tuners = list(metafunc.config.stash[SESSION].options.tuners)
        metafunc.parametrize("replayed_tuner", tuners, ids=[f"replay-{t}" for t in tuners])


def test_replay(benchmark, bench_session: BenchSession, replayed_tuner: str) -> None:
    framework = TUNERS[replayed_tuner].framework.name
    if framework not in load_table(bench_session.options.replay).frameworks:
        pytest.skip(
            f"{replayed_tuner}: the table holds no {framework} training; tabulate with "
            f"{replayed_tuner} among --tb-tuners"
        )
    benchmark.group = f"replay/{bench_session.options.profile}"
    try:
        results = benchmark.pedantic(
            replay_tuner, args=(bench_session, replayed_tuner), rounds=1, iterations=1
        )
    except PipelineFailed as exc:
        pytest.fail(str(exc), pytrace=False)
    benchmark.extra_info.update({"replayed_tuner": replayed_tuner, "replayed_seeds": len(results)})
    assert all(r.identity.mode == "replay" and r.identity.tuner == replayed_tuner for r in results)
    assert all(r.search.n_trials >= 1 and r.test.accuracy is not None for r in results)
