"""Study throughput: the same matrix of pipelines one after another, then on a LocalCluster of
two single-core workers, in one session on the same data (``--tb-speed``).

Both runs start every pipeline in a fresh process, so the ratio measures what running pipelines
side by side gains on this machine, start-up included. The pipelines are real, but they are
measurement, not study: their results stay in this record, not among the session's runs, where
their other thread settings would mix with the study's.
"""

from __future__ import annotations

import time
from dataclasses import replace

from tunerbench.pipeline.provenance import installed_versions
from tunerbench.pipeline.spec import PipelineSpec
from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import ClusterThroughput, PipelineTime
from tunerbench.run.cluster import DaskExecutor
from tunerbench.run.executors import Executor, SequentialExecutor
from tunerbench.run.session import BenchSession, PipelineFailed
from tunerbench.run.study_matrix import PipelineKey

CLUSTER = "local:2"


def _run_all(executor: Executor, specs: list[PipelineSpec], session: BenchSession) -> tuple:
    start = time.perf_counter()
    executor.submit(specs)
    results: list[RunResult] = []
    for spec in specs:
        try:
            results.append(executor.collect(spec, lambda label, event: None))
        except Exception as exc:  # a pipeline's own failure, or its worker's, in one line
            raise PipelineFailed.of(spec.label, exc) from None
        session.show(f"[throughput] {spec.label} done after {time.perf_counter() - start:.0f} s")
    return time.perf_counter() - start, results


def _summary(results: list[RunResult]) -> list[PipelineTime]:
    return [
        PipelineTime(
            tuner=r.identity.tuner,
            seed=r.identity.seed,
            wall_s=round(sum(p.wall_s for p in r.cost.phases.values()), 3),
            startup_s=r.cost.startup_s,
            threads=r.provenance.threads,
            test_accuracy=r.test.accuracy,
        )
        for r in results
    ]


def matrix_throughput(session: BenchSession, keys: list[PipelineKey]) -> ClusterThroughput:
    """Run ``keys`` one after another, then on the cluster; the record of both."""
    runs: dict[str, tuple[float, list[RunResult]]] = {}
    for way in ("sequential", "cluster"):
        # Scratch folders for Keras Tuner and a fresh start each: measurements, not resumed.
        specs = [
            replace(
                session.spec(key),
                label=f"throughput-{way}-{session.spec(key).label}",
                directory="",
                expected_versions=installed_versions() if way == "cluster" else {},
                resume=False,
                earlier_events=[],
            )
            for key in keys
        ]
        executor: Executor
        if way == "cluster":
            executor = DaskExecutor(
                CLUSTER,
                f"{session.name}-throughput",
                installed_versions(),
                session.run_dir / "logs",
            )
        else:
            executor = SequentialExecutor(session.run_dir / "logs")
        try:
            runs[way] = _run_all(executor, specs, session)
        finally:
            executor.close()
    sequential_s, cluster_s = runs["sequential"][0], runs["cluster"][0]
    return ClusterThroughput(
        dataset=session.options.dataset,
        profile=session.options.profile,
        cluster=CLUSTER,
        pipelines=len(keys),
        sequential_s=round(sequential_s, 2),
        cluster_s=round(cluster_s, 2),
        ratio=round(sequential_s / cluster_s, 3),
        sequential=_summary(runs["sequential"][1]),
        on_cluster=_summary(runs["cluster"][1]),
    )
