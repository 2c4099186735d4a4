"""Every tuner, for real, on tiny digits through search, best-epoch refit and final fit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import spec_of
from replay_tables import built_table, real_space

from tunerbench.data.dataset import Dataset
from tunerbench.pipeline.classic import PipelineError, run_pipeline
from tunerbench.profiles import Profile
from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import PHASES, TrialRecord
from tunerbench.replay.pipeline import ReplayStudy, replay_pipeline
from tunerbench.search.budget import compute_budget
from tunerbench.search.durable_state import make_keras_tuner_state_durable
from tunerbench.search.registry import TUNERS
from tunerbench.search.trial_log import TrialLog
from tunerbench.space import LEARNING_RATES

# The fields the README promises in every benchmark's extra_info.
REQUIRED = {
    "tuner", "dataset", "profile", "seed", "budget", "best_hyperparameters", "best_val_accuracy",
    "best_epoch", "test_accuracy", "test_loss", "n_trials", "phases", "refit_val_accuracy",
    "trials", "versions",
}  # fmt: skip
TRIAL_FIELDS = {"trial_id", "hyperparameters", "val_accuracy", "epochs", "wall_s", "finished_at_s"}
Runs = dict[str, tuple[RunResult, list[str]]]  # each tuner's result and the trials it announced


@pytest.fixture(scope="module")
def runs(digits: Dataset, tiny: Profile, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """Each tuner run once; the progress lines it printed are kept beside its result."""
    out = {}
    for name in TUNERS.names:
        seen: list[str] = []

        def note(log: TrialLog, record: TrialRecord, seen: list[str] = seen) -> None:
            seen.append(record.trial_id)

        workdir = tmp_path_factory.mktemp(name) / "tuner"
        out[name] = (run_pipeline(spec_of(name, workdir), digits, on_trial=note), seen)
    return out


@pytest.mark.parametrize("name", TUNERS.names)
def test_all_three_phases_ran(runs: Runs, name: str, tiny: Profile) -> None:
    result, seen = runs[name]
    budget = compute_budget(tiny)
    who = result.identity
    assert (who.tuner, who.dataset, who.profile) == (name, "digits", "tiny")
    assert set(result.cost.phases) == set(PHASES)
    for timing in result.cost.phases.values():
        assert timing.wall_s > 0 and timing.cpu_s > 0
    assert len(result.search.refit_val_accuracy) == tiny.refit_epochs
    search = result.search
    assert search.best_epoch == 1 + search.refit_val_accuracy.index(max(search.refit_val_accuracy))
    assert search.n_trials == len(search.trials) == TUNERS[name].planned_trials(budget)
    assert seen == [t.trial_id for t in result.search.trials]
    assert result.search.best_hyperparameters["learning_rate"] in LEARNING_RATES
    assert 16 <= result.search.best_hyperparameters["units"] <= 240
    assert result.search.best_val_accuracy == max(t.val_accuracy for t in result.search.trials)
    assert 0.0 < result.test.accuracy <= 1.0 and result.test.loss > 0
    assert result.provenance.data["n_fit"] == 320 and result.provenance.data["n_val"] == 80
    assert result.provenance.data["n_test"] == 200


@pytest.mark.parametrize("name", TUNERS.names)
def test_trials_are_timed_in_order(runs: Runs, name: str, tiny: Profile) -> None:
    result, _ = runs[name]
    finished = [t.finished_at_s for t in result.search.trials]
    assert finished == sorted(finished)
    assert finished[-1] <= result.cost.phases["search"].wall_s
    for trial in result.search.trials:
        assert trial.status == "COMPLETED"
        assert 1 <= trial.epochs <= tiny.max_epochs
        assert 0 < trial.wall_s <= trial.finished_at_s
    assert result.search.search_epochs == sum(t.epochs for t in result.search.trials)


def test_hyperband_follows_the_budget_schedule(runs: Runs, tiny: Profile) -> None:
    result, _ = runs["hyperband"]
    budget = compute_budget(tiny)
    assert result.search.search_epochs == budget.total_epochs  # no early stop within two epochs
    assert {t.schedule.get("epochs") for t in result.search.trials} == {1, 2}


def test_result_is_json_with_every_promised_field(runs: Runs) -> None:
    for result, _ in runs.values():
        raw = json.loads(json.dumps(result.to_dict(), allow_nan=False))
        assert set(raw) >= REQUIRED
        assert set(raw["phases"]) == set(PHASES)
        assert {"python", "tensorflow", "keras", "keras_tuner"} <= set(raw["versions"])
        assert all(set(t) >= TRIAL_FIELDS for t in raw["trials"])
        # What its search followed: digits' val_accuracy, as SklearnTuner's accuracy is too.
        assert (raw["objective"], raw["objective_direction"]) == ("val_accuracy", "max")
        assert RunResult.from_dict(raw) == result


def test_same_seed_repeats_the_search(digits: Dataset, tiny: Profile, tmp_path: Path) -> None:
    first = run_pipeline(spec_of("sklearn", tmp_path / "a", seed=3), digits)
    second = run_pipeline(spec_of("sklearn", tmp_path / "b", seed=3), digits)
    assert [t.hyperparameters for t in first.search.trials] == [
        t.hyperparameters for t in second.search.trials
    ]
    assert first.test.accuracy == second.test.accuracy


def test_a_used_tuner_directory_is_never_reused(
    digits: Dataset, tiny: Profile, tmp_path: Path
) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "oracle.json").write_text("{}")
    with pytest.raises(PipelineError, match="is not empty"):
        run_pipeline(spec_of("sklearn", tmp_path / "old"), digits)


def test_keras_tuner_state_is_replaced_whole_never_written_in_place(tmp_path: Path) -> None:
    """A kill in the middle of Keras Tuner's write must leave the old trial.json or the new
    one: its JSON goes to a temporary file renamed over the old (a new inode each time)."""
    from keras_tuner.src import utils

    make_keras_tuner_state_durable()
    path = tmp_path / "trial_0" / "trial.json"
    path.parent.mkdir()
    utils.save_json(str(path), {"status": "RUNNING"})
    first = path.stat().st_ino
    utils.save_json(str(path), {"status": "COMPLETED"})
    assert path.stat().st_ino != first and json.loads(path.read_text()) == {"status": "COMPLETED"}
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


@pytest.mark.parametrize("name", ["random", "grid"])
def test_a_replay_proposes_the_real_runs_points_in_its_order(
    runs: Runs, name: str, tiny: Profile, tmp_path: Path
) -> None:
    """Keras Tuner's own RandomSearch and GridSearch, replayed against a table of the same
    space with the same seed, propose what the real run above trained, in the same order
    (their proposals do not depend on the scores: the table's values are made up)."""
    table = built_table(real_space(), tiny, lambda p, s, e: 0.5 + 0.01 * ((7 * p + s) % 13))
    replayed = replay_pipeline(ReplayStudy.of(table, "tests", tmp_path), name, seed=1)
    real = runs[name][0]
    assert real.identity.seed == 1
    proposed = [t.hyperparameters for t in replayed.search.trials]
    assert proposed == [t.hyperparameters for t in real.search.trials]
    assert replayed.search.n_trials == real.search.n_trials
