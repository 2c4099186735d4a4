"""What tunerbench adds to the real Keras Tuner tuners, one concern per mixin.

Each mixin overrides a Keras Tuner hook and calls ``super()``, so the tuner's own search logic is
untouched; ``recorded`` stacks them in front of a tuner class. Order matters around a trial:
the heap is refrozen before the trial's clock starts, and freed memory is returned before the
record (which measures resident memory) is taken.
"""

from __future__ import annotations

import math
import time
from typing import Any

from tunerbench.records.clocks import Stopwatch
from tunerbench.search.trial_log import TrialLog, record_of
from tunerbench.training.memory import refreeze, release_free_memory

IDLE_WAIT_S = 0.2


def _histories(results: Any) -> list[Any]:
    histories = results if isinstance(results, list) else [results]
    return [h for h in histories if hasattr(h, "epoch")]


class TrialRecording:
    """Time each trial between Keras Tuner's ``on_trial_begin`` and ``on_trial_end``, count the
    epochs it trained, and hand its record to ``trial_log`` (set after construction)."""

    trial_log: TrialLog

    def on_trial_begin(self, trial: Any) -> None:
        self._trial_watch = Stopwatch()
        self._trial_epochs: int | None = None
        super().on_trial_begin(trial)  # type: ignore[misc]

    def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> Any:
        results = super().run_trial(trial, *args, **kwargs)  # type: ignore[misc]
        histories = _histories(results)
        if histories:
            self._trial_epochs = sum(len(h.epoch) for h in histories)
        return results

    def on_trial_end(self, trial: Any) -> None:
        super().on_trial_end(trial)  # type: ignore[misc]
        done = self.oracle.get_trial(trial.trial_id)  # type: ignore[attr-defined]
        self.trial_log.add(
            record_of(
                done,
                self._trial_epochs,
                round(self._trial_watch.wall(), 4),
                round(self.trial_log.elapsed(), 4),
            )
        )


class FailOnBadLoss:
    """A NaN or infinite training loss fails the trial (recorded as FAILED); the search goes on.

    Keras' TerminateOnNaN only stops training: without this the trial would count as completed
    with whatever its metrics were."""

    def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> Any:
        results = super().run_trial(trial, *args, **kwargs)  # type: ignore[misc]
        for history in _histories(results):
            losses = history.history.get("loss", [])
            for epoch, loss in zip(history.epoch, losses, strict=False):
                if not math.isfinite(loss):
                    from keras_tuner.errors import FailedTrialError

                    raise FailedTrialError(f"training loss became {loss} at epoch {epoch + 1}")
        return results


class HeapHygiene:
    """Keep Keras Tuner's two per-trial ``gc.collect`` calls cheap (``memory.refreeze``) and give
    a finished trial's freed memory back before anything measures resident memory."""

    def on_trial_begin(self, trial: Any) -> None:
        refreeze()
        super().on_trial_begin(trial)  # type: ignore[misc]

    def on_trial_end(self, trial: Any) -> None:
        release_free_memory()
        super().on_trial_end(trial)  # type: ignore[misc]


class IdleBackoff:
    """Back off while a distributed oracle answers IDLE (Hyperband waiting for a round to finish):
    Keras Tuner itself would ask again at once, keeping a core busy polling."""

    def pre_create_trial(self) -> None:
        if getattr(self, "_asked", False):
            time.sleep(IDLE_WAIT_S)
        self._asked = True
        super().pre_create_trial()  # type: ignore[misc]

    def on_trial_begin(self, trial: Any) -> None:
        self._asked = False
        super().on_trial_begin(trial)  # type: ignore[misc]


class SklearnEpochCount:
    """scikit-learn models report no history; the epochs trained are the model's ``n_iter_``."""

    def save_model(self, trial_id: str, model: Any, step: int = 0) -> None:
        self._trial_epochs = int(getattr(model, "n_iter_", 0)) or None
        super().save_model(trial_id, model, step)  # type: ignore[misc]


def recorded(tuner_class: type, *extra: type) -> type:
    """``tuner_class`` with the per-trial hygiene and trial recording in front of it.

    HeapHygiene comes first: it refreezes before TrialRecording starts the trial's clock, and
    returns freed memory before TrialRecording measures it. FailOnBadLoss sits in front of
    TrialRecording, so a failed trial's epochs are counted before it is failed."""
    bases = (HeapHygiene, FailOnBadLoss, TrialRecording, *extra, IdleBackoff, tuner_class)
    return type(f"Recorded{tuner_class.__name__}", bases, {})
