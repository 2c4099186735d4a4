"""The results file and pytest-benchmark's JSON: writing ours, reading both.

Reading accepts our session files and pytest-benchmark's JSON (whose benchmarks carry our records
in ``extra_info``); anything else gets a one-line error naming the file. Results are only ever read
as JSON, never unpickled or evaluated. A file of a newer format than this tunerbench reads is
refused with the versions named, rather than half-read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tunerbench.records.atomic_file import atomic_write_text
from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import (
    ClusterThroughput,
    EpochSpeed,
    LoopAccuracy,
    Measurement,
    Measurements,
)
from tunerbench.records.validation import build, check, escaped, shown

FORMAT = "tunerbench-results"
FORMAT_VERSION = 1
# Measurements that are not pipelines, kept beside the runs, by the kind each is written with:
# ``--tb-speed``'s epoch speed and study throughput, and the loops' accuracy over seeds of
# ``--tb-loop-accuracy``.
MEASUREMENTS: dict[str, type[Measurement]] = {
    record.KIND: record for record in (EpochSpeed, LoopAccuracy, ClusterThroughput)
}


class ResultsError(Exception):
    """A results file that cannot be used; the message names the file and the problem."""


class _DuplicateKey(ValueError):
    """An object of the file names one key twice: JSON readers disagree on which value counts,
    so the file is refused rather than read one way here and another elsewhere."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as read, refused if it names a key twice."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(f"key {shown(key)} appears twice in one object")
        found[key] = value
    return found


def results_file_name(session: str) -> str:
    """A session's results file, ``tunerbench-<session>.json``, in its output folder."""
    return f"tunerbench-{session}.json"


def session_of(path: Path) -> str | None:
    """The session whose results file ``path`` is, or None for any other file."""
    name = path.name
    if name.startswith("tunerbench-") and name.endswith(".json"):
        return name.removeprefix("tunerbench-").removesuffix(".json")
    return None


def session_document(
    results: list[RunResult], created: str, perf: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Our summary file: the run records, plus speed measurements that are not runs."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created": created,
        "results": [r.to_dict() for r in results],
        "perf": perf or [],
    }


def write_json_atomic(path: Path, document: dict[str, Any]) -> None:
    atomic_write_text(path, json.dumps(document, indent=1, allow_nan=False))


def _check_version(name: str, document: dict[str, Any]) -> None:
    version = document.get("version", FORMAT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ResultsError(f"{name}: field version is {shown(version)}, not a format version")
    if version > FORMAT_VERSION:
        raise ResultsError(
            f"{name}: results format version {version} is newer than this tunerbench reads "
            f"(up to {FORMAT_VERSION}); upgrade tunerbench to read it"
        )


def _records_in(document: Any) -> list[dict[str, Any]] | None:
    """The raw result records of a session file or a pytest-benchmark file, else None."""
    if not isinstance(document, dict):
        return None
    if document.get("format") == FORMAT and isinstance(document.get("results"), list):
        return document["results"]
    if isinstance(document.get("benchmarks"), list):
        return [
            b["extra_info"]
            for b in document["benchmarks"]
            if isinstance(b, dict)
            and isinstance(b.get("extra_info"), dict)
            and "tuner" in b["extra_info"]
        ]
    return None


def _record_class(raw: Any) -> type[Measurement] | None:
    """The record a measurement as written is, by its kind (the one place a kind is read);
    None for anything else, such as a pipeline's ``extra_info`` in pytest-benchmark's JSON."""
    kind = raw.get("kind") if isinstance(raw, dict) else None
    return MEASUREMENTS.get(kind) if isinstance(kind, str) else None


def _perf_in(name: str, document: dict[str, Any]) -> list[dict[str, Any]]:
    """The measurements of a file as written, each checked against its record: a session keeps
    and rewrites them whole (fields a newer tunerbench added included, so those are checked to
    write back too)."""
    if document.get("format") == FORMAT:
        found = document.get("perf", [])
        if not isinstance(found, list):
            raise ResultsError(f"{name}: field perf is not a list")
    else:
        found = [b.get("extra_info") for b in document["benchmarks"] if isinstance(b, dict)]
    perf = []
    for raw in found:
        record = _record_class(raw)
        if record is None:
            continue
        try:
            build(record, raw, "measurement")
            check(raw, Any, "measurement")
        except ValueError as exc:
            raise ResultsError(
                f"{name}: measurement {len(perf)} is not of tunerbench's shape ({exc})"
            ) from None
        perf.append(raw)
    return perf


def read_measurements(perf: list[dict[str, Any]]) -> Measurements:
    """Measurements as ``load_file`` returns them, as typed records by kind (what the report
    reads); a RecordError names a field that is not of its record's type."""
    return Measurements.of(
        build(cls, raw, "measurement") for raw in perf if (cls := _record_class(raw)) is not None
    )


def load_results(path: str | Path) -> list[RunResult]:
    """All run records of one file; a ResultsError names the file and what is wrong with it."""
    return load_file(path)[0]


def load_file(path: str | Path) -> tuple[list[RunResult], list[dict[str, Any]]]:
    """Run records and measurements (a kind of MEASUREMENTS, as written: see
    ``read_measurements``) of one file, read once."""
    path = Path(path)
    name = escaped(str(path))  # a file name may hold a newline or a terminal escape
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ResultsError(f"{name}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{name}: cannot read ({escaped(str(exc))})") from None
    try:
        document = json.loads(text, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{name}: not JSON ({exc.msg} at line {exc.lineno})") from None
    except _DuplicateKey as exc:
        raise ResultsError(f"{name}: {exc}; keep one of them") from None
    except (ValueError, RecursionError) as exc:  # a number of thousands of digits, deep nesting
        raise ResultsError(f"{name}: not JSON tunerbench can read ({exc})") from None
    raw_records = _records_in(document)
    if raw_records is None:
        raise ResultsError(
            f"{name}: not a tunerbench results file or pytest-benchmark JSON "
            "(expected an object with 'results' or 'benchmarks')"
        )
    if document.get("format") == FORMAT:
        _check_version(name, document)
    perf = _perf_in(name, document)
    if not raw_records and not perf:
        raise ResultsError(f"{name}: holds no tunerbench results")
    records = []
    for index, raw in enumerate(raw_records):
        try:
            records.append(RunResult.from_dict(raw))
        except (TypeError, ValueError, AttributeError, RecursionError) as exc:
            raise ResultsError(
                f"{name}: result {index} is not of tunerbench's shape ({exc})"
            ) from None
        if not records[-1].search.trials:
            tuner = records[-1].identity.tuner
            raise ResultsError(f"{name}: result {index} ({tuner}) has no trials")
    return records, perf


def once_each(perf: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Measurements in the order read, each once (one session's, read from two files): equal
    as Python compares them (``1 == 1.0``, keys in any order), found by a hash of each record's
    frozen form, in one pass over thousands of them."""
    seen: set[Any] = set()
    kept = []
    for record in perf:
        key = _frozen(record)
        if key not in seen:
            seen.add(key)
            kept.append(record)
    return kept


def _frozen(value: Any) -> Any:
    """A JSON value as a hashable one that is equal exactly where the values are equal."""
    if isinstance(value, dict):
        return frozenset((k, _frozen(v)) for k, v in value.items())
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value
