"""The classic pipeline under timing: search, best-epoch refit, final fit and test evaluation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tunerbench.data.dataset import Dataset
from tunerbench.pipeline.phases import Phases, timed_phase
from tunerbench.pipeline.provenance import framework_versions, machine_info
from tunerbench.pipeline.seeds import phase_seeds
from tunerbench.pipeline.spec import PipelineSpec
from tunerbench.records.journal import PipelineEvents, RunState
from tunerbench.records.run_result import (
    Cost,
    Provenance,
    RunIdentity,
    RunResult,
    SearchOutcome,
    TestOutcome,
)
from tunerbench.records.schema import PHASES, PhaseTiming
from tunerbench.search.trial_log import ProgressFn, TrialLog
from tunerbench.search.tuner_setup import TunerSetup
from tunerbench.space import grid_points, search_values
from tunerbench.training import backend
from tunerbench.training.memory import frozen_heap


class PipelineError(RuntimeError):
    """The pipeline cannot go on (for example every trial failed); the message says why."""


# Where the workers of a distributed search (--tb-workers) journal their trials for the chief.
WORKER_TRIALS = "worker-trials.jsonl"

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
    events: PipelineEvents | None
    timings: dict[str, PhaseTiming]
    seeds: dict[str, int]

    def timed(self, name: str, work: Callable[[], Any]) -> Any:
        """Run one phase after the search, from a fresh Keras session and the phase's seed."""
        value, self.timings[name] = timed_phase(self.seeds[name], work)
        return value

    def search(self, spec: PipelineSpec) -> None:
        if "search" in self.timings:
            return
        self.log.recover(self.tuner.oracle)
        if spec.workers > 1:
            _search_in_workers(self.tuner, self.setup, spec, self.log)
        else:
            self.setup.search(self.tuner)
        self.timings["search"] = PhaseTiming(
            round(self.log.elapsed(), 4), round(self.log.search_cpu(), 4)
        )
        _journal_phase(self.events, "search", self.timings["search"])

    def refit(self, phases: Phases, best_hp: Any, earlier: list[float]) -> list[float]:
        if "refit" in self.timings:
            return earlier
        seed = self.seeds["refit"]
        curve = self.timed(
            "refit",
            lambda: phases.refit_curve(self.tuner.hypermodel, best_hp, self.setup.split, seed),
        )
        _journal_phase(self.events, "refit", self.timings["refit"], curve)
        return curve

    def final(self, phases: Phases, best_hp: Any, epochs: int) -> tuple[float, float]:
        seed = self.seeds["final"]
        scores = self.timed(
            "final",
            lambda: phases.final(self.tuner.hypermodel, best_hp, self.setup.split, epochs, seed),
        )
        backend.clear_session()
        return scores


@frozen_heap()
def run_pipeline(
    spec: PipelineSpec,
    dataset: Dataset,
    events: PipelineEvents | None = None,
    on_trial: ProgressFn | None = None,
) -> RunResult:
    """Run the three phases for one tuner and seed, in this process.

    Without ``spec.resume`` the tuner directory must be new. With it, Keras Tuner reloads its
    oracle from the directory and continues the search without repeating finished trials, and
    phases the earlier events hold are taken from them; the result says how often it was
    resumed. With ``spec.workers`` > 1 the search runs in that many processes through Keras
    Tuner's distributed mode, this process serving the oracle.
    """
    workdir = Path(spec.directory)
    earlier = RunState.from_events(spec.earlier_events) if spec.resume else RunState()
    if earlier.result is not None:
        return earlier.result
    used = workdir.exists() and any(workdir.iterdir())
    if used and not spec.resume:
        raise PipelineError(f"tuner directory {workdir} is not empty; use a new run directory")
    resuming = used or bool(earlier.trials)
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    problem, seeds = spec.tuned, phase_seeds(spec.seed)
    setup = TunerSetup.create(
        spec.tuner, problem, dataset, spec.profile, seeds["search"], workdir, spec.loop
    )
    planned = setup.entry.planned_trials(setup.ctx.budget)
    if events is not None:
        events.started(resumed=resuming, planned=planned)
    direction = setup.entry.framework.direction(problem)
    log = TrialLog(spec.tuner, planned, on_trial, events, maximize=direction == "max")
    run = _Phases(setup, setup.build_tuner(log), log, events, dict(earlier.phases), seeds)
    log.start(earlier)
    run.search(spec)
    best_hp, best_score = _best(run.tuner, log)
    phases = setup.entry.framework.create_phases(setup)
    curve = run.refit(phases, best_hp, earlier.refit_curve)
    best_epoch = problem.best_epoch(curve, direction)
    test_accuracy, test_loss = run.final(phases, best_hp, best_epoch)
    outcome = _Outcome(
        best_hp, best_score, best_epoch, curve, test_accuracy, test_loss, started_at,
        resumed=earlier.interruptions + int(resuming),
    )  # fmt: skip
    return _result(spec, run, dataset.name, outcome)


@dataclass(frozen=True)
class _Outcome:
    """What the phases found, before it becomes a result record."""

    best_hp: Any
    best_score: float
    best_epoch: int
    curve: list[float]
    test_accuracy: float
    test_loss: float
    started_at: str
    resumed: int


def _result(spec: PipelineSpec, run: _Phases, dataset: str, outcome: _Outcome) -> RunResult:
    setup, log, resumed = run.setup, run.log, outcome.resumed
    framework = setup.entry.framework
    # Seconds inside Keras' fit/evaluate, where this process ran them all (not with workers,
    # not for scikit-learn, not across a resume): the rest of the wall time is overhead.
    measured_fit = framework.measures_fit_time and spec.workers == 1 and not resumed
    return RunResult(
        identity=RunIdentity(
            tuner=spec.tuner,
            dataset=dataset,
            profile=spec.profile.name,
            seed=spec.seed,
            loop=setup.loop.name,
            started_at=outcome.started_at,
            workers=spec.workers,
            session=spec.session,
            problem=setup.problem.name,
            problem_fingerprint=setup.problem.fingerprint,
        ),
        search=SearchOutcome(
            budget=setup.ctx.budget,
            best_hyperparameters=search_values(outcome.best_hp),
            best_val_accuracy=round(outcome.best_score, 6),
            best_epoch=outcome.best_epoch,
            n_trials=len(log.records),
            refit_val_accuracy=[round(v, 6) for v in outcome.curve],
            trials=log.records,
            search_epochs=sum(r.epochs or 0 for r in log.records),
            space_points=grid_points(run.tuner.oracle.hyperparameters),
            objective=framework.objective(setup.problem),
            objective_direction=framework.direction(setup.problem),
        ),
        test=TestOutcome(round(outcome.test_accuracy, 6), round(outcome.test_loss, 6)),
        cost=Cost(
            phases={name: run.timings[name] for name in PHASES},
            fit_s=round(setup.loop.fit_clock.total_s, 4) if measured_fit else None,
        ),
        provenance=Provenance(
            versions=framework_versions(),
            machine=machine_info(),
            data=setup.split.describe(spec.profile.validation_fraction),
            threads=spec.threads,
            resumed=resumed,
            notes=[RESUMED_NOTE.format(n=resumed)] if resumed else [],
            phase_seeds=run.seeds,
            loop_settings=framework.settings_of(setup),
        ),
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


def _search_in_workers(tuner: Any, setup: TunerSetup, spec: PipelineSpec, log: TrialLog) -> None:
    """The search in ``spec.workers`` processes; they journal their trials into a file in the
    tuner directory, from which this process (the chief) takes them into its own log."""
    from tunerbench.search.distributed import WorkerSpec, run_workers, split_threads

    spec_for_workers = WorkerSpec(
        tuner=spec.tuner,
        data_dir=spec.data_dir,
        profile=asdict(spec.profile),
        seed=setup.seed,  # the search phase's seed, as the chief's tuner has
        loop=spec.loop,
        directory=spec.directory,
        journal=str(Path(spec.directory) / WORKER_TRIALS),
        run_label=spec.label,
        search_start=log.start_time,
        threads=split_threads(spec.workers, spec.threads),
        problem=spec.problem,
    )
    run_workers(tuner.oracle, spec_for_workers, spec.workers, log)


def _journal_phase(
    events: PipelineEvents | None, name: str, timing: PhaseTiming, curve: list[float] | None = None
) -> None:
    if events is not None:
        events.phase(name, timing, curve)
