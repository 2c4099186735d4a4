"""One replayed pipeline: the classic flow (search -> refit -> final) with a table in place of
training, giving the same result record as a real run (plus ``mode: replay`` and the table).

The search is Keras Tuner's real tuner, seeded as a real run of this seed is (the run's search
seed), so RandomSearch and GridSearch propose a real run's points in a real run's order. The
refit reads the chosen point's curve from another training run of the table (a new model, as
the real refit is) and the final fit for N epochs is the first N epochs of a third run (a model
trained from scratch for N epochs has those epochs): its test accuracy after epoch N.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tunerbench.pipeline.classic import PipelineError
from tunerbench.pipeline.provenance import framework_versions
from tunerbench.pipeline.seeds import phase_seeds
from tunerbench.profiles import Profile
from tunerbench.records.run_result import (
    Cost,
    Provenance,
    RunIdentity,
    RunResult,
    SearchOutcome,
    TestOutcome,
)
from tunerbench.records.schema import PhaseTiming
from tunerbench.replay.replayed_tuner import SpaceHyperModel, TableAnswers, replayed
from tunerbench.replay.table import Table
from tunerbench.search.budget import compute_budget
from tunerbench.search.registry import TUNERS
from tunerbench.search.trial_log import TrialLog
from tunerbench.search.tuner_factories import TunerContext
from tunerbench.space import search_values

REPLAY_NOTE = (
    "replayed against table {fingerprint} ({seeds} training seeds per point): every fit read "
    "from recorded training; times are the table's recorded seconds plus this run's own oracle "
    "and bookkeeping time, CPU seconds counted as wall seconds"
)


@dataclass(frozen=True)
class ReplayStudy:
    """What every replayed pipeline of one table shares."""

    table: Table
    profile: Profile
    session: str
    scratch: Path

    @classmethod
    def of(cls, table: Table, session: str, scratch: Path) -> ReplayStudy:
        return cls(table, Profile(**table.meta["profile"]), session, scratch)

    @property
    def objective(self) -> tuple[str, str]:
        return str(self.table.meta["objective"]), str(self.table.meta["direction"])


def replay_pipeline(study: ReplayStudy, tuner: str, seed: int) -> RunResult:
    """One tuner and seed replayed; Keras Tuner's files go to a scratch folder, removed after."""
    table, profile = study.table, study.profile
    seeds = phase_seeds(seed)
    objective, direction = study.objective
    answers = TableAnswers(table, seed, objective, profile.patience, profile.max_epochs)
    budget = compute_budget(profile)
    entry = TUNERS.get_entry(tuner)
    data = table.meta["data"]
    ctx = TunerContext(
        hypermodel=SpaceHyperModel(table.space),
        budget=budget,
        directory=Path(tempfile.mkdtemp(prefix=f"{tuner}-{seed}-", dir=study.scratch)),
        seed=seeds["search"],
        batch_size=profile.batch_size,
        n_fit=int(data["n_fit"]),
        n_val=int(data["n_val"]),
        objective=(objective, direction),
        wrap=replayed(answers),
    )
    log = TrialLog(tuner, entry.planned_trials(budget), maximize=direction == "max")
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        search_tuner = entry.create(ctx, log)
        log.start()
        answers.clock.real()  # building the tuner is not the search's
        answers.clock.seconds = 0.0
        search_tuner.search(verbose=0)
        answers.clock.real()
        best = search_tuner.get_best_hyperparameters(1)
    finally:
        shutil.rmtree(ctx.directory, ignore_errors=True)
    score = log.best()
    if not best or score is None:
        raise PipelineError(f"{tuner}: no successful trial in {len(log.records)} (replayed)")
    values = search_values(best[0])
    point, (_, refit_run, final_run) = answers.runs(values)
    curve = table.curves[objective][point, refit_run, : profile.refit_epochs]
    best_epoch = int(np.argmax(curve) if direction == "max" else np.argmin(curve)) + 1
    tests = table.curves["test_accuracy"][point]
    phases = {
        "search": _timing(answers.clock.seconds),
        "refit": _timing(_trained_s(table, point, refit_run, profile.refit_epochs)),
        "final": _timing(_trained_s(table, point, final_run, best_epoch)),
    }
    fingerprint = table.fingerprint
    return RunResult(
        identity=RunIdentity(
            tuner=tuner,
            dataset=str(table.meta["dataset"]),
            profile=profile.name,
            seed=seed,
            loop=str(table.meta["loop"]),
            started_at=started_at,
            session=study.session,
            problem=str(table.meta["problem"]),
            problem_fingerprint=str(table.meta["problem_fingerprint"]),
            mode="replay",
            table_fingerprint=fingerprint,
            table_seeds=len(table.seeds),
            table_point=point,
            table_run=final_run,
            table_test_accuracy=[round(float(v), 6) for v in tests[:, best_epoch - 1]],
        ),
        search=SearchOutcome(
            budget=budget,
            best_hyperparameters=values,
            best_val_accuracy=round(float(score), 6),
            best_epoch=best_epoch,
            n_trials=len(log.records),
            refit_val_accuracy=[round(float(v), 6) for v in curve],
            trials=log.records,
            search_epochs=sum(r.epochs or 0 for r in log.records),
            space_points=len(table.points),
            objective=objective,
            objective_direction=direction,  # type: ignore[arg-type]
        ),
        test=TestOutcome(round(float(tests[final_run, best_epoch - 1]), 6), None),
        cost=Cost(phases=phases),
        provenance=Provenance(
            versions=_versions(table),
            machine=dict(table.meta["machine"]),
            data=dict(data),
            notes=[REPLAY_NOTE.format(fingerprint=fingerprint, seeds=len(table.seeds))],
            phase_seeds=seeds,
            loop_settings={"replayed": True},
        ),
    )


def _trained_s(table: Table, point: int, run: int, epochs: int) -> float:
    """Recorded seconds to build a model and train it ``epochs`` epochs."""
    return float(table.build_s[point, run] + table.curves["epoch_s"][point, run, :epochs].sum())


def _timing(seconds: float) -> PhaseTiming:
    return PhaseTiming(round(seconds, 4), round(seconds, 4))


def _versions(table: Table) -> dict[str, Any]:
    """The versions that trained the table, with the Keras Tuner whose oracles ran here."""
    return {**table.meta["versions"], "keras_tuner": framework_versions()["keras_tuner"]}
