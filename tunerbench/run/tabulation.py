"""``--tb-tabulate`` in the session: the problem's space trained once per training seed, in
fresh processes side by side (``local:N``: N processes of one thread each, as pipelines run
there), every cell kept in its own file as it ends, then one table saved.

Cells live in ``<output>/tables/<problem>-<profile>-<loop>-<digest>.cells/`` (the digest: of
the problem's definition, its data and the sized profile) and are never trained twice:
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
from tunerbench.run.child_process import ChildError, call_in_fresh_process, calls_side_by_side
from tunerbench.run.option_values import local_workers
from tunerbench.run.session import BenchSession, PipelineFailed


def table_path(session: BenchSession) -> Path:
    options = session.options
    name = f"{options.problem}-{options.profile}-{_loop(session)}-s{options.table_seeds}.npz"
    return options.output / "tables" / name


def _loop(session: BenchSession) -> str:
    return session.problems[session.options.problem].loop_for(session.options.loop)


def tabulate(session: BenchSession) -> Path:
    """Train every cell not trained yet and save the table; PipelineFailed in one line if a
    process failed (its finished cells are kept)."""
    options = session.options
    problem = session.problems[options.problem]
    loop = _loop(session)
    # Another definition of the problem, other data or another sized profile trains into a
    # folder of its own (its cells' keys would refuse the folder's).
    sized = asdict(problem.sized(PROFILES[options.profile]))
    made_of = [problem.fingerprint, session.matrix.fingerprints.get(problem.name, ""), sized]
    digest = hashlib.sha256(json.dumps(made_of, sort_keys=True).encode()).hexdigest()[:8]
    folder = f"{problem.name}-{options.profile}-{loop}-{digest}.cells"
    cells = options.output / "tables" / folder
    cells.mkdir(parents=True, exist_ok=True)
    refuse_link(cells)
    parts = local_workers(options.cluster) or 1
    common: dict[str, Any] = {
        "problem": problem.to_dict(),
        "profile": sized,
        "data_dir": options.data_dir,
        "loop": loop,
        "seeds": list(range(1, options.table_seeds + 1)),
        "cells": str(cells),
    }
    progress = _Progress(session)
    threads = 1 if parts > 1 else 0
    calls = [
        ({**common, "part": part, "parts": parts, "threads": threads},
         session.run_dir / "logs" / f"tabulate-{part}.log")
        for part in range(parts)
    ]  # fmt: skip
    errors = calls_side_by_side(
        "tunerbench.replay.tabulate:tabulate_part", calls, progress.on_event
    )
    if errors:
        raise PipelineFailed(f"tabulation: {errors[0]} (finished cells are kept in {cells})")
    path = table_path(session)
    log = session.run_dir / "logs" / "tabulate-table.log"
    try:
        call_in_fresh_process(
            "tunerbench.replay.tabulate:save_table", {**common, "path": str(path)}, _quiet, log
        )
    except ChildError as exc:
        raise PipelineFailed(f"tabulation: the table could not be made: {exc}") from None
    session.show(f"[tabulate] table saved: {path} ({progress.trained} cells trained now)")
    return path


def _quiet(event: dict[str, Any]) -> None:
    """The assembling process sends no progress."""


class _Progress:
    """A line per trained cell, with the rate so far."""

    def __init__(self, session: BenchSession) -> None:
        self.session = session
        self.trained = 0
        self.start = time.monotonic()
        self.lock = threading.Lock()

    def on_event(self, event: dict[str, Any]) -> None:
        if event.get("event") != "cell":
            return
        with self.lock:
            self.trained += 1
            rate = (time.monotonic() - self.start) / self.trained
            self.session.show(
                f"[tabulate] point {event['point']} seed {event['seed']}: "
                f"{event['seconds']:.1f} s ({self.trained} cells trained, {rate:.1f} s per cell)"
            )
