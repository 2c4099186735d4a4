"""A run's whole time, over its phases: what every figure of a pipeline's cost adds up."""

from __future__ import annotations

from tunerbench.records.run_result import RunResult


def total_wall(result: RunResult) -> float:
    return sum(t.wall_s for t in result.cost.phases.values())


def total_cpu(result: RunResult) -> float:
    return sum(t.cpu_s for t in result.cost.phases.values())
