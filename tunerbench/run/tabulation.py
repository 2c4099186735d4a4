"""``--tb-tabulate`` in the session: the problem's space trained once per training seed, in one
fresh process here, or on the session's Dask cluster (``--tb-cluster``: ``local:N`` is N
processes with the cores shared out between them, as pipelines run there;
``cluster_tabulation``), every cell kept in its own file as it ends, then one table saved.

Cells live in ``<output>/tables/<problem>-<profile>-<loop>-<digest>.cells/`` (the loop: the
Keras models' loop, or ``sklearn`` for the estimator's cells; the digest: of the problem's
definition, its data and the sized profile) and are never trained twice:
a killed tabulation keeps every finished cell, and one run again with more training seeds
(``--tb-table-seeds``) trains only the new ones. The table is
``<output>/tables/<problem>-<profile>-<loop>-s<S>.npz``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tunerbench.profiles import PROFILES
from tunerbench.records.atomic_file import refuse_link
from tunerbench.records.events import CellTrained, Event
from tunerbench.records.journal import Entry
from tunerbench.replay.table import FORMAT as TABLE_FORMAT
from tunerbench.replay.table import TABLES_FOLDER
from tunerbench.replay.tabulate import TableRequest
from tunerbench.run.child_process import ChildError, call_in_fresh_process
from tunerbench.run.session import BenchSession, PipelineFailed
from tunerbench.run.table_task import TABULATE_PART
from tunerbench.search.registry import TUNERS


def table_path(session: BenchSession) -> Path:
    options = session.options
    name = f"{options.problem}-{options.profile}-{_loop(session)}-s{options.table_seeds}.npz"
    return options.output / TABLES_FOLDER / name


def _loop(session: BenchSession) -> str:
    return session.problems[session.options.problem].loop_for(session.options.loop)


def tabulate(session: BenchSession) -> Path:
    """Train every cell not trained yet and save the table (Keras' cells, then the estimator's
    where a scikit-learn tuner is asked); PipelineFailed in one line if a process failed (its
    finished cells are kept)."""
    options = session.options
    problem = session.problems[options.problem]
    used = (TUNERS[t].framework for t in options.tuners)
    frameworks = list(dict.fromkeys(f.name for f in used if f.applies_to(problem)))
    requests = [_request(session, framework) for framework in frameworks]
    progress = _Progress(session)
    for request in requests:
        errors = _train(session, request, progress.on_event)
        if errors:
            raise PipelineFailed(
                f"tabulation: {errors[0]} (finished cells are kept in {request.cells})"
            )
    path = table_path(session)
    log = session.run_dir / "logs" / "tabulate-table.log"
    asked = {"requests": [r.to_dict() for r in requests], "path": str(path)}
    try:
        call_in_fresh_process("tunerbench.replay.tabulate:save_table", asked, _quiet, log)
    except ChildError as exc:
        raise PipelineFailed(f"tabulation: the table could not be made: {exc}") from None
    session.show(f"[tabulate] table saved: {path} ({progress.trained} cells trained now)")
    return path


def _train(session: BenchSession, request: TableRequest, on_event: Any) -> list[str]:
    """The request's cells not trained yet: on the session's cluster, or in one fresh process
    here; what failed, one line each."""
    logs = session.run_dir / "logs"
    if session.options.cluster is not None:
        from tunerbench.run.cluster import DaskExecutor
        from tunerbench.run.cluster_tabulation import train_on_cluster

        assert isinstance(session.executor, DaskExecutor), "open() the session first"
        return train_on_cluster(session.executor, request, logs, on_event)
    call = {"request": request.to_dict(), "part": 0, "parts": 1}
    log = logs / f"tabulate-{request.framework}.log"
    try:
        call_in_fresh_process(TABULATE_PART, call, on_event, log)
    except ChildError as exc:
        return [str(exc)]
    return []


def _request(session: BenchSession, framework: str) -> TableRequest:
    """One framework's request, its cells in a folder of their own: another definition of the
    problem, other data, another sized profile or another table format trains into another
    folder (its cells' keys would refuse the folder's)."""
    options = session.options
    problem = session.problems[options.problem]
    loop = _loop(session) if framework == "keras" else framework
    sized = asdict(problem.sized(PROFILES[options.profile]))
    data = session.matrix.fingerprints.get(problem.name, "")
    made_of = [problem.fingerprint, data, sized, TABLE_FORMAT]
    digest = hashlib.sha256(json.dumps(made_of, sort_keys=True).encode()).hexdigest()[:8]
    name = f"{problem.name}-{options.profile}-{loop}-{digest}.cells"
    cells = options.output / TABLES_FOLDER / name
    cells.mkdir(parents=True, exist_ok=True)
    refuse_link(cells)
    return TableRequest(
        problem=problem.to_dict(),
        profile=sized,
        data_dir=options.data_dir,
        loop=loop,
        seeds=list(range(1, options.table_seeds + 1)),
        cells=str(cells),
        framework=framework,
        threads=_threads(session),
    )


def _threads(session: BenchSession) -> int:
    """Each training process's threads, as the table records them: a cluster's share per task
    (``local:N``: the cores over N; 0 on a scheduler's workers: each its host's share), or 0
    for the one process here (every core)."""
    from tunerbench.run.cluster import DaskExecutor

    executor = session.executor
    return executor.threads if isinstance(executor, DaskExecutor) else 0


def _quiet(event: Event) -> None:
    """The assembling process sends no progress."""


class _Progress:
    """Each trained cell journaled (the session's record of what was trained and how long: the
    cells folder is what a tabulation resumes from) and shown in a line, with the rate so far."""

    def __init__(self, session: BenchSession) -> None:
        self.session = session
        self.trained = 0
        self.start = time.monotonic()
        self.lock = threading.Lock()

    def on_event(self, event: Event) -> None:
        if not isinstance(event, CellTrained):
            return
        with self.lock:
            self.session.journal.append(Entry(event))
            self.trained += 1
            rate = (time.monotonic() - self.start) / self.trained
            self.session.show(
                f"[tabulate] {event.framework} point {event.point} seed {event.seed}: "
                f"{event.seconds:.1f} s ({self.trained} cells trained, {rate:.1f} s per cell)"
            )
