"""The upgrade verdict and the --fail-on-change gate on constructed results with known answers:
changed, unchanged or not enough seeds to tell, per tuner, and the gate's exit code."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from reporting import study, variant_of
from scipy import stats

from tunerbench.cli import main
from tunerbench.records.results_file import session_document
from tunerbench.records.run_result import RunResult
from tunerbench.report.decision.statistics import ALPHA
from tunerbench.report.decision.statistics import version_tests as tests_of
from tunerbench.report.decision.statistics.seed_counts import SeedEstimate
from tunerbench.report.decision.upgrade_verdict import UpgradeState, VersionCell, versions_table

OLD = "2.15.1"


def chose(runs: list[RunResult], **values: object) -> list[RunResult]:
    """The runs with these hyperparameters chosen (the others as recorded)."""
    return [
        variant_of(r, best_hyperparameters={**r.search.best_hyperparameters, **values})
        for r in runs
    ]


def newer(runs: list[RunResult]) -> dict[str, VersionCell]:
    """Each tuner's cell under the newer of two versions."""
    return {row.variant: row.cells[1] for row in versions_table(runs).rows if row.cells[1]}


def gate(runs: list[list[RunResult]], tmp_path: Path, *options: str) -> int:
    """``--fail-on-change`` on these runs, one results file per list."""
    files = []
    for i, part in enumerate(runs):
        path = tmp_path / f"results-{i}.json"
        path.write_text(json.dumps(session_document(part, "2026-01-01T00:00:00+00:00")))
        files.append(str(path))
    return main(["report", *files, "-o", str(tmp_path / "r.html"), "--fail-on-change", *options])


def test_a_choice_four_seeds_cannot_show_is_not_enough_to_tell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Units 240 -> 16 on every seed, test accuracy the same: at 4 against 4 seeds no rank test
    passes Holm's first threshold, so the change cannot be seen and nothing can be told."""
    tuners = {"random": 0.0, "hyperband": 0.0}
    old = chose(study(tuners, 4, tensorflow=OLD), units=240)
    new = chose(study(tuners, 4), units=16)
    for cell in newer(old + new).values():
        assert cell.status == UpgradeState.TOO_FEW and cell.hidden_changes == ["units"]
        assert cell.equivalent  # test accuracy alone would say "unchanged"
        assert cell.choice_tests["units"].min_possible_p == pytest.approx(2 / math.comb(8, 4))
        assert cell.seeds_to_tell == SeedEstimate(5)  # 2 / comb(10, 5) < 0.05 / 6 tests
    assert gate([old, new], tmp_path) == 3
    first = capsys.readouterr().err.splitlines()[0]
    assert "random under TF 2.21.0" in first and "hyperband under TF 2.21.0" in first


def test_every_chosen_hyperparameter_is_tested() -> None:
    """A declared problem's own hyperparameters: numbers by Mann-Whitney, the rest (strings,
    booleans) by the chi-square test; Keras Tuner's bookkeeping is no choice."""
    base = {"filters": 64, "activation": "relu", "batch_norm": True, "tuner/epochs": 2}
    old = chose(study({"random": 0.0}, 10, tensorflow=OLD), **base)
    new = chose(
        study({"random": 0.0}, 10),
        filters=8,
        activation="tanh",
        batch_norm=False,
        **{"tuner/epochs": 4},
    )
    (cell,) = newer(old + new).values()
    assert cell.status == UpgradeState.CHANGED
    assert [what for what, _ in cell.changes] == ["filters", "activation", "batch_norm"]
    assert "tuner/epochs" not in cell.choice_tests
    assert cell.choice_tests["activation"].counts_b == {"tanh": 10}


def test_seeds_to_tell_are_more_than_ran_and_enough_for_holm() -> None:
    """3 seeds under the old version, 4 under the new, 3 points apart: a t-test's power alone
    would ask for 4 seeds per version, which ran already and which no rank test can pass."""
    old = study({"random": 0.0}, 3, tensorflow=OLD)
    new = study({"random": -0.03}, 4)
    (cell,) = newer(old + new).values()
    assert cell.status == UpgradeState.TOO_FEW and cell.seeds_to_tell is not None
    assert cell.seeds_to_tell.seeds > 4
    threshold = ALPHA / len(cell.tests)  # Holm's first threshold of this one-tuner family
    assert 2 / math.comb(2 * cell.seeds_to_tell.seeds, cell.seeds_to_tell.seeds) < threshold


def test_the_gate_says_when_some_tuner_cannot_be_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Random drops 1.97 points on 3 seeds per version, too few; hyperband is unchanged."""
    old = study({"hyperband": 0.0}, 10, tensorflow=OLD) + study({"random": 0.0}, 3, tensorflow=OLD)
    new = study({"hyperband": 0.0}, 10) + study({"random": -0.0197}, 3)
    cells = newer(old + new)
    assert (
        cells["hyperband"].status == UpgradeState.UNCHANGED
        and cells["random"].status == UpgradeState.TOO_FEW
    )
    assert gate([old, new], tmp_path) == 3
    err = capsys.readouterr().err
    assert "random under TF 2.21.0" in err and "hyperband under" not in err.splitlines()[0]


def test_no_tuner_in_both_versions_is_not_enough_to_tell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = study({"random": 0.0}, 10, tensorflow=OLD)
    new = study({"hyperband": 0.0}, 10)
    assert versions_table(old + new).upgrades == []
    assert gate([old, new], tmp_path) == 3
    err = capsys.readouterr().err.strip()
    assert err.startswith("tunerbench: no tuner ran under both") and "\n" not in err
    # Random unchanged, grid run under the old version only: grid's upgrade cannot be told.
    grid = study({"grid": 0.0}, 10, tensorflow=OLD)
    assert versions_table(old + grid + study({"random": 0.0}, 10)).unmatched == [
        ("grid", "TF 2.21.0 / Keras 3.15.1")
    ]
    assert gate([old + grid, study({"random": 0.0}, 10)], tmp_path) == 3
    assert "grid (ran under only one of" in capsys.readouterr().err


def test_a_shift_inside_the_rope_is_no_change(tmp_path: Path) -> None:
    """+0.38 points on every seed against a region of ±0.5 points: not changed; with a region
    of ±0.1 points it is."""
    old = study({"random": 0.0}, 10, tensorflow=OLD)
    new = [
        variant_of(r, test_accuracy=r.test.accuracy + 0.0038) for r in study({"random": 0.0}, 10)
    ]
    plain = stats.mannwhitneyu([r.test.accuracy for r in old], [r.test.accuracy for r in new])
    assert plain.pvalue * 3 < ALPHA  # a rank test without the region would call it changed
    (cell,) = newer(old + new).values()
    assert cell.status != UpgradeState.CHANGED and not cell.changes
    assert gate([old, new], tmp_path) == 3
    assert gate([old, new], tmp_path, "--rope", "0.001") == 1


def test_strings_and_zeros_are_judged(tmp_path: Path) -> None:
    """The schema allows any scalar: strings are categories, 0.0 a number."""
    old = chose(study({"random": 0.0}, 10, tensorflow=OLD), units="wide", learning_rate=0.0)
    same = chose(study({"random": 0.0}, 10), units="wide", learning_rate=0.0)
    moved = chose(study({"random": 0.0}, 10), units="narrow", learning_rate=0.0)
    (cell,) = newer(old + moved).values()
    assert [what for what, _ in cell.changes] == ["units"]
    assert cell.choice_tests["units"].counts_b == {"narrow": 10}
    assert cell.choice_tests["learning_rate"].mean_b == 0.0
    assert gate([old, same], tmp_path) == 0
    assert gate([old, moved], tmp_path) == 1


def test_small_samples_are_exact_with_their_ties() -> None:
    """With few seeds the p-values count every split of the pooled values, ties as they are
    (as scipy's permutation test does; its exact Mann-Whitney method ignores ties)."""
    old, new = [16.0, 16.0, 48.0, 48.0], [48.0, 80.0, 80.0, 80.0, 80.0]
    exact = stats.mannwhitneyu(old, new, method=stats.PermutationMethod(n_resamples=10_000))
    assert tests_of.compare_versions(old, new).p_value == pytest.approx(exact.pvalue)
    a, b = ["relu", "relu", "relu", "tanh"], ["tanh", "tanh", "tanh", "relu", "selu"]

    def chi_square(x: np.ndarray, y: np.ndarray) -> float:
        table = [[np.sum(x == v), np.sum(y == v)] for v in range(3)]
        return stats.chi2_contingency(np.array(table).T, correction=False).statistic

    code = {"relu": 0, "tanh": 1, "selu": 2}
    exact = stats.permutation_test(
        ([code[v] for v in a], [code[v] for v in b]),
        chi_square,
        permutation_type="independent",
        vectorized=False,
        alternative="greater",
    )
    result = tests_of.compare_choices(a, b)
    assert result.p_value == pytest.approx(exact.pvalue)
    assert result.min_possible_p == pytest.approx(1 / math.comb(9, 4))  # 4 against 5
    assert tests_of.compare_choices(["relu"], ["tanh"] * 3).p_value == pytest.approx(0.25)
