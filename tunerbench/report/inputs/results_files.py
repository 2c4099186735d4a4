"""The results files a report reads, checked as they are read: anything but a regular file
refused before it is opened, every record checked against its type (``records.results_file``
names the file and the field), runs of a tuner the registry does not know refused, and the
measurements typed once. A file the report cannot use is one line naming it and what is wrong;
anything that fails after these checks is a bug of tunerbench, and surfaces as one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tunerbench.records.atomic_file import not_regular
from tunerbench.records.results_file import load_file, once_each, read_measurements
from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import Measurements
from tunerbench.records.validation import RecordError, cut, escaped
from tunerbench.search.registry import TUNERS


class ReportError(Exception):
    """The report cannot be written; the message names the file and the problem."""


def read_results(paths: list[str | Path]) -> tuple[list[RunResult], list[dict[str, Any]]]:
    """The run records and speed measurements of every file, each measurement once. Anything
    but a regular file is refused before it is opened: a FIFO would block the read for ever."""
    if not paths:
        raise ReportError("no results files given; pass one or more JSON files")
    for path in paths:
        kind = not_regular(path)
        if kind is not None:
            raise ReportError(f"{path}: {kind}, not a results file; pass a results JSON file")
    results: list[RunResult] = []
    perf: list[dict[str, Any]] = []
    for path in paths:
        file_results, file_perf = load_file(path)
        for index, run in enumerate(file_results):
            if run.identity.tuner not in TUNERS:
                raise ReportError(
                    f"{escaped(str(path))}: result {index}: tuner {cut(repr(run.identity.tuner))} "
                    f"is not one of {', '.join(TUNERS.names)}"
                )
            # Files written before runs carried their session: the file stands for the session.
            run.identity.session = run.identity.session or str(path)
        results.extend(file_results)
        perf.extend(file_perf)
    return results, once_each(perf)


def typed_measurements(perf: list[dict[str, Any]], sources: list[str]) -> Measurements:
    """Measurements as written (``read_results``) as typed records, before anything is computed
    from them: one that is not of its record's shape (handed in without being read from a file)
    is one line naming the files and the field."""
    try:
        return read_measurements(perf)
    except RecordError as exc:
        files = ", ".join(map(escaped, sources)) or "these results"
        raise ReportError(f"cannot render a report from {files} ({exc})") from exc
