"""What a group's runs say of themselves, as the Run section shows it: when, where and with what
they were measured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import Budget
from tunerbench.report.inputs.labels import environment, sort_environments


@dataclass(frozen=True)
class RunHeader:
    dates: str
    machines: list[str]
    environments: list[tuple[str, dict[str, str]]]  # label, versions
    seeds: list[int]
    loops: list[str]
    budget: Budget
    data: dict[str, Any]
    n_runs: int


def run_header(runs: list[RunResult]) -> RunHeader:
    versions: dict[str, dict[str, str]] = {}
    for run in runs:
        versions.setdefault(environment(run), run.provenance.versions)
    hosts = [r.provenance.machine for r in runs]
    machines = sorted({f"{m.get('cpu')} ({m.get('cores')} cores)" for m in hosts})
    starts = sorted(r.identity.started_at for r in runs)
    return RunHeader(
        dates=f"{starts[0]} to {starts[-1]}" if starts[0] != starts[-1] else starts[0],
        machines=machines,
        environments=[(e, versions[e]) for e in sort_environments(versions)],
        seeds=sorted({r.identity.seed for r in runs}),
        loops=sorted({r.identity.loop for r in runs}),
        budget=runs[0].search.budget,
        data=runs[0].provenance.data,
        n_runs=len(runs),
    )
