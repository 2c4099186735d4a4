"""The classic pipeline under timing: search, best-epoch refit, final fit and test evaluation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tunerbench.data.dataset import Dataset
from tunerbench.data.datasets import DATASETS
from tunerbench.profiles import Profile
from tunerbench.records.clocks import Stopwatch
from tunerbench.records.journal import RunJournal, RunState
from tunerbench.records.schema import PHASES, PhaseTiming, RunResult
from tunerbench.run.phases import PHASES_BY_FRAMEWORK, Phases
from tunerbench.run.provenance import framework_versions, machine_info
from tunerbench.search.setup import TunerSetup
from tunerbench.search.trial_log import ProgressFn, TrialLog
from tunerbench.space import search_values
from tunerbench.training import backend
from tunerbench.training.memory import frozen_heap


class PipelineError(RuntimeError):
    """The pipeline cannot go on (for example every trial failed); the message says why."""


RESUMED_NOTE = (
    "resumed {n} time(s): search time counts up to the last trial recorded before each "
    "interruption plus the time after it; work lost at an interruption is not counted"
)


@dataclass
class _Phases:
    """The phases of one pipeline, with what the journal already holds of them (a resume)."""

    setup: TunerSetup
    tuner: Any
    log: TrialLog
    journal: RunJournal | None
    timings: dict[str, PhaseTiming]

    def timed(self, name: str, work: Callable[[], Any]) -> Any:
        """Run one phase after the search, from a fresh Keras session and the run's seed."""
        backend.clear_session()
        backend.set_seed(self.setup.seed)
        watch = Stopwatch()
        value = work()
        self.timings[name] = watch.elapsed()
        return value

    def search(self, dataset: Dataset, workers: int) -> None:
        if "search" in self.timings:
            return
        self.log.recover(self.tuner.oracle)
        if workers > 1:
            _search_in_workers(self.tuner, self.setup, dataset, self.log, self.journal, workers)
        else:
            self.setup.search(self.tuner)
        self.timings["search"] = PhaseTiming(
            round(self.log.elapsed(), 4), round(self.log.search_cpu(), 4)
        )
        _journal_phase(self.journal, "search", self.timings["search"])

    def refit(self, phases: Phases, best_hp: Any, earlier: list[float]) -> list[float]:
        if "refit" in self.timings:
            return earlier
        curve = self.timed(
            "refit", lambda: phases.refit_curve(self.tuner, best_hp, self.setup.split)
        )
        _journal_phase(self.journal, "refit", self.timings["refit"], curve)
        return curve

    def final(self, phases: Phases, best_hp: Any, epochs: int) -> tuple[float, float]:
        scores = self.timed(
            "final", lambda: phases.final(self.tuner, best_hp, self.setup.split, epochs)
        )
        backend.clear_session()
        return scores


@frozen_heap()
def run_pipeline(
    tuner_name: str,
    dataset: Dataset,
    profile: Profile,
    seed: int,
    workdir: Path,
    loop_name: str = "fast",
    on_trial: ProgressFn | None = None,
    journal: RunJournal | None = None,
    resume: bool = False,
    workers: int = 1,
) -> RunResult:
    """Run the three phases for one tuner and seed.

    Without ``resume`` the tuner directory must be new. With it, Keras Tuner reloads its oracle
    from ``workdir`` and continues the search without repeating finished trials, and phases the
    journal already holds are taken from it; the result says how often it was resumed. With
    ``workers`` > 1 the search runs in that many processes through Keras Tuner's distributed
    mode, this process serving the oracle; that needs a journal to collect their trials.
    """
    workdir = Path(workdir)
    earlier = journal.state() if (journal is not None and resume) else RunState()
    if earlier.result is not None:
        return earlier.result
    used = workdir.exists() and any(workdir.iterdir())
    if used and not resume:
        raise PipelineError(f"tuner directory {workdir} is not empty; use a new run directory")
    resuming = used or bool(earlier.trials)
    if journal is not None:
        journal.started(resumed=resuming)
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    setup = TunerSetup.create(tuner_name, dataset, profile, seed, workdir, loop_name)
    log = TrialLog(tuner_name, setup.entry.planned_trials(setup.ctx.budget), on_trial, journal)
    run = _Phases(setup, setup.build_tuner(log), log, journal, dict(earlier.phases))
    log.start(earlier)
    run.search(dataset, workers)
    best_hp, best_score = _best(run.tuner, log)
    phases = PHASES_BY_FRAMEWORK[setup.entry.framework](profile, seed)
    curve = run.refit(phases, best_hp, earlier.refit_curve)
    best_epoch = int(np.argmax(curve)) + 1
    test_accuracy, test_loss = run.final(phases, best_hp, best_epoch)

    resumed = earlier.interruptions + int(resuming)
    measured_fit = setup.entry.measures_fit_time and workers == 1 and not resumed
    return RunResult(
        tuner=tuner_name,
        dataset=dataset.name,
        profile=profile.name,
        seed=seed,
        loop=setup.loop.name,
        budget=setup.ctx.budget,
        best_hyperparameters=search_values(best_hp),
        best_val_accuracy=round(best_score, 6),
        best_epoch=best_epoch,
        test_accuracy=round(test_accuracy, 6),
        test_loss=round(test_loss, 6),
        n_trials=len(log.records),
        phases={name: run.timings[name] for name in PHASES},
        refit_val_accuracy=[round(v, 6) for v in curve],
        trials=log.records,
        versions=framework_versions(),
        machine=machine_info(),
        data=setup.split.describe(profile.validation_fraction),
        started_at=started_at,
        search_epochs=sum(r.epochs or 0 for r in log.records),
        resumed=resumed,
        notes=[RESUMED_NOTE.format(n=resumed)] if resumed else [],
        workers=workers,
        # Seconds inside Keras' fit/evaluate, where this process ran them all (not with workers,
        # not for scikit-learn, not across a resume): the rest of the wall time is overhead.
        fit_s=round(setup.loop.fit_clock.total_s, 4) if measured_fit else None,
    )


def _best(tuner: object, log: TrialLog) -> tuple[object, float]:
    """The best hyperparameters and score, or a PipelineError naming the last trial's error."""
    best = tuner.get_best_hyperparameters(1)  # type: ignore[attr-defined]
    score = log.best()
    if not best or score is None:
        last = next((r.message for r in reversed(log.records) if r.message), "no trial finished")
        raise PipelineError(
            f"{log.tuner}: no successful trial in {len(log.records)}; last error: {last}"
        )
    return best[0], float(score)


def _search_in_workers(
    tuner: object,
    setup: TunerSetup,
    dataset: Dataset,
    log: TrialLog,
    journal: RunJournal | None,
    workers: int,
) -> None:
    from tunerbench.search.distributed import WorkerSpec, run_workers, split_threads

    if journal is None:
        raise PipelineError("a search with several workers needs a run journal to collect trials")
    spec = WorkerSpec(
        tuner=setup.entry.name,
        dataset=dataset.name,
        data_dir=dataset.source if DATASETS[dataset.name].uses_data_dir else None,
        profile=asdict(setup.profile),
        seed=setup.seed,
        loop=setup.loop.name,
        directory=str(setup.ctx.directory),
        journal=str(journal.journal.path),
        run_label=journal.label,
        search_start=log.start_time,
        threads=split_threads(workers),
    )
    run_workers(tuner.oracle, spec, workers, log, journal)  # type: ignore[attr-defined]


def _journal_phase(
    journal: RunJournal | None, name: str, timing: PhaseTiming, curve: list[float] | None = None
) -> None:
    if journal is not None:
        journal.phase(name, timing, curve)
