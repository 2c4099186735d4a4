"""pytest-benchmark's JSON holds each pipeline's time as measured where the pipeline ran.

pytest-benchmark times the call a benchmark makes; here that call waits for a pipeline that runs
in a process of its own, maybe on another machine, maybe after others in a queue. The wait is not
the pipeline's time, so the JSON's statistics are replaced by the pipeline's own wall time (the
sum of its phases, measured in its process), and the wait is kept beside it as ``waited_s``.
"""

from __future__ import annotations

from typing import Any

SINGLE_VALUE_STATS = ("min", "max", "mean", "median", "q1", "q3", "ld15iqr", "hd15iqr", "total")


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
        seconds = sum(phase["wall_s"] for phase in phases.values())
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
