"""The classic pipeline under timing: search, best-epoch refit, final fit and test evaluation.

The hold-out is the last ``validation_fraction`` of the training set, exactly what Keras'
``validation_split`` takes, but cut once here so every tuner (scikit-learn's included) and every
phase sees the same rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tunerbench.data import Dataset, stratified_subset
from tunerbench.profiles import Profile
from tunerbench.records.clocks import FIT_CLOCK, Stopwatch
from tunerbench.records.journal import RunJournal, RunState
from tunerbench.records.schema import PhaseTiming, RunResult
from tunerbench.search.budget import compute_budget
from tunerbench.search.recording import ProgressFn, TrialLog
from tunerbench.search.tuner_factories import TunerContext, build_tuner, is_sklearn, planned_trials
from tunerbench.space import search_values
from tunerbench.training import backend
from tunerbench.training.hypermodel import ReferenceHyperModel
from tunerbench.training.loops import Loop, get_loop
from tunerbench.training.memory import frozen_heap
from tunerbench.training.model_cache import forget_models


class PipelineError(RuntimeError):
    """The pipeline cannot go on (for example every trial failed); the message says why."""


@dataclass(frozen=True)
class Split:
    x_fit: np.ndarray
    y_fit: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    def describe(self, fraction: float) -> dict[str, Any]:
        return {
            "source": self.source,
            "n_fit": len(self.y_fit),
            "n_val": len(self.y_val),
            "n_test": len(self.y_test),
            "validation": f"last {fraction:.0%} of the training set (as validation_split)",
        }


def make_split(dataset: Dataset, profile: Profile) -> Split:
    if profile.train_subset or profile.test_subset:
        dataset = stratified_subset(
            dataset,
            profile.train_subset or len(dataset.y_train),
            profile.test_subset or len(dataset.y_test),
        )
    n_val = round(len(dataset.y_train) * profile.validation_fraction)
    cut = len(dataset.y_train) - n_val
    return Split(
        dataset.x_train[:cut],
        dataset.y_train[:cut],
        dataset.x_train[cut:],
        dataset.y_train[cut:],
        dataset.x_test,
        dataset.y_test,
        dataset.source,
    )


class KerasPhases:
    """Search, refit and final fit of the Keras tuners, all through the hypermodel's ``fit``."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile

    def _fit_args(self, split: Split, epochs: int) -> dict[str, Any]:
        return {
            "x": split.x_fit,
            "y": split.y_fit,
            "validation_data": (split.x_val, split.y_val),
            "epochs": epochs,
            "batch_size": self.profile.batch_size,
            "verbose": 0,
        }

    def search(self, tuner: Any, split: Split) -> None:
        import keras

        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=self.profile.patience)
        # A NaN loss ends the trial at once; the tuner then records it as failed.
        nan = keras.callbacks.TerminateOnNaN()
        tuner.search(**self._fit_args(split, self.profile.max_epochs), callbacks=[stop, nan])

    def refit_curve(self, tuner: Any, hp: Any, split: Split) -> list[float]:
        model = tuner.hypermodel.build(hp)
        history = tuner.hypermodel.fit(
            hp, model, **self._fit_args(split, self.profile.refit_epochs)
        )
        return [float(v) for v in history.history["val_accuracy"]]

    def final(self, tuner: Any, hp: Any, split: Split, epochs: int) -> tuple[float, float]:
        model = tuner.hypermodel.build(hp)
        tuner.hypermodel.fit(hp, model, **self._fit_args(split, epochs))
        scores = tuner.hypermodel.evaluate(model, split.x_test, split.y_test)
        return float(scores["accuracy"]), float(scores["loss"])


@contextlib.contextmanager
def _budget_capped_fits() -> Iterator[None]:
    """Silence ConvergenceWarning: stopping at the epoch budget is the point, not a fault."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


class SklearnPhases:
    """The same phases for MLPClassifier; refit and final fit go epoch by epoch with partial_fit."""

    def __init__(self, profile: Profile, seed: int) -> None:
        self.profile = profile
        self.seed = seed

    @staticmethod
    def _flat(x: np.ndarray) -> np.ndarray:
        return x.reshape(len(x), -1)

    def _model(self, hp: Any) -> Any:
        from tunerbench.training.hypermodel import build_mlp

        return build_mlp(hp, max_iter=1, batch_size=self.profile.batch_size, seed=self.seed)

    def search(self, tuner: Any, split: Split) -> None:
        tuner.oracle.verbose = 0  # SklearnTuner.search takes no verbose argument
        with _budget_capped_fits():
            tuner.search(
                self._flat(np.concatenate([split.x_fit, split.x_val])),
                np.concatenate([split.y_fit, split.y_val]),
            )

    def _epochs(self, hp: Any, split: Split, epochs: int) -> tuple[Any, list[float]]:
        model, curve = self._model(hp), []
        classes = np.arange(10)
        for _ in range(epochs):
            model.partial_fit(self._flat(split.x_fit), split.y_fit, classes=classes)
            curve.append(float(model.score(self._flat(split.x_val), split.y_val)))
        return model, curve

    def refit_curve(self, tuner: Any, hp: Any, split: Split) -> list[float]:
        with _budget_capped_fits():
            return self._epochs(hp, split, self.profile.refit_epochs)[1]

    def final(self, tuner: Any, hp: Any, split: Split, epochs: int) -> tuple[float, float]:
        from sklearn.metrics import log_loss

        with _budget_capped_fits():
            model = self._epochs(hp, split, epochs)[0]
        x_test = self._flat(split.x_test)
        accuracy = float(model.score(x_test, split.y_test))
        loss = float(log_loss(split.y_test, model.predict_proba(x_test), labels=np.arange(10)))
        return accuracy, loss


@dataclass(frozen=True)
class TunerSetup:
    """Everything a process needs to build the same tuner: the chief and every worker alike."""

    tuner: str
    split: Split
    ctx: TunerContext
    profile: Profile
    seed: int

    @classmethod
    def create(
        cls, tuner: str, dataset: Dataset, profile: Profile, seed: int, workdir: Path, loop: Loop
    ) -> TunerSetup:
        backend.set_seed(seed)
        split = make_split(dataset, profile)
        ctx = TunerContext(
            hypermodel=ReferenceHyperModel(dataset.image_shape, dataset.num_classes, loop),
            budget=compute_budget(profile),
            directory=workdir,
            seed=seed,
            batch_size=profile.batch_size,
            n_fit=len(split.y_fit),
            n_val=len(split.y_val),
        )
        return cls(tuner, split, ctx, profile, seed)

    def phases(self) -> KerasPhases | SklearnPhases:
        if is_sklearn(self.tuner):
            return SklearnPhases(self.profile, self.seed)
        return KerasPhases(self.profile)


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            names = [
                line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")
            ]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "host": platform.node(),
    }


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
    loop: Loop = get_loop(loop_name)
    forget_models()
    workdir = Path(workdir)
    used = workdir.exists() and any(workdir.iterdir())
    if used and not resume:
        raise PipelineError(f"tuner directory {workdir} is not empty; use a new run directory")
    earlier = journal.state() if (journal is not None and resume) else RunState()
    if earlier.result is not None:
        return earlier.result
    resuming = used or bool(earlier.trials)
    if journal is not None:
        journal.started(resumed=resuming)
    resumed = earlier.interruptions + int(resuming)
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    fit_clock_start = FIT_CLOCK.total_s
    setup = TunerSetup.create(tuner_name, dataset, profile, seed, workdir, loop)
    split, budget = setup.split, setup.ctx.budget
    log = TrialLog(tuner_name, planned_trials(tuner_name, budget), on_trial, journal)
    tuner = build_tuner(tuner_name, setup.ctx, log)
    phases_impl = setup.phases()
    timings: dict[str, PhaseTiming] = dict(earlier.phases)

    log.start(earlier)
    if "search" not in timings:
        log.recover(tuner.oracle)
        if workers > 1:
            _search_in_workers(tuner, setup, dataset, loop, log, journal, workers)
        else:
            phases_impl.search(tuner, split)
        timings["search"] = PhaseTiming(round(log.elapsed(), 4), round(log.search_cpu(), 4))
        _journal_phase(journal, "search", timings["search"])
    best = tuner.get_best_hyperparameters(1)
    scores = [r.val_accuracy for r in log.records if r.val_accuracy is not None]
    if not best or not scores:
        last = next((r.message for r in reversed(log.records) if r.message), "no trial finished")
        raise PipelineError(
            f"{tuner_name}: no successful trial in {len(log.records)}; last error: {last}"
        )
    best_hp = best[0]

    if "refit" in timings:
        curve = earlier.refit_curve
    else:
        backend.clear_session()
        backend.set_seed(seed)
        watch = Stopwatch()
        curve = phases_impl.refit_curve(tuner, best_hp, split)
        timings["refit"] = watch.elapsed()
        _journal_phase(journal, "refit", timings["refit"], curve)
    best_epoch = int(np.argmax(curve)) + 1

    backend.clear_session()
    backend.set_seed(seed)
    watch = Stopwatch()
    test_accuracy, test_loss = phases_impl.final(tuner, best_hp, split, best_epoch)
    timings["final"] = watch.elapsed()
    backend.clear_session()

    notes = []
    if resumed:
        notes.append(
            f"resumed {resumed} time(s): search time counts up to the last trial recorded before "
            "each interruption plus the time after it; work lost at an interruption is not counted"
        )
    return RunResult(
        tuner=tuner_name,
        dataset=dataset.name,
        profile=profile.name,
        seed=seed,
        loop=loop.name,
        budget=budget,
        best_hyperparameters=search_values(best_hp),
        best_val_accuracy=round(float(max(scores)), 6),
        best_epoch=best_epoch,
        test_accuracy=round(test_accuracy, 6),
        test_loss=round(test_loss, 6),
        n_trials=len(log.records),
        phases={name: timings[name] for name in ("search", "refit", "final")},
        refit_val_accuracy=[round(v, 6) for v in curve],
        trials=log.records,
        versions=backend.framework_versions(),
        machine=machine_info(),
        data=split.describe(profile.validation_fraction),
        started_at=started_at,
        search_epochs=sum(r.epochs or 0 for r in log.records),
        resumed=resumed,
        notes=notes,
        workers=workers,
        # Seconds inside Keras' fit/evaluate, where this process ran them all (not with workers,
        # not for scikit-learn, not across a resume): the rest of the wall time is overhead.
        fit_s=None
        if (workers > 1 or resumed or is_sklearn(tuner_name))
        else round(FIT_CLOCK.total_s - fit_clock_start, 4),
    )


def _search_in_workers(
    tuner: Any,
    setup: TunerSetup,
    dataset: Dataset,
    loop: Loop,
    log: TrialLog,
    journal: RunJournal | None,
    workers: int,
) -> None:
    from tunerbench.search.distributed import WorkerSpec, run_workers, split_threads

    if journal is None:
        raise PipelineError("a search with several workers needs a run journal to collect trials")
    spec = WorkerSpec(
        tuner=setup.tuner,
        dataset=dataset.name,
        data_dir=dataset.source if dataset.name == "fashion_mnist" else None,
        profile=asdict(setup.profile),
        seed=setup.seed,
        loop=loop.name,
        directory=str(setup.ctx.directory),
        journal=str(journal.journal.path),
        run_label=journal.label,
        search_start=log.start_time,
        threads=split_threads(workers),
    )
    run_workers(tuner.oracle, spec, workers, log, journal)


def _journal_phase(
    journal: RunJournal | None, name: str, timing: PhaseTiming, curve: list[float] | None = None
) -> None:
    if journal is not None:
        journal.phase(name, timing, curve)
