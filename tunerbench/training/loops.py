"""The training loops by name: the same model, batch size and updates, run at different speeds.

A loop is a strategy the hypermodel delegates to: it builds the model for an architecture, fits
it and evaluates it. ``keras-default`` is Keras' own behaviour, for comparison; ``fast`` removes
what costs more than this small model's arithmetic, never an update (``fast_loop`` says what).

This registry imports no TensorFlow, so options are checked before anything trains. A loop object
is made in the process that trains, for one pipeline, and owns what it keeps between trials (kept
tensors, compiled models, its clock of time spent in fit); dropping it drops them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from tunerbench.choices import Choices
from tunerbench.records.clocks import Accumulator
from tunerbench.references import resolve

DEFAULT_LOOP = "fast"
# Keras' own behaviour: what the fast loop's speed and accuracy are measured against.
BASELINE_LOOP = "keras-default"


@dataclass(frozen=True)
class Workload:
    """How much training one pipeline's loop will do; what decides whether compiling pays."""

    fit_rows: int
    batch_size: int
    budget_epochs: int  # the search's epoch budget (refit and final fit come on top)
    architectures: int  # models of different shape the search can build

    @property
    def batches_per_architecture(self) -> float:
        batches = self.fit_rows // self.batch_size
        return batches * self.budget_epochs / max(1, self.architectures)

    @property
    def whole_batches(self) -> bool:
        return self.fit_rows % self.batch_size == 0


class TrainingLoop(Protocol):
    name: str
    # Wall seconds spent inside Keras' fit and evaluate: the rest of a pipeline is overhead.
    fit_clock: Accumulator

    def settings(self) -> dict[str, Any]:
        """How this loop trains, as recorded with the result (what it chose and why)."""
        ...

    def build(
        self, image_shape: tuple[int, ...], num_classes: int, units: int, learning_rate: float
    ) -> Any: ...

    def fit(
        self,
        model: Any,
        learning_rate: float,
        x: Any,
        y: Any,
        validation_data: tuple[Any, Any] | None,
        batch_size: int,
        **kwargs: Any,
    ) -> Any: ...

    def evaluate(self, model: Any, x: Any, y: Any) -> dict[str, float]: ...


@dataclass(frozen=True)
class LoopEntry:
    name: str
    summary: str
    # "module:Class": imported only where a model trains, so the registry needs no TensorFlow.
    factory: str

    def create(self, workload: Workload) -> TrainingLoop:
        return resolve(self.factory)(workload)


LOOPS: Choices[LoopEntry] = Choices(
    "loop",
    (
        (e.name, e)
        for e in (
            LoopEntry(
                "fast",
                "tf.data on kept tensors, blocks of 100 batches per compiled call (XLA where "
                "the work repays its compilation), one compiled model per architecture reused "
                "across trials",
                "tunerbench.training.fast_loop:FastLoop",
            ),
            LoopEntry(
                "keras-default",
                "Keras' own settings (no XLA, a step per call, a new model per trial), batches "
                "reshuffled every epoch",
                "tunerbench.training.keras_default_loop:KerasDefaultLoop",
            ),
        )
    ),
)


def create_loop(name: str, workload: Workload) -> TrainingLoop:
    return LOOPS.get_entry(name).create(workload)
