"""One ``pytest bench/`` session: checked options, the data, the run directory, saved results.

Kept apart from pytest so the same session can be driven by any front end; ``bench/conftest.py``
only turns command-line options into a ``BenchOptions`` and calls ``BenchSession``.

A session lives in ``<output>/runs/<name>/``: ``session.json`` (its options), ``journal.jsonl``
(every trial, phase and result as it finished) and one Keras Tuner directory per tuner and seed.
``<output>/tunerbench-<name>.json`` is the summary, rewritten atomically after each pipeline.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tunerbench.data import DATASETS, Dataset, load_dataset
from tunerbench.profiles import get_profile
from tunerbench.records.atomic_file import atomic_write_text
from tunerbench.records.journal import Journal, RunJournal
from tunerbench.records.results_file import session_document, write_json_atomic
from tunerbench.records.schema import RunResult
from tunerbench.search.recording import ProgressFn
from tunerbench.search.registry import TUNERS, parse_tuners
from tunerbench.training.loops import DEFAULT_LOOP, get_loop


@dataclass(frozen=True)
class Option:
    flag: str
    dest: str
    help: str
    is_flag: bool = False


# bench/conftest.py registers exactly these; values go to BenchOptions.parse by ``dest``.
OPTIONS: list[Option] = [
    Option(
        "--tb-tuners", "tuners", f"comma list of tuners to run (default all: {','.join(TUNERS)})"
    ),
    Option("--tb-dataset", "dataset", f"dataset: {' or '.join(DATASETS)} (default fashion_mnist)"),
    Option("--tb-profile", "profile", "reference (default, the reference run) or quick (minutes)"),
    Option("--tb-seeds", "seeds", "number of seeds per tuner, run as seeds 1..N (default 1)"),
    Option("--tb-data-dir", "data_dir", "folder with the four Fashion-MNIST IDX files"),
    Option("--tb-output", "output", "folder for results, run folders and report (default reports)"),
    Option("--tb-loop", "loop", "training loop: fast (default) or keras-default"),
    Option(
        "--tb-workers", "workers", "worker processes per search (Keras Tuner's distributed mode)"
    ),
    Option("--tb-speed", "speed", "also run the speed benchmarks (bench/test_speed.py)", True),
    Option(
        "--tb-resume",
        "resume",
        "continue the newest interrupted session with the same options",
        is_flag=True,
    ),
]


class OptionsError(ValueError):
    """A bad command-line value; the message names the option and what is allowed."""


@dataclass(frozen=True)
class BenchOptions:
    tuners: tuple[str, ...]
    dataset: str
    profile: str
    seeds: int
    data_dir: str | None
    output: Path
    loop: str
    workers: int = 1
    resume: bool = False
    speed: bool = False

    @classmethod
    def parse(
        cls,
        tuners: str = ",".join(TUNERS),
        dataset: str = "fashion_mnist",
        profile: str = "reference",
        seeds: str | int = 1,
        data_dir: str | None = None,
        output: str = "reports",
        loop: str = DEFAULT_LOOP,
        workers: str | int = 1,
        resume: bool = False,
        speed: bool = False,
    ) -> BenchOptions:
        """Check every value up front so a typo fails in a second, not after an hour of runs."""
        try:
            names = tuple(parse_tuners(tuners))
            get_profile(profile)
            get_loop(loop)
        except ValueError as exc:
            raise OptionsError(str(exc)) from None
        if dataset not in DATASETS:
            raise OptionsError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
        n_seeds = _positive("--tb-seeds", seeds)
        n_workers = _positive("--tb-workers", workers)
        return cls(
            names,
            dataset,
            profile,
            n_seeds,
            data_dir,
            Path(output),
            loop,
            n_workers,
            bool(resume),
            bool(speed),
        )

    @property
    def seed_values(self) -> list[int]:
        """Seeds 1..N: Keras Tuner treats seed 0 as 'pick one at random'."""
        return list(range(1, self.seeds + 1))

    def identity(self) -> dict[str, Any]:
        """What must match for ``--tb-resume`` to continue a session."""
        keys = ("tuners", "dataset", "profile", "seeds", "loop", "workers", "speed")
        raw = asdict(self)
        return {k: list(raw[k]) if isinstance(raw[k], tuple) else raw[k] for k in keys}


def _positive(flag: str, value: str | int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise OptionsError(f"{flag} must be a positive whole number, got {str(value)!r}")
    return number


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
            get_profile(self.options.profile),
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
