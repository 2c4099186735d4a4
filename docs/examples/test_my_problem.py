"""A benchmark of one's own problem: copy this file into bench/ (or into the benchmark folder of
your own repository, whose conftest.py says ``pytest_plugins = ["tunerbench.pytest_plugin"]``)
and run ``pytest bench/test_my_problem.py``. Every tuner that applies runs the whole pipeline on
it, over the seeds of ``--tb-seeds``, and the report has a section for it.

Here the data is scikit-learn's digits as rows of 64 features and the model a two-layer MLP with
dropout; put your own loader and model in their place. Keras is imported inside ``build`` so the
session's own process, which only schedules pipelines, never loads TensorFlow.
"""

from typing import Any

from tunerbench.problems import Problem
from tunerbench.pytest_plugin import problem_benchmark


def load() -> tuple[Any, Any, Any, Any]:
    """The data as (x_train, y_train, x_test, y_test), labels 0..K-1; the hold-out for the
    search is cut from the training rows."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        x / 16.0, y, test_size=0.25, stratify=y, random_state=0
    )
    return x_train, y_train, x_test, y_test


def build(hp: Any) -> Any:
    """The model for one point of the space, compiled with accuracy among its metrics."""
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(64,)),
            keras.layers.Dense(hp.Int("units", 32, 128, step=32), activation="relu"),
            keras.layers.Dropout(hp.Choice("dropout", [0.0, 0.2])),
            keras.layers.Dense(10),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(hp.Choice("learning_rate", [1e-2, 1e-3])),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


MY_DIGITS = Problem(
    name="my_digits",
    data=load,
    hypermodel=build,
    summary="a two-layer MLP with dropout on digits as 64 features",
    max_epochs=6,  # Hyperband's max_epochs; every tuner gets the same total epochs
    refit_epochs=12,
)

test_my_digits = problem_benchmark(MY_DIGITS)
