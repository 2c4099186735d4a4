"""pytest-benchmark's records of tunerbench's benchmarks: its JSON holding each pipeline's time as
measured where the pipeline ran, and the terminal's summary shown in place of its table.

pytest-benchmark times the call a benchmark makes; here that call waits for a pipeline that runs
in a process of its own, maybe on another machine, maybe after others in a queue. The wait is not
the pipeline's time, so the JSON's statistics are replaced by the pipeline's own wall time (the
sum of its phases, measured in its process), and the wait is kept beside it as ``waited_s``.

Every benchmark here runs one round, so pytest-benchmark's table (min, max, mean, standard
deviation, quartiles and outliers of a single value, about 190 columns wide) says nothing its
one figure does not. The summary says what a round was instead: the tuner and seed, wall and CPU
seconds and test accuracy of a pipeline; what a tabulation, a replay or a measurement did.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

SINGLE_VALUE_STATS = ("min", "max", "mean", "median", "q1", "q3", "ld15iqr", "hd15iqr", "total")
# The summary fits a terminal of this many columns.
SUMMARY_WIDTH = 120
NAME_WIDTH = 44  # a longer benchmark name keeps its end: the tuner and seed of its id


def _phases_sum(phases: dict[str, Any], key: str) -> float:
    return sum(phase[key] for phase in phases.values())


def use_pipeline_times(output_json: dict[str, Any]) -> int:
    """Rewrite the statistics of every benchmark that carries a pipeline result; returns how
    many it rewrote."""
    rewritten = 0
    for bench in output_json.get("benchmarks", []):
        info = bench.get("extra_info") or {}
        phases = info.get("phases")
        stats = bench.get("stats")
        if not isinstance(phases, dict) or not isinstance(stats, dict):
            continue
        seconds = _phases_sum(phases, "wall_s")
        info["waited_s"] = stats.get("mean")
        info["timing"] = (
            "stats: the pipeline's wall time measured in its own process (sum of its phases); "
            "waited_s: how long the pytest process waited for it"
        )
        stats.update(dict.fromkeys(SINGLE_VALUE_STATS, seconds))
        stats.update(stddev=0.0, iqr=0.0, rounds=1, ops=1 / seconds if seconds else 0.0)
        if "data" in stats:
            stats["data"] = [seconds]
        rewritten += 1
    return rewritten


@dataclass(frozen=True)
class BenchmarkLine:
    """One benchmark's one round, as the summary shows it. A pipeline's times are its phases',
    measured in its own process (as the JSON, the results and the report hold them); any other
    benchmark's wall time is its call's in this process, the only figure it has."""

    name: str
    group: str
    tuner: str
    seed: int | None
    wall_s: float
    cpu_s: float | None
    test_accuracy: float | None
    pipeline: bool
    what: str  # what a benchmark that is not a pipeline did

    @classmethod
    def of(cls, bench: dict[str, Any]) -> BenchmarkLine:
        """From pytest-benchmark's flat record of a benchmark (its statistics beside its name,
        group and ``extra_info``), as its ``pytest_benchmark_group_stats`` hook receives it."""
        info = bench.get("extra_info") or {}
        phases = info.get("phases")
        pipeline = isinstance(phases, dict)
        return cls(
            name=str(bench["name"]),
            group=str(bench.get("group") or ""),
            tuner=str(info.get("tuner", info.get("replayed_tuner", ""))),
            seed=info.get("seed"),
            wall_s=_phases_sum(phases, "wall_s") if pipeline else float(bench["mean"]),
            cpu_s=_phases_sum(phases, "cpu_s") if pipeline else None,
            test_accuracy=info.get("test_accuracy"),
            pipeline=pipeline,
            what="" if pipeline else _what(info),
        )


def _what(info: dict[str, Any]) -> str:
    """What a benchmark that is not a pipeline did, from what it recorded."""
    if "replayed_seeds" in info:
        return f"replayed {info['replayed_seeds']} seeds"
    if "points" in info:
        return f"tabulated {info['points']} points: {Path(str(info.get('table', ''))).name}"
    if "kind" in info:  # a measurement record: its kind, and the loop it measured
        loop = f" ({info['loop']} loop)" if "loop" in info else ""
        return str(info["kind"]).replace("_", " ") + loop
    return ""


def _cut(text: str, width: int, keep_end: bool = False) -> str:
    """``text`` in at most ``width`` characters, a cut marked with "..."."""
    if len(text) <= width:
        return text
    return "..." + text[3 - width :] if keep_end else text[: width - 3] + "..."


def _number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def summary_rows(lines: list[BenchmarkLine]) -> list[str]:
    """A header and a row per benchmark, each within ``SUMMARY_WIDTH`` columns."""
    name_width = min(NAME_WIDTH, max(len("benchmark"), *(len(b.name) for b in lines)))
    tuner_width = max(len("tuner"), *(len(b.tuner) for b in lines))
    columns = [("benchmark", name_width, "<"), ("tuner", tuner_width, "<"), ("seed", 4, ">"),
               ("wall s", 7, ">"), ("CPU s", 7, ">"), ("test accuracy", 13, ">")]  # fmt: skip

    def row(cells: list[str], what: str) -> str:
        text = "  ".join(
            f"{cell:{align}{width}}" for cell, (_, width, align) in zip(cells, columns, strict=True)
        )
        return f"{text}  {_cut(what, SUMMARY_WIDTH - len(text) - 2)}" if what else text.rstrip()

    rows = [row([c[0] for c in columns], "what" if any(b.what for b in lines) else "")]
    for b in lines:
        cells = [_cut(b.name, name_width, keep_end=True), b.tuner,
                 "" if b.seed is None else str(b.seed), _number(b.wall_s, 1),
                 _number(b.cpu_s, 1), _number(b.test_accuracy, 4)]  # fmt: skip
        rows.append(row(cells, b.what))
    return rows


def summary_legend(lines: list[BenchmarkLine]) -> list[str]:
    """What the summary's seconds are."""
    legend = []
    if any(b.pipeline for b in lines):
        legend.append(
            "wall and CPU s of a pipeline: its phases, measured in its own process, as the JSON, "
            "results and report hold them"
        )
    if not all(b.pipeline for b in lines):
        legend.append("wall s of any other benchmark: its one call, timed in this process")
    return legend
