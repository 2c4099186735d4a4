"""A session's folder: a new one per run, or the newest one with the same options and data to
resume or grow by more seeds, held by one session at a time.

``<output>/runs/<name>/`` holds ``session.json`` (when it was created, with which options and
which data), ``session.lock`` (held while a session runs in it), ``journal.jsonl`` and the
pipelines' folders and logs; ``<output>/tunerbench-<name>.json`` is its results file. Resuming
reads back what the session had saved, so nothing it measured before the interruption is lost
from the results file it rewrites, and it never takes a folder another session still holds. A
``session.json`` that cannot be read is passed over with a line naming it, so one damaged
folder never stops resuming the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from tunerbench.records.atomic_file import atomic_write_text, not_regular, refuse_link
from tunerbench.records.journal import Journal, saved_results
from tunerbench.records.results_file import ResultsError, load_file
from tunerbench.records.run_result import RunResult
from tunerbench.run.options import BenchOptions, OptionsError


def new_session_name() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid()}"


class FolderBusy(OSError):
    """Another session holds this folder."""


def hold(run_dir: Path) -> FileLock:
    """The folder's lock, held by this process until released (FolderBusy if another holds it).
    A kill releases it with the process, so an interrupted session's folder is free again; a
    lock file that is a symbolic link is refused (LinkRefused), never opened through."""
    lock = FileLock(str(refuse_link(run_dir / "session.lock")), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise FolderBusy(f"{run_dir} is in use by another session") from None
    return lock


@dataclass
class Resumable:
    """A session folder taken to continue, and the seeds it was started with."""

    folder: Path
    lock: FileLock
    seeds_before: int
    passed_over: list[str] = field(default_factory=list)  # a line per unreadable session.json


def continues(saved: Any, wanted: dict[str, Any]) -> bool:
    """Whether a session saved with ``saved`` options can go on under ``wanted``: the same
    options but as many seeds or more (seeds are 1..N, so a longer run holds every seed of a
    shorter one and a study grows seed by seed), tuners in any order, and ``--tb-speed`` free
    (a measurement of its own, kept in the results file once made)."""
    if not isinstance(saved, dict) or not isinstance(saved.get("seeds"), int):
        return False
    for key, value in wanted.items():
        if key == "seeds":
            if saved["seeds"] > value:
                return False
        elif key == "tuners":
            if sorted(saved.get(key) or []) != sorted(value):
                return False
        elif key == "problem":  # sessions from before problems ran their dataset's
            if saved.get(key, saved.get("dataset")) != value:
                return False
        elif key != "speed" and saved.get(key) != value:
            return False
    return True


def session_record(meta: Path) -> dict[str, Any]:
    """A ``session.json`` as a dict; ValueError naming what is wrong with it. A FIFO would
    block the read and deep nesting exhaust the parser's recursion, so both are refused."""
    kind = not_regular(meta)
    if kind is not None:
        raise ValueError(f"{kind}, not a regular file")
    try:
        record = json.loads(meta.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    return record


def find_resumable(options: BenchOptions, data: str) -> Resumable:
    """The session folder with the same options and data, most seeds first and then newest, that
    no session holds, held now, with a line per unreadable ``session.json`` passed over; an
    OptionsError saying there is none (and why, if busy or unreadable ones were passed over),
    or that the one to take cannot be held (a read-only folder, a lock that is a link)."""
    runs = options.output / "runs"
    wanted = options.identity()
    candidates, unreadable = [], []
    for meta in runs.glob("*/session.json"):
        try:
            saved = session_record(meta)
        except (OSError, ValueError) as exc:
            unreadable.append(f"{meta} ({exc.strerror if isinstance(exc, OSError) else exc})")
            continue
        if saved.get("data") == data and continues(saved.get("options"), wanted):
            candidates.append((saved["options"]["seeds"], meta.parent))
    busy = 0
    # Names are UTC times: among equal seeds, the newest first.
    for seeds, folder in sorted(candidates, key=lambda c: (c[0], c[1].name), reverse=True):
        try:
            passed_over = [f"--tb-resume: passed over {u}; remove its folder" for u in unreadable]
            return Resumable(folder, hold(folder), seeds, passed_over)
        except FolderBusy:
            busy += 1
        except OSError as exc:
            raise OptionsError(
                f"--tb-resume: cannot hold session {folder} ({exc.strerror or exc}); resume "
                "where the output folder is writable, or run without --tb-resume"
            ) from None
    still = f" ({busy} with them still running)" if busy else ""
    passed = f" (passed over as unreadable: {', '.join(unreadable)})" if unreadable else ""
    raise OptionsError(
        f"--tb-resume: no earlier session in {runs} with these options (or fewer seeds) and "
        f"data{still} ({wanted}); run without --tb-resume to start one{passed}"
    )


def record_options(run_dir: Path, options: BenchOptions) -> None:
    """Save the options a grown session now runs with, so the next ``--tb-resume`` finds it
    with its new seeds; when it was created and on which data stay as they were."""
    meta = run_dir / "session.json"
    record = json.loads(meta.read_text())
    record["options"] = options.identity()
    atomic_write_text(meta, json.dumps(record))


def create(run_dir: Path, created: str, options: BenchOptions, data: str) -> FileLock:
    """A new session folder with its ``session.json``, held (OSError if it cannot be written)."""
    run_dir.mkdir(parents=True, exist_ok=False)
    lock = hold(run_dir)
    record = {"created": created, "options": options.identity(), "data": data}
    atomic_write_text(run_dir / "session.json", json.dumps(record))
    return lock


def saved_measurements(
    run_dir: Path, results_path: Path
) -> tuple[str | None, list[dict[str, Any]], str | None]:
    """When a resumed session was created, the measurements (speed, throughput, loop accuracy)
    its results file already holds (runs come back from the journal instead), and a line to
    show when that file could not be read: it is then kept aside, never overwritten with less."""
    created = None
    with contextlib.suppress(OSError, ValueError):
        created = session_record(run_dir / "session.json").get("created")
    created = created if isinstance(created, str) else None
    if not refuse_link(results_path).exists():
        return created, [], None
    kind = not_regular(results_path)
    try:
        if kind is not None:
            raise ResultsError(f"it is {kind}, not a regular file")
        return created, load_file(results_path)[1], None
    except ResultsError as exc:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = results_path.with_name(f"{results_path.name}.unreadable-{stamp}")
        os.replace(results_path, aside)
        return (
            created,
            [],
            (
                f"{results_path} could not be read ({exc}); kept as {aside}, and the runs are "
                "rebuilt from the journal (measurements in that file are not)"
            ),
        )


def read_back(
    run_dir: Path, journal: Journal, results_path: Path
) -> tuple[list[RunResult], list[dict[str, Any]], str | None, list[str]]:
    """A resumed session's runs (from its journal), measurements (from its results file),
    creation time, and the lines to show about what could not be read."""
    results = saved_results(journal.entries())
    lines = []
    if journal.damaged:
        lines.append(
            f"{journal.path}: {journal.damaged} damaged line(s) skipped (each loses at "
            "most the event it held)"
        )
    created, perf, aside = saved_measurements(run_dir, results_path)
    return results, perf, created, lines + ([aside] if aside else [])
