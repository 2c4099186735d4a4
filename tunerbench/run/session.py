"""One ``pytest bench/`` session: checked options, the data, the run directory, saved results.

Kept apart from pytest so the same session can be driven by any front end; ``bench/conftest.py``
only turns command-line options into a ``BenchOptions`` (``run.options``) and calls
``BenchSession``.

A session lives in ``<output>/runs/<name>/``: ``session.json`` (its options), ``journal.jsonl``
(every trial, phase and result as it finished) and one Keras Tuner directory per tuner and seed.
``<output>/tunerbench-<name>.json`` is the summary, rewritten atomically after each pipeline.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from tunerbench.data.dataset import Dataset
from tunerbench.data.datasets import load_dataset
from tunerbench.profiles import PROFILES
from tunerbench.records.atomic_file import atomic_write_text
from tunerbench.records.journal import Journal, RunJournal
from tunerbench.records.results_file import session_document, write_json_atomic
from tunerbench.records.schema import RunResult
from tunerbench.run.options import BenchOptions, OptionsError
from tunerbench.search.trial_log import ProgressFn


def _stamp() -> str:
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


class BenchSession:
    """Runs pipelines one by one; journals them and rewrites the summary file after each."""

    def __init__(self, options: BenchOptions) -> None:
        self.options = options
        if options.resume:
            self.run_dir = find_resumable(options)
            self.name = self.run_dir.name
        else:
            self.name = _stamp()
            self.run_dir = options.output / "runs" / self.name
        self.results_path = options.output / f"tunerbench-{self.name}.json"
        self.report_path = options.output / "index.html"
        self.journal = Journal(self.run_dir / "journal.jsonl")
        self.created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.results: list[RunResult] = []
        self.perf: list[dict[str, Any]] = []
        self._dataset: Dataset | None = None

    def prepare(self) -> None:
        """Fail before any training if results could not be saved; record the options."""
        try:
            if self.options.resume:
                self.results = [
                    RunResult.from_dict(event["result"])
                    for event in self.journal.events()
                    if event.get("event") == "result"
                ]
                return
            self.run_dir.mkdir(parents=True, exist_ok=False)
            atomic_write_text(
                self.run_dir / "session.json",
                json.dumps({"created": self.created, "options": self.options.identity()}),
            )
        except OSError as exc:
            raise OptionsError(
                f"cannot write results to {self.options.output} ({exc.strerror or exc}); "
                "choose another folder with --tb-output"
            ) from None

    def dataset(self) -> Dataset:
        if self._dataset is None:
            self._dataset = load_dataset(self.options.dataset, self.options.data_dir)
        return self._dataset

    def finished(
        self, tuner: str, seed: int, loop: str | None = None, workers: int | None = None
    ) -> RunResult | None:
        """The result of this pipeline if this session (or the one it resumes) completed it."""
        loop, workers = loop or self.options.loop, workers or self.options.workers
        return next(
            (
                r
                for r in self.results
                if (r.tuner, r.seed, r.loop, r.workers) == (tuner, seed, loop, workers)
            ),
            None,
        )

    def _label(self, tuner: str, seed: int, loop: str, workers: int) -> str:
        """Run label and tuner folder name; runs the options ask for keep the plain form."""
        label = f"{tuner}-seed{seed}"
        if loop != self.options.loop:
            label += f"-{loop}"
        if workers != self.options.workers:
            label += f"-{workers}workers"
        return label

    def run(
        self,
        tuner: str,
        seed: int,
        on_trial: ProgressFn | None = None,
        loop: str | None = None,
        workers: int | None = None,
    ) -> RunResult:
        """Run one pipeline (the options' loop and workers unless given) and save it."""
        from tunerbench.run.pipeline import run_pipeline

        loop, workers = loop or self.options.loop, workers or self.options.workers
        label = self._label(tuner, seed, loop, workers)
        journal = RunJournal(self.journal, tuner, seed, label)
        result = run_pipeline(
            tuner,
            self.dataset(),
            PROFILES[self.options.profile],
            seed,
            self.run_dir / label,
            loop_name=loop,
            on_trial=on_trial,
            journal=journal,
            resume=self.options.resume,
            workers=workers,
        )
        result.session = self.name
        journal.finished(result)
        self.results.append(result)
        self.save()
        return result

    def save(self) -> None:
        write_json_atomic(
            self.results_path, session_document(self.results, self.created, self.perf)
        )

    def add_perf(self, record: dict[str, Any]) -> None:
        self.perf.append(record)
        self.save()

    def write_report(self) -> Path | None:
        """Render the report from the saved results file (never from memory), if any."""
        if not self.results and not self.perf:
            return None
        from tunerbench.report.render import write_report

        return write_report([self.results_path], self.report_path)
