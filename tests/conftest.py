"""Shared fixtures: tiny real data and a tiny profile, so real tuners finish in seconds."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tunerbench.data.dataset import Dataset
from tunerbench.data.datasets import load_digits
from tunerbench.pipeline.spec import PipelineSpec
from tunerbench.problems.builtin import PROBLEMS
from tunerbench.profiles import Profile

TINY = Profile(
    name="tiny",
    max_epochs=2,
    factor=2,
    refit_epochs=3,
    patience=3,
    batch_size=32,
    validation_fraction=0.2,
    train_subset=400,
    test_subset=200,
)


@pytest.fixture(scope="session")
def digits() -> Dataset:
    return load_digits()


@pytest.fixture(scope="session")
def tiny() -> Profile:
    return TINY


def spec_of(
    tuner: str, directory: object, seed: int = 1, profile: Profile = TINY, **changes: object
) -> PipelineSpec:
    """A pipeline on digits with the tiny profile, its Keras Tuner folder at ``directory``."""
    fields = {"label": f"{tuner}-seed{seed}", "tuner": tuner, "dataset": "digits",
              "profile": profile, "seed": seed, "loop": "fast", "session": "tests",
              "directory": str(directory), "problem": PROBLEMS["digits"].to_dict(),
              **changes}  # fmt: skip
    return PipelineSpec(**fields)  # type: ignore[arg-type]


REPORT_MODULES = ("test_report_", "test_statistics")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The report and its statistics never import TensorFlow, so one run of them (the README's
    test command) covers every TensorFlow line; tox skips them with ``-m "not report"``."""
    for item in items:
        if item.path.name.startswith(REPORT_MODULES):
            item.add_marker(pytest.mark.report)
