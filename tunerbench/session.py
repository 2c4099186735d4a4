"""One ``pytest bench/`` session: checked options, the data, the run directory, saved results.

Kept apart from pytest so the same session can be driven by any front end; ``bench/conftest.py``
only turns command-line options into a ``BenchOptions`` and calls ``BenchSession``.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from tunerbench.data import DATASETS, DataError, Dataset, load_dataset
from tunerbench.loops import DEFAULT_LOOP, get_loop
from tunerbench.names import TUNERS, parse_tuners
from tunerbench.profiles import get_profile
from tunerbench.results import RunResult, session_document, write_json_atomic
from tunerbench.trials import ProgressFn

# (flag, BenchOptions field, help); bench/conftest.py registers exactly these.
OPTIONS: list[tuple[str, str, str]] = [
    ("--tb-tuners", "tuners", f"comma list of tuners to run (default all: {','.join(TUNERS)})"),
    ("--tb-dataset", "dataset", f"dataset: {' or '.join(DATASETS)} (default fashion_mnist)"),
    ("--tb-profile", "profile", "reference (default, the reference run) or quick (minutes)"),
    ("--tb-seeds", "seeds", "number of seeds per tuner, run as seeds 1..N (default 1)"),
    ("--tb-data-dir", "data_dir", "folder with the four Fashion-MNIST IDX files (.gz or plain)"),
    (
        "--tb-output",
        "output",
        "folder for results JSON, run directories and report (default reports)",
    ),
    ("--tb-loop", "loop", "training loop: fast (default) or keras-default"),
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
        try:
            n_seeds = int(seeds)
        except (TypeError, ValueError):
            n_seeds = 0
        if n_seeds < 1:
            raise OptionsError(f"--tb-seeds must be a positive whole number, got {seeds!r}")
        return cls(names, dataset, profile, n_seeds, data_dir, Path(output), loop)

    @property
    def seed_values(self) -> list[int]:
        """Seeds 1..N: Keras Tuner treats seed 0 as 'pick one at random'."""
        return list(range(1, self.seeds + 1))


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid()}"


class BenchSession:
    """Runs pipelines one by one and rewrites the session's results file after each."""

    def __init__(self, options: BenchOptions) -> None:
        self.options = options
        self.name = _stamp()
        self.created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.run_dir = options.output / "runs" / self.name
        self.results_path = options.output / f"tunerbench-{self.name}.json"
        self.report_path = options.output / "index.html"
        self.results: list[RunResult] = []
        self._dataset: Dataset | None = None

    def check_output(self) -> None:
        """Fail before any training if results could not be saved."""
        try:
            self.options.output.mkdir(parents=True, exist_ok=True)
            probe = self.options.output / f".write-test-{self.name}"
            probe.write_text("")
            probe.unlink()
        except OSError as exc:
            raise OptionsError(
                f"cannot write results to {self.options.output} ({exc.strerror}); "
                "choose another folder with --tb-output"
            ) from None

    def dataset(self) -> Dataset:
        if self._dataset is None:
            self._dataset = load_dataset(self.options.dataset, self.options.data_dir)
        return self._dataset

    def run(self, tuner: str, seed: int, on_trial: ProgressFn | None = None) -> RunResult:
        from tunerbench.pipeline import run_pipeline

        result = run_pipeline(
            tuner,
            self.dataset(),
            get_profile(self.options.profile),
            seed,
            self.run_dir / f"{tuner}-seed{seed}",
            loop_name=self.options.loop,
            on_trial=on_trial,
        )
        self.results.append(result)
        write_json_atomic(self.results_path, session_document(self.results, self.created))
        return result

    def write_report(self) -> Path | None:
        """Render the report from the saved results file (never from memory), if any."""
        if not self.results:
            return None
        from tunerbench.report import write_report

        return write_report([self.results_path], self.report_path)


__all__ = ["BenchOptions", "BenchSession", "DataError", "OptionsError"]
