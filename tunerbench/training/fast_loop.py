"""``fast``: the same model, batches and updates as Keras' own loop, without what costs more than
this small model's arithmetic.

- a ``tf.data`` pipeline on tensors kept for the pipeline (``tensor_inputs``), instead of
  re-slicing NumPy arrays every epoch;
- batches handed over in blocks of 100 and walked inside one compiled call (``batch_blocks``),
  instead of a return to Python or TensorFlow's executor per batch (a set that does not split
  into whole batches gets Keras' ``steps_per_execution`` instead);
- each batch trained by a step that is only Keras' arithmetic (``adam_step``): the same loss,
  gradients and Adam update, Keras' metrics updated once per block instead of once per batch;
- XLA where the work repays it: compiling an architecture with XLA costs about 1.5 s more than
  tracing it (measured here: 2 cores), and XLA then saves about 0.3-0.5 ms per batch, so it pays
  off from about 3,000 batches per architecture. The reference profile trains about 22,500 per
  architecture (XLA); the quick profile about 240, where XLA's compilations made the loop slower
  than Keras' own;
- one compiled model per architecture, reset for every trial (``model_cache``), instead of
  tracing and compiling a new one per trial;
- a validation or test pass as one batch of up to 16,384 images, one compiled call (metrics
  are per-sample means, so no number changes): Keras' evaluation costs about 2 ms per call here,
  against well under 1 ms of arithmetic per 1,000 images. Validation (12,000 images) and test
  (10,000) differ in shape, so the one test pass of a pipeline compiles its evaluation once
  more.
"""

from __future__ import annotations

from typing import Any

import keras

from tunerbench.records.clocks import Accumulator
from tunerbench.training.batch_blocks import BlockSequential
from tunerbench.training.hypermodel import reference_model
from tunerbench.training.loops import Workload
from tunerbench.training.model_cache import CompiledModels, fresh_optimizer
from tunerbench.training.tensor_inputs import TensorCache

BLOCK_BATCHES = 100
EVAL_BATCH = 16384  # images per evaluation call: a whole validation or test set
XLA_BREAK_EVEN_BATCHES = 3000  # batches per architecture from which XLA repays its compilation


class FastLoop:
    name = "fast"

    def __init__(self, workload: Workload) -> None:
        self.fit_clock = Accumulator()
        self.tensors = TensorCache()
        self.models = CompiledModels()
        self.workload = workload
        self.xla = workload.batches_per_architecture >= XLA_BREAK_EVEN_BATCHES
        # A block is already 100 batches per call; without blocks Keras' steps_per_execution
        # does the grouping (one more traced loop, so used only where blocks cannot be).
        steps = 1 if workload.whole_batches else BLOCK_BATCHES
        self.compile_kwargs = {"steps_per_execution": steps, "jit_compile": self.xla}

    def settings(self) -> dict[str, Any]:
        return {
            "xla": self.xla,
            "block_batches": BLOCK_BATCHES if self.workload.whole_batches else None,
            "batches_per_architecture": round(self.workload.batches_per_architecture),
            "eval_batch": EVAL_BATCH,
            "models": "one per architecture, reset per trial",
            "train_step": "adam_step",
        }

    def build(
        self, image_shape: tuple[int, ...], num_classes: int, units: int, learning_rate: float
    ) -> keras.Model:
        return self.models.get(
            (image_shape, num_classes, units),
            learning_rate,
            lambda: reference_model(
                BlockSequential,
                image_shape,
                num_classes,
                units,
                learning_rate,
                **self.compile_kwargs,
            ),
        )

    def fit(
        self,
        model: keras.Model,
        learning_rate: float,
        x: Any,
        y: Any,
        validation_data: tuple[Any, Any] | None,
        batch_size: int,
        **kwargs: Any,
    ) -> Any:
        with self.fit_clock:
            fresh_optimizer(model, learning_rate)
            if validation_data is not None:
                validation_data = self.tensors.evaluation_data(*validation_data, EVAL_BATCH)
            kwargs["shuffle"] = False  # the order is reshuffled every epoch (tensor_inputs)
            if isinstance(model, BlockSequential):
                data, images, labels = self.tensors.training_order(x, y, batch_size, BLOCK_BATCHES)
                model.train_on(images, labels)
            else:  # a model built by another hypermodel: batches of examples, Keras' own step
                data = self.tensors.training_data(x, y, batch_size)
            return model.fit(data, validation_data=validation_data, **kwargs)

    def evaluate(self, model: keras.Model, x: Any, y: Any) -> dict[str, float]:
        with self.fit_clock:
            data = self.tensors.evaluation_data(x, y, EVAL_BATCH)
            return model.evaluate(data, verbose=0, return_dict=True)
