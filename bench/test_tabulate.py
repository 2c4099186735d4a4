"""Tabulation (collected only with ``--tb-tabulate``): every point of the problem's space
trained once per training seed (``--tb-table-seeds``) for the refit's length, saved as the
table ``--tb-replay`` reads. One benchmark: its time is the table's."""

from __future__ import annotations

import pytest

from tunerbench.replay.table import load_table
from tunerbench.run.session import BenchSession, PipelineFailed
from tunerbench.run.tabulation import tabulate


def test_tabulate(benchmark, bench_session: BenchSession) -> None:
    benchmark.group = f"tabulate/{bench_session.options.profile}"
    try:
        path = benchmark.pedantic(tabulate, args=(bench_session,), rounds=1, iterations=1)
    except PipelineFailed as exc:
        pytest.fail(str(exc), pytrace=False)
    table = load_table(path)
    benchmark.extra_info.update(
        {"table": str(path), "fingerprint": table.fingerprint, "points": len(table.points)}
    )
    assert len(table.seeds) == bench_session.options.table_seeds
    assert table.curves["test_accuracy"].min() > 0
