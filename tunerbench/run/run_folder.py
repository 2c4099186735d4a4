"""A session's folder: a new one per run, or the newest one with the same options to resume.

``<output>/runs/<name>/`` holds ``session.json`` (when it was created and with which options),
``journal.jsonl`` and the pipelines' folders and logs; ``<output>/tunerbench-<name>.json`` is
its results file. Resuming reads back what the session had saved, so nothing it measured before
the interruption is lost from the results file it rewrites.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from tunerbench.records.atomic_file import atomic_write_text
from tunerbench.records.results_file import ResultsError, load_file
from tunerbench.run.options import BenchOptions, OptionsError


def new_session_name() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid()}"


def find_resumable(options: BenchOptions) -> Path:
    """The newest session folder with the same options, or an OptionsError saying there is none."""
    runs = options.output / "runs"
    candidates = []
    for meta in runs.glob("*/session.json"):
        try:
            saved = json.loads(meta.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(saved, dict) and saved.get("options") == options.identity():
            candidates.append(meta.parent)
    if not candidates:
        raise OptionsError(
            f"--tb-resume: no earlier session in {runs} with these options "
            f"({options.identity()}); run without --tb-resume to start one"
        )
    return max(candidates, key=lambda p: p.stat().st_mtime)


def create(run_dir: Path, created: str, options: BenchOptions) -> None:
    """A new session folder with its ``session.json`` (OSError if it cannot be written)."""
    run_dir.mkdir(parents=True, exist_ok=False)
    record = {"created": created, "options": options.identity()}
    atomic_write_text(run_dir / "session.json", json.dumps(record))


def saved_measurements(
    run_dir: Path, results_path: Path
) -> tuple[str | None, list[dict[str, Any]]]:
    """When a resumed session was created, and the measurements (speed, throughput, loop
    accuracy) its results file already holds; runs come back from the journal instead."""
    created = None
    with contextlib.suppress(OSError, json.JSONDecodeError, AttributeError):
        created = json.loads((run_dir / "session.json").read_text()).get("created")
    if not results_path.exists():
        return created, []
    try:
        return created, load_file(results_path)[1]
    except ResultsError:
        return created, []
