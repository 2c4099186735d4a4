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

from tunerbench.pipeline.classic import PipelineError
from tunerbench.pipeline.provenance import framework_versions
from tunerbench.pipeline.seeds import phase_seeds
from tunerbench.problems.problem import best_epoch
from tunerbench.profiles import Profile
from tunerbench.records.run_result import (
    Cost,
    Provenance,
    RunIdentity,
    RunResult,
    SearchOutcome,
    TestOutcome,
)
from tunerbench.records.schema import Budget, PhaseTiming
from tunerbench.replay.replayed_tuner import (
    SpaceEstimator,
    SpaceHyperModel,
    TableAnswers,
    replayed,
)
from tunerbench.replay.table import TABLES_FOLDER, Table
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
    table_output: str = ""  # the --tb-output the table was saved under ("" if elsewhere)

    @classmethod
    def of(cls, table: Table, session: str, scratch: Path, path: str | Path = "") -> ReplayStudy:
        """The study of ``table``, read from ``path``: a table saved as ``<output>/tables/``
        by ``--tb-tabulate`` grows there, where its cells are kept."""
        where = Path(path).absolute().parent
        output = str(where.parent) if path and where.name == TABLES_FOLDER else ""
        return cls(table, Profile(**table.meta["profile"]), session, scratch, output)

    def part(self, tuner: str) -> Table:
        """The table (or section of it) a tuner's framework replays against."""
        return self.table.of_framework(TUNERS[tuner].framework.name)


@dataclass(frozen=True)
class _Searched:
    """What a replayed search leaves: its trials, budget, choice and score."""

    log: TrialLog
    budget: Budget
    values: dict[str, Any]
    score: float


def _objective(part: Table) -> tuple[str, str]:
    return str(part.meta["objective"]), str(part.meta["direction"])


def _search(
    study: ReplayStudy, tuner: str, seeds: dict[str, int], answers: TableAnswers
) -> _Searched:
    """The real Keras Tuner tuner, seeded as a real run's search is, its fits answered from the
    table; its files in a scratch folder, removed after. PipelineError if no trial succeeded."""
    profile, data = study.profile, study.table.meta["data"]
    objective, direction = _objective(answers.table)
    budget = compute_budget(profile)
    entry = TUNERS.get_entry(tuner)
    ctx = TunerContext(
        hypermodel=SpaceHyperModel(answers.table.space),
        budget=budget,
        directory=Path(
            tempfile.mkdtemp(prefix=f"{tuner}-{answers.replay_seed}-", dir=study.scratch)
        ),
        seed=seeds["search"],
        batch_size=profile.batch_size,
        n_fit=int(data["n_fit"]),
        n_val=int(data["n_val"]),
        objective=(objective, direction),
        estimator=SpaceEstimator(answers.table.space),
        wrap=replayed(answers),
    )
    log = TrialLog(tuner, entry.planned_trials(budget), maximize=direction == "max")
    try:
        search_tuner = entry.create(ctx, log)
        log.start()
        answers.clock.real()  # building the tuner is not the search's
        answers.clock.seconds = 0.0
        entry.framework.run_replayed_search(search_tuner)
        answers.clock.real()
        best = search_tuner.get_best_hyperparameters(1)
    finally:
        shutil.rmtree(ctx.directory, ignore_errors=True)
    score = log.best()
    if not best or score is None:
        raise PipelineError(f"{tuner}: no successful trial in {len(log.records)} (replayed)")
    return _Searched(log, budget, search_values(best[0]), float(score))


def replay_pipeline(study: ReplayStudy, tuner: str, seed: int) -> RunResult:
    """One tuner and seed replayed: search, then the refit and final fit read from the table
    (the part of it that its framework trained)."""
    table, profile = study.part(tuner), study.profile
    seeds = phase_seeds(seed)
    objective, direction = _objective(table)
    # A search's fits run the profile's epochs (an estimator's max_iter is the budget's
    # max_epochs_per_trial, which is the profile's max_epochs).
    answers = TableAnswers(table, seed, objective, profile.patience, profile.max_epochs)
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    searched = _search(study, tuner, seeds, answers)
    point, (_, refit_run, final_run) = answers.runs(searched.values)
    curve = table.curves[objective][point, refit_run, : profile.refit_epochs]
    chosen_epoch = best_epoch(curve, direction)
    tests = table.curves["test_accuracy"][point]
    phases = {
        "search": _timing(answers.clock.seconds),
        "refit": _timing(_trained_s(table, point, refit_run, profile.refit_epochs)),
        "final": _timing(_trained_s(table, point, final_run, chosen_epoch)),
    }
    return RunResult(
        identity=RunIdentity(
            tuner=tuner,
            dataset=str(table.meta["dataset"]),
            profile=profile.name,
            seed=seed,
            loop=str(study.table.meta["loop"]),  # the study's, as a real run records it
            started_at=started_at,
            session=study.session,
            problem=str(table.meta["problem"]),
            problem_fingerprint=str(table.meta["problem_fingerprint"]),
            mode="replay",
            table_fingerprint=study.table.fingerprint,
            table_seeds=len(table.seeds),
            table_output=study.table_output,
            table_point=point,
            table_run=final_run,
            table_test_accuracy=[round(float(v), 6) for v in tests[:, chosen_epoch - 1]],
        ),
        search=SearchOutcome(
            budget=searched.budget,
            best_hyperparameters=searched.values,
            best_val_accuracy=round(searched.score, 6),
            best_epoch=chosen_epoch,
            n_trials=len(searched.log.records),
            refit_val_accuracy=[round(float(v), 6) for v in curve],
            trials=searched.log.records,
            search_epochs=sum(r.epochs or 0 for r in searched.log.records),
            space_points=len(table.points),
            objective=objective,
            objective_direction=direction,  # type: ignore[arg-type]
        ),
        test=TestOutcome(round(float(tests[final_run, chosen_epoch - 1]), 6), None),
        cost=Cost(phases=phases),
        provenance=_provenance(study, table, seeds),
    )


def _provenance(study: ReplayStudy, table: Table, seeds: dict[str, int]) -> Provenance:
    """Where a replayed run's figures come from: the table's versions, machine and data (with
    the Keras Tuner whose oracle ran here), and the note that it was replayed."""
    return Provenance(
        versions=_versions(table),
        machine=dict(table.meta["machine"]),
        data=dict(table.meta["data"]),
        notes=[REPLAY_NOTE.format(fingerprint=study.table.fingerprint, seeds=len(table.seeds))],
        phase_seeds=seeds,
        loop_settings={"replayed": True},
    )


def _trained_s(table: Table, point: int, run: int, epochs: int) -> float:
    """Recorded seconds to build a model and train it ``epochs`` epochs."""
    return float(table.build_s[point, run] + table.curves["epoch_s"][point, run, :epochs].sum())


def _timing(seconds: float) -> PhaseTiming:
    return PhaseTiming(round(seconds, 4), round(seconds, 4))


def _versions(table: Table) -> dict[str, Any]:
    """The versions that trained the table, with the Keras Tuner whose oracles ran here."""
    return {**table.meta["versions"], "keras_tuner": framework_versions()["keras_tuner"]}
