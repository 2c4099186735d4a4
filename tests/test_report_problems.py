"""The report over several problems: one section each, labels that sort by what they carry,
the loop a problem trains with left out of its variants, the command that would grow each, and
the search plane and grid coverage of a space other than the reference MLP's."""

from __future__ import annotations

from pathlib import Path

from reporting import recorded, variant_of

from tunerbench.records.results_file import results_file_name, session_of
from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import TrialRecord
from tunerbench.report.decision.next_run import study_run
from tunerbench.report.inputs.groups import split_groups
from tunerbench.report.inputs.labels import (
    default_loop,
    environment,
    sort_environments,
    sort_variants,
    variant,
)
from tunerbench.report.inputs.session_folders import session_folders
from tunerbench.report.plots.search_plane import search_plane_data
from tunerbench.report.sections.leaderboard import _grid_coverage
from tunerbench.report.sections.next_run_command import command_line

CNN_TRIAL = {"filters": 16, "dropout": 0.25, "learning_rate": 0.001, "batch_size": 64}


def _cnn(run: RunResult) -> RunResult:
    """A recorded run as the fashion_cnn problem would record it: Keras' own fit, its space."""
    trials = [
        TrialRecord(**{**t.__dict__, "hyperparameters": {**CNN_TRIAL, "filters": 8 * (i + 1)}})
        for i, t in enumerate(run.search.trials)
    ]
    return variant_of(run, problem="fashion_cnn", loop="keras-default", trials=trials,
                      space_points=108)  # fmt: skip


def test_each_problem_is_its_own_section_and_old_records_are_their_datasets() -> None:
    runs = recorded() + [_cnn(r) for r in recorded()]
    groups = split_groups(runs)
    assert [(k.problem, k.dataset) for k in groups] == [
        ("digits", "digits"),
        ("fashion_cnn", "digits"),
    ]
    # Recorded before problems: named by their dataset.
    assert all(r.identity.problem == "" for r in recorded())
    assert [k.title.split(",")[0] for k in groups] == ["digits", "fashion_cnn"]


def test_the_loop_a_problem_trains_with_is_not_a_variant_of_it() -> None:
    assert (
        default_loop("fashion_mnist") == "fast" and default_loop("fashion_cnn") == "keras-default"
    )
    assert default_loop("someone_elses") == "keras-default"
    cnn = _cnn(recorded()[0])
    assert variant(cnn) == cnn.identity.tuner
    assert variant(variant_of(recorded()[0], loop="keras-default")) == "random [keras-default]"


def test_labels_sort_by_what_they_carry_not_by_their_text() -> None:
    runs = recorded()
    old = variant_of(runs[0], versions={**runs[0].provenance.versions, "tensorflow": "2.9.0"})
    new = variant_of(runs[0], versions={**runs[0].provenance.versions, "tensorflow": "2.15.1"})
    assert sort_environments([environment(new), environment(old)]) == [
        environment(old),
        environment(new),
    ]  # 2.9 before 2.15, which text order would reverse
    tuners = [variant(r) for r in reversed(runs)] + [variant(variant_of(runs[2], workers=2))]
    assert sort_variants(tuners) == [
        "random", "grid", "hyperband", "hyperband [2 workers]", "bayesian", "sklearn"
    ]  # fmt: skip


def test_the_command_names_the_problem_as_its_benchmarks_do(tmp_path: Path) -> None:
    runs = [_cnn(r) for r in recorded() if r.identity.tuner != "sklearn"]
    key = next(iter(split_groups(runs)))
    run = study_run(key, runs, 10, 0.005, {})
    command = command_line(run)
    assert "--tb-problem fashion_cnn" in command and "--tb-loop" not in command
    assert run.resume_in is None and "--tb-resume" not in command
    mine = [variant_of(r, problem="my_digits") for r in runs]
    command = command_line(study_run(next(iter(split_groups(mine))), mine, 10, 0.005, {}))
    assert command.startswith("pytest bench/ -k my_digits --tb-profile")
    reference = recorded()
    command = command_line(study_run(next(iter(split_groups(reference))), reference, 10, 0.005, {}))
    assert "--tb-dataset digits" in command


def test_a_results_file_names_its_session() -> None:
    name = results_file_name("20261201T101010Z-42")
    assert session_of(Path("out") / name) == "20261201T101010Z-42"
    assert session_of(Path("out/index.html")) is None
    assert session_folders([f"out/{name}", "x.json"]) == {"20261201T101010Z-42": Path("out")}


def test_the_search_plane_of_another_space_takes_its_first_two_dimensions() -> None:
    reference = search_plane_data(recorded())
    assert (reference.x_name, reference.y_name) == ("units", "learning_rate")
    assert reference.y_values == [0.0001, 0.001, 0.01]
    cnn = search_plane_data([_cnn(r) for r in recorded()])
    assert (cnn.x_name, cnn.y_name) == ("filters", "dropout")
    assert {p.x for ps in cnn.panels.values() for p in ps} >= {8, 16}


def test_grid_coverage_counts_against_the_space_each_run_recorded() -> None:
    grid = next(r for r in recorded() if r.identity.tuner == "grid")
    (note,) = _grid_coverage([_cnn(grid)])
    assert f"{len(grid.search.trials)} of the 108 grid points on seed 1" in note
    (note,) = _grid_coverage([grid])  # recorded before the field: the reference space's 24
    assert "of the 24 grid points" in note


def test_two_definitions_of_a_declared_problem_are_two_sections() -> None:
    mine = [variant_of(r, problem="my_digits", problem_fingerprint="aaaa1111bbbb") for r in
            recorded()] + [variant_of(r, problem="my_digits", problem_fingerprint="cccc2222dddd")
                           for r in recorded()]  # fmt: skip
    titles = [key.title for key in split_groups(mine)]
    assert [t.split(",")[0] for t in titles] == ["my_digits [aaaa1111]", "my_digits [cccc2222]"]
    built_in = [variant_of(r, problem="digits", problem_fingerprint="x") for r in recorded()]
    assert [k.definition for k in split_groups(built_in)] == [""]  # its code is versioned
