"""Trials that raise or diverge are recorded as failed, and the search goes on."""

from __future__ import annotations

from pathlib import Path

import keras
import keras_tuner as kt

from tunerbench.data import Dataset
from tunerbench.profiles import Profile
from tunerbench.records.results_file import load_results
from tunerbench.report.render import render_html
from tunerbench.run.pipeline import KerasPhases, make_split
from tunerbench.search.budget import compute_budget
from tunerbench.search.recording import TrialLog
from tunerbench.search.tuner_factories import TunerContext, build_tuner
from tunerbench.training.hypermodel import ReferenceHyperModel
from tunerbench.training.loops import get_loop

DATA = Path(__file__).parent / "data"


class DivergesAtHighRate(ReferenceHyperModel):
    """The reference model, except that at learning rate 1e-2 its logits are multiplied by NaN
    (a stand-in for a model that diverges), and at 1e-4 with few units building fails."""

    def build(self, hp: kt.HyperParameters) -> keras.Model:
        model = super().build(hp)
        if hp["learning_rate"] == 1e-4 and hp["units"] < 100:
            raise ValueError("this architecture cannot be built")
        if hp["learning_rate"] != 1e-2:
            return model
        poisoned = keras.Sequential([model, keras.layers.Rescaling(float("nan"))])
        poisoned.compile(
            optimizer=keras.optimizers.Adam(1e-2),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        return poisoned


def test_nan_and_raising_trials_are_recorded_and_the_search_continues(
    digits: Dataset, tiny: Profile, tmp_path: Path
) -> None:
    budget = compute_budget(tiny)
    split = make_split(digits, tiny)
    ctx = TunerContext(
        hypermodel=DivergesAtHighRate(digits.image_shape, 10, get_loop("fast")),
        budget=budget,
        directory=tmp_path,
        seed=1,
        batch_size=32,
        n_fit=len(split.y_fit),
        n_val=len(split.y_val),
    )
    log = TrialLog("grid", 6)
    tuner = build_tuner("grid", ctx, log)
    tuner.oracle.max_trials = 6
    KerasPhases(tiny).search(tuner, split)
    statuses = [(r.hyperparameters["learning_rate"], r.status) for r in log.records]
    assert len(log.records) == 6
    nan = [r for r in log.records if r.hyperparameters["learning_rate"] == 1e-2]
    assert nan and all(r.status == "FAILED" for r in nan), statuses
    assert all("training loss became nan at epoch 1" in r.message for r in nan)
    raised = [r for r in log.records if r.hyperparameters["learning_rate"] == 1e-4]
    assert raised and all(r.status in ("FAILED", "INVALID") for r in raised), statuses
    assert all("cannot be built" in r.message for r in raised)
    good = [r for r in log.records if r.hyperparameters["learning_rate"] == 1e-3]
    assert good and all(r.status == "COMPLETED" and r.val_accuracy is not None for r in good)
    assert tuner.get_best_hyperparameters(1)[0]["learning_rate"] == 1e-3


def test_the_report_shows_failed_trials() -> None:
    results = load_results(DATA / "quick-digits-session.json")
    trial = results[0].trials[0]
    trial.status, trial.val_accuracy = "FAILED", None
    trial.message = "keras_tuner.src.errors.FailedTrialError: training loss became nan at epoch 1"
    page = render_html(results, ["x"])
    assert '<td class="text failed">FAILED: keras_tuner.src.errors.FailedTrialError' in page
    assert '"name":"failed trial"' in page
