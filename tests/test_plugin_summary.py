"""The terminal's summary of tunerbench's benchmarks in place of pytest-benchmark's table: a row
per one-round benchmark within 120 columns, pytest-benchmark's groups without them unless one of
its table options is given, and the records of a real quick run read as pytest-benchmark hands
them to its ``pytest_benchmark_group_stats`` hook."""

from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import pytest
from reporting import BENCHMARK

from tunerbench.pytest_plugin import (
    OURS,
    SUMMARY,
    TABLE_OPTIONS,
    pytest_benchmark_group_stats,
    table_asked,
)
from tunerbench.run.benchmark_json import (
    SUMMARY_WIDTH,
    BenchmarkLine,
    summary_legend,
    summary_rows,
)


def flat_benchmarks() -> list[dict[str, Any]]:
    """The real quick run's benchmarks as pytest-benchmark prepares them for its table: the
    statistics beside the name, of this run (no saved file's path)."""
    document = json.loads(BENCHMARK.read_text())
    return [
        {k: v for k, v in b.items() if k != "stats"} | b["stats"] | {"path": None, "source": False}
        for b in document["benchmarks"]
    ]


@dataclass
class Config:
    """What the hook reads of pytest's config: the options given, and the stash."""

    given: dict[str, Any] = field(default_factory=dict)
    stash: pytest.Stash = field(default_factory=pytest.Stash)

    def getoption(self, name: str) -> Any:
        return self.given.get(name, TABLE_OPTIONS[name])


def grouped(config: Config, benchmarks: list[dict[str, Any]], other: dict[str, Any]) -> Any:
    """The hook around pytest-benchmark's grouping (one group of ours, one of another
    benchmark), as pluggy runs a wrapper: up to its yield, then sent the wrapped result."""
    hook: Generator[None, Any, Any] = pytest_benchmark_group_stats(  # type: ignore[assignment]
        config, [*benchmarks, other], "group"
    )
    next(hook)
    with pytest.raises(StopIteration) as done:
        hook.send([("digits/quick", benchmarks), ("mine", [other])])
    return done.value.value


OTHER = {"fullname": "tests/test_x.py::test_fast", "path": None, "name": "test_fast"}


def test_a_pipeline_row_is_its_phases_times_and_test_accuracy() -> None:
    bench = flat_benchmarks()[0]
    line = BenchmarkLine.of(bench)
    info = bench["extra_info"]
    assert (line.tuner, line.seed, line.group) == (info["tuner"], info["seed"], "digits/quick")
    assert line.wall_s == pytest.approx(sum(p["wall_s"] for p in info["phases"].values()))
    assert line.cpu_s == pytest.approx(sum(p["cpu_s"] for p in info["phases"].values()))
    assert line.test_accuracy == info["test_accuracy"] and line.pipeline and line.what == ""


def test_the_summary_of_a_real_run_fits_120_columns_with_a_row_each() -> None:
    lines = [BenchmarkLine.of(b) for b in flat_benchmarks()]
    rows = summary_rows(lines)
    assert " ".join(rows[0].split()) == "benchmark tuner seed wall s CPU s test accuracy"
    assert len(rows) == 1 + len(lines)
    for line, row in zip(lines, rows[1:], strict=True):
        assert row.startswith(line.name) and f"{line.test_accuracy:.4f}" in row
    assert max(map(len, rows + summary_legend(lines))) <= SUMMARY_WIDTH


def test_tabulating_replaying_and_measuring_say_what_they_did() -> None:
    table = {"table": "/out/tables/fashion_mnist-reference-fast-s5.npz", "points": 24}
    tabulated = {"name": "test_tabulate", "mean": 812.5, "extra_info": table}
    replay = {"tuner": "hyperband", "replayed_seeds": 1000}
    replayed = {"name": "test_replay[replay-hyperband]", "mean": 95.0, "extra_info": replay}
    loops = {"kind": "loop_accuracy", "loop": "fast", "seed": 1, "test_accuracy": 0.85}
    measured = {"name": "test_loop_accuracy[fast-seed1]", "mean": 30.0, "extra_info": loops}
    lines = [BenchmarkLine.of(b) for b in (tabulated, replayed, measured)]
    said = [
        "tabulated 24 points: fashion_mnist-reference-fast-s5.npz",
        "replayed 1000 seeds",
        "loop accuracy (fast loop)",
    ]
    assert [b.what for b in lines] == said
    assert [b.wall_s for b in lines] == [812.5, 95.0, 30.0] and lines[2].test_accuracy == 0.85
    for line, what in zip(lines, said, strict=True):  # each a run of its own, said whole
        header, row = summary_rows([line])
        assert header.endswith("what") and row.endswith(what) and len(row) <= SUMMARY_WIDTH
    assert summary_legend(lines) == [
        "wall s of any other benchmark: its one call, timed in this process"
    ]


def test_a_long_name_keeps_its_end_and_every_row_its_width() -> None:
    bench = flat_benchmarks()[0]
    name = "test_a_benchmark_module_of_my_own[my_problem_of_many_words-hyperband-seed1000]"
    long = bench | {"name": name}
    long["extra_info"] = bench["extra_info"] | {"tuner": "hyperband"}
    rows = summary_rows([BenchmarkLine.of(long)])
    assert rows[1].startswith("...") and "hyperband-seed1000]" in rows[1]
    assert max(map(len, rows)) <= SUMMARY_WIDTH


def test_pytest_benchmarks_table_leaves_out_tunerbenchs_benchmarks() -> None:
    benchmarks = flat_benchmarks()
    config = Config()
    config.stash[OURS] = frozenset(b["fullname"] for b in benchmarks)
    assert grouped(config, benchmarks, OTHER) == [("mine", [OTHER])]
    assert [b.name for b in config.stash[SUMMARY]] == [b["name"] for b in benchmarks]


@pytest.mark.parametrize(
    "given",
    [
        {"benchmark_columns": ["min", "max"]},
        {"benchmark_sort": "name"},
        {"benchmark_compare": True},  # its comparison, and --benchmark-compare-fail's check
        {"benchmark_histogram": ["hist"]},
    ],
)
def test_an_option_for_pytest_benchmarks_table_keeps_it_whole(given: dict[str, Any]) -> None:
    benchmarks = flat_benchmarks()
    config = Config(given)
    config.stash[OURS] = frozenset(b["fullname"] for b in benchmarks)
    assert table_asked(config)  # type: ignore[arg-type]
    assert grouped(config, benchmarks, OTHER) == [("digits/quick", benchmarks), ("mine", [OTHER])]
    assert len(config.stash[SUMMARY]) == len(benchmarks)  # the summary is shown too


def test_a_saved_run_compared_against_is_not_summarised() -> None:
    """--benchmark-compare adds the saved run's records (with their path) beside this run's."""
    benchmarks = flat_benchmarks()
    saved = [b | {"path": ".benchmarks/0001.json", "source": "0001"} for b in benchmarks]
    config = Config({"benchmark_compare": True})
    config.stash[OURS] = frozenset(b["fullname"] for b in benchmarks)
    grouped(config, saved + benchmarks, OTHER)
    assert len(config.stash[SUMMARY]) == len(benchmarks)
