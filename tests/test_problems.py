"""The Problem record: checked on creation, sized budgets, the loop it trains with, its best
epoch, its data checked, its fingerprint following its source, and its round trip as JSON."""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from tunerbench.data.dataset import DataError
from tunerbench.problems.builtin import PROBLEMS
from tunerbench.problems.problem import KERAS_FIT_LOOP, Problem
from tunerbench.profiles import PROFILES
from tunerbench.references import BadReference, reference_to, resolve
from tunerbench.search.registry import TUNERS

MODULE = """
import numpy as np

def load():
    rng = np.random.default_rng(0)
    return rng.random((40, 3)), np.arange(40) % 2, rng.random((10, 3)), np.arange(10) % 2

def build(hp):
    return hp
"""


@pytest.fixture
def user_module(tmp_path: Path) -> Path:
    """A user's benchmark module in a folder of its own, as pytest imports it (not installed)."""
    (tmp_path / "my_bench_problem.py").write_text(MODULE)
    sys.path.insert(0, str(tmp_path))
    importlib.import_module("my_bench_problem")
    yield tmp_path
    sys.path.remove(str(tmp_path))
    sys.modules.pop("my_bench_problem", None)


def _user_problem(**changes: object) -> Problem:
    module = sys.modules["my_bench_problem"]
    return Problem(name="mine", data=module.load, hypermodel=module.build, **changes)  # type: ignore[arg-type]


def test_functions_become_references_with_their_folder(user_module: Path) -> None:
    problem = _user_problem()
    assert (problem.data, problem.hypermodel) == ("my_bench_problem:load", "my_bench_problem:build")
    assert problem.folder == str(user_module.resolve())
    again = Problem.from_dict(json.loads(json.dumps(problem.to_dict())))
    assert again == problem and again.fingerprint == problem.fingerprint


def test_user_data_becomes_a_dataset_with_its_classes(user_module: Path) -> None:
    data = _user_problem().load()
    assert (data.name, data.num_classes, data.image_shape) == ("mine", 2, (3,))
    assert data.x_train.dtype == np.float32 and data.y_test.dtype == np.int64


def test_the_fingerprint_follows_the_source_and_the_definition(user_module: Path) -> None:
    before = _user_problem().fingerprint  # a property: read now, before the source changes
    assert _user_problem(max_epochs=3).fingerprint != before
    (user_module / "my_bench_problem.py").write_text(MODULE + "\n# changed\n")
    assert _user_problem().fingerprint != before


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        ("not arrays", "must return a Dataset or (x_train, y_train, x_test, y_test)"),
        ((np.zeros((4, 2)), np.zeros(3, int), np.zeros((2, 2)), np.zeros(2, int)), "differ in"),
        ((np.zeros((2, 2)), np.array([0.5, 1]), np.zeros((1, 2)), np.array([0])), "integers"),
    ],
)
def test_bad_data_is_one_line(
    returned: object, message: str, monkeypatch: pytest.MonkeyPatch, user_module: Path
) -> None:
    problem = _user_problem()  # its loader named while it is the module's own function
    monkeypatch.setattr(sys.modules["my_bench_problem"], "load", lambda: returned)
    with pytest.raises(DataError, match="problem mine: .*" + re.escape(message)):
        problem.load()


def test_a_profile_is_sized_by_the_problem_where_it_sets_a_budget() -> None:
    quick = PROFILES["quick"]
    sized = Problem(name="p", hypermodel="m:f", dataset="digits", max_epochs=6).sized(quick)
    assert (sized.max_epochs, sized.refit_epochs, sized.train_subset) == (6, 6, 3000)
    assert PROBLEMS["fashion_mnist"].sized(quick) == quick


def test_loops_apply_to_the_reference_mlp_only() -> None:
    assert PROBLEMS["fashion_mnist"].loop_for("fast") == "fast"
    assert PROBLEMS["fashion_cnn"].loop_for("fast") == KERAS_FIT_LOOP


def test_the_best_epoch_follows_the_direction() -> None:
    curve = [0.5, 0.9, 0.7]
    assert Problem(name="a", hypermodel="m:f", dataset="digits").best_epoch(curve) == 2
    down = Problem(name="b", hypermodel="m:f", dataset="digits", objective="val_loss",
                   direction="min")  # fmt: skip
    assert down.best_epoch(curve) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "My Problem"}, "lower-case"),
        ({"objective": "accuracy"}, "validation metric"),
        # Names verdict.md and the terminal write: no line or escape of their own.
        ({"name": "p\n## owned"}, "lower-case"),
        ({"objective": "val_x\n## owned [a](http://e)"}, "no control characters"),
        ({"objective": "val_x\x1b[2J"}, "no control characters"),
        ({"direction": "up"}, "validation metric"),
        ({"data": "m:load"}, "exactly one of data= and dataset="),
    ],
)
def test_a_bad_definition_is_refused(changes: dict[str, object], message: str) -> None:
    fields = {"name": "p", "hypermodel": "m:f", "dataset": "digits", **changes}
    with pytest.raises(ValueError, match=message):
        Problem(**fields)  # type: ignore[arg-type]


def test_references_name_importable_top_level_objects() -> None:
    def nested() -> None: ...

    with pytest.raises(BadReference, match="top level"):
        reference_to(nested)
    assert reference_to(Problem) == ("tunerbench.problems.problem:Problem", "")
    assert resolve("tunerbench.problems.builtin:PROBLEMS") is PROBLEMS
    with pytest.raises(BadReference, match=r"cannot load no\.such:thing"):
        resolve("no.such:thing")


def test_scikit_learn_runs_only_where_the_problem_builds_an_estimator() -> None:
    sklearn = TUNERS["sklearn"].framework
    assert sklearn.applies_to(PROBLEMS["fashion_mnist"])
    assert not sklearn.applies_to(PROBLEMS["fashion_cnn"])
    assert TUNERS["hyperband"].framework.applies_to(PROBLEMS["fashion_cnn"])


def test_a_loader_that_fails_is_one_line(
    monkeypatch: pytest.MonkeyPatch, user_module: Path
) -> None:
    problem = _user_problem()

    def broken() -> None:
        raise OSError("no such file: my.csv\nsecond line")

    monkeypatch.setattr(sys.modules["my_bench_problem"], "load", broken)
    with pytest.raises(DataError) as caught:
        problem.load()
    assert str(caught.value) == (
        "problem mine: its data could not be loaded (OSError: no such file: my.csv)"
    )


def test_an_estimator_scored_by_accuracy_is_maximized_whatever_the_objective() -> None:
    down = Problem(name="d", hypermodel="m:f", dataset="digits", objective="val_loss",
                   direction="min", sklearn="m:g")  # fmt: skip
    assert TUNERS["random"].framework.direction(down) == "min"
    assert TUNERS["sklearn"].framework.direction(down) == "max"
    assert down.best_epoch([0.5, 0.9, 0.7], "max") == 2 and down.best_epoch([0.5, 0.9, 0.7]) == 1
