"""Per-trial records, taken from inside the real Keras Tuner tuners.

Keras Tuner keeps no per-trial duration, so a small mixin times each trial between the tuner's own
``on_trial_begin`` and ``on_trial_end`` hooks, counts the epochs actually trained, and hands a
``TrialRecord`` to a ``TrialLog``. The tuner's search logic is untouched.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tunerbench.hypermodels import schedule_values, search_values
from tunerbench.results import TrialRecord
from tunerbench.timing import Stopwatch, current_rss_mb

ProgressFn = Callable[["TrialLog", TrialRecord], None]


@dataclass
class TrialLog:
    """Trials of one search in the order they finished, and who to tell about each."""

    tuner: str
    planned: int
    on_trial: ProgressFn | None = None
    records: list[TrialRecord] = field(default_factory=list)
    _start: float = field(default_factory=time.perf_counter)

    def start(self) -> None:
        self._start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self._start

    def best(self) -> float | None:
        scores = [r.val_accuracy for r in self.records if r.val_accuracy is not None]
        return max(scores) if scores else None

    def add(self, record: TrialRecord) -> None:
        self.records.append(record)
        if self.on_trial is not None:
            self.on_trial(self, record)


def _score(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else round(value, 6)


def _epochs_from_histories(results: Any) -> int | None:
    histories = results if isinstance(results, list) else [results]
    counts = [len(h.epoch) for h in histories if hasattr(h, "epoch")]
    return sum(counts) if counts else None


class RecordingMixin:
    """Mixed in before a Keras Tuner tuner class; needs ``trial_log`` set after construction."""

    trial_log: TrialLog

    def on_trial_begin(self, trial: Any) -> None:
        self._trial_watch = Stopwatch()
        self._trial_epochs: int | None = None
        super().on_trial_begin(trial)

    def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> Any:
        results = super().run_trial(trial, *args, **kwargs)
        epochs = _epochs_from_histories(results)
        if epochs is not None:
            self._trial_epochs = epochs
        return results

    def on_trial_end(self, trial: Any) -> None:
        super().on_trial_end(trial)
        done = self.oracle.get_trial(trial.trial_id)
        message = getattr(done, "message", None)
        self.trial_log.add(
            TrialRecord(
                trial_id=str(done.trial_id),
                hyperparameters=search_values(done.hyperparameters),
                val_accuracy=_score(done.score),
                epochs=self._trial_epochs,
                wall_s=round(self._trial_watch.wall(), 4),
                finished_at_s=round(self.trial_log.elapsed(), 4),
                status=str(getattr(done.status, "value", done.status)),
                message=message.strip().splitlines()[-1] if message else None,
                rss_mb=current_rss_mb(),
                schedule=schedule_values(done.hyperparameters),
            )
        )


class SklearnRecordingMixin(RecordingMixin):
    """scikit-learn models report no history; the epochs trained are the model's ``n_iter_``."""

    def save_model(self, trial_id: str, model: Any, step: int = 0) -> None:
        self._trial_epochs = int(getattr(model, "n_iter_", 0)) or None
        super().save_model(trial_id, model, step)
