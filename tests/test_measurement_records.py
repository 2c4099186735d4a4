"""Measurement records (epoch speed, loop accuracy, study throughput): written with their kind as
they always were, read back as typed records, a bad field refused in one line naming the file."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tunerbench.records.results_file import (
    ResultsError,
    load_file,
    read_measurements,
    session_document,
)
from tunerbench.records.schema import (
    ClusterThroughput,
    EpochSpeed,
    LoopAccuracy,
    Measurement,
    Measurements,
    PipelineTime,
)
from tunerbench.report.rendering.render import report_context as build_context
from tunerbench.report.sections.loops_compared import loop_comparison

pytestmark = pytest.mark.report

SPEED = EpochSpeed("digits", "quick", 176, 4.2, 0.94, 4.47, 190.6, 43.6, 0.23, 4.12, 6)
PIPELINE = PipelineTime("random", 1, 12.5, 2.0, 1, 0.91)
THROUGHPUT = ClusterThroughput(
    "digits", "quick", "local:2", 1, 14.5, 9.1, 1.593, [PIPELINE], [PIPELINE]
)


def loop_check(loop: str, seed: int, test_accuracy: float, dataset: str = "digits") -> LoopAccuracy:
    return LoopAccuracy(
        dataset, "quick", loop, seed, 176, 0.001, {"refit": 11, "final": 12}, [0.8, 0.9], 2,
        0.9, test_accuracy, 0.3, 5.0, 4.0,
    )  # fmt: skip


def _saved(tmp_path: Path, perf: list[dict]) -> Path:
    path = tmp_path / "tunerbench-x.json"
    path.write_text(json.dumps(session_document([], "2026-12-01T12:00:00+00:00", perf)))
    return path


def test_records_are_written_with_their_kind_and_read_back_typed(tmp_path: Path) -> None:
    records = [SPEED, loop_check("fast", 1, 0.9), THROUGHPUT]
    written = [record.to_dict() for record in records]
    assert [w["kind"] for w in written] == ["epoch_speed", "loop_accuracy", "cluster_throughput"]
    assert written[2]["sequential"] == [
        {"tuner": "random", "seed": 1, "wall_s": 12.5, "startup_s": 2.0, "threads": 1,
         "test_accuracy": 0.91}
    ]  # fmt: skip
    newer = {**written[0], "added_later": 1}  # a field a newer tunerbench wrote
    _, perf = load_file(_saved(tmp_path, [newer, *written[1:]]))
    assert perf == [newer, *written[1:]]  # as written: a resumed session rewrites them whole
    measured = read_measurements(perf)
    assert measured == Measurements([SPEED], [loop_check("fast", 1, 0.9)], [THROUGHPUT])


def test_only_measurements_are_read(tmp_path: Path) -> None:
    """A pipeline's extra_info in pytest-benchmark's JSON, or a kind that is no kind, is not a
    measurement; a file of measurements alone is a results file."""
    path = tmp_path / "benchmark.json"
    benchmarks = [{"extra_info": SPEED.to_dict()}, {"extra_info": {"kind": ["x"]}}, {}]
    path.write_text(json.dumps({"benchmarks": benchmarks}))
    _, perf = load_file(path)
    assert read_measurements(perf).epochs == [SPEED]


@pytest.mark.parametrize(
    ("record", "field", "value", "message"),
    [
        (SPEED, "matmul_gflops", "fast", "measurement.matmul_gflops: expected float, got str"),
        (THROUGHPUT, "sequential", [{"tuner": "random"}], "measurement.sequential[0]: missing"),
        (loop_check("fast", 1, 0.9), "seed", None, "measurement.seed: expected int, got null"),
    ],
)
def test_a_bad_field_is_refused_in_one_line(
    tmp_path: Path, record: Measurement, field: str, value: object, message: str
) -> None:
    path = _saved(tmp_path, [{**record.to_dict(), field: value}])
    with pytest.raises(ResultsError) as refused:
        load_file(path)
    assert str(refused.value).startswith(f"{path}: measurement 0 is not of tunerbench's shape")
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_measurements_of_one_setup() -> None:
    elsewhere = EpochSpeed("fashion_mnist", "quick", 176, 1.0, 0.2, 5.0, 100.0, 1.0, 0.01, 10, 6)
    measured = Measurements.of([SPEED, elsewhere, THROUGHPUT, loop_check("fast", 1, 0.9)])
    assert measured.of_setup("digits", "quick") == Measurements(
        [SPEED], [loop_check("fast", 1, 0.9)], [THROUGHPUT]
    )
    assert measured.of_setup("digits", "reference") == Measurements()


def test_the_loops_are_paired_by_seed() -> None:
    """Fast ahead on every seed; a (loop, seed) measured twice counts as read last; one loop
    alone pairs nothing; a session of these measurements alone has a section of its own."""
    checks = [
        loop_check(loop, seed, 0.88 + shift + 0.0001 * seed)
        for seed in range(1, 11)
        for loop, shift in (("keras-default", 0.0), ("fast", 0.002))
    ]
    comparison = loop_comparison([loop_check("fast", 1, 0.5), *checks])
    assert comparison is not None and len(comparison.seeds) == 10
    assert (comparison.units, comparison.learning_rate) == (176, 0.001)
    assert comparison.test_accuracy.mean_difference == pytest.approx(0.002)
    assert comparison.test_accuracy.significant
    assert loop_comparison(checks[::2]) is None
    alone = [replace(c, dataset="fashion_mnist", profile="reference").to_dict() for c in checks]
    context = build_context([], [], alone)
    (section,) = context.measurements
    assert not context.groups and section.performance.loop_comparison == loop_comparison(
        [replace(c, dataset="fashion_mnist", profile="reference") for c in checks]
    )
    assert section.title == "fashion_mnist, reference profile, measurements without tuner runs"
