"""Trials that raise or diverge are recorded as failed, and the search goes on."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import keras
import keras_tuner as kt

from tunerbench.data.dataset import Dataset
from tunerbench.problems.builtin import PROBLEMS
from tunerbench.profiles import Profile
from tunerbench.search.trial_log import TrialLog
from tunerbench.search.tuner_setup import TunerSetup
from tunerbench.training.hypermodel import ReferenceHyperModel


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
    setup = TunerSetup.create("grid", PROBLEMS["digits"], digits, tiny, 1, tmp_path, "fast")
    hypermodel = DivergesAtHighRate(digits.image_shape, 10, setup.loop)
    setup = replace(setup, ctx=replace(setup.ctx, hypermodel=hypermodel))
    log = TrialLog("grid", 6)
    tuner = setup.build_tuner(log)
    tuner.oracle.max_trials = 6
    setup.search(tuner)
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
