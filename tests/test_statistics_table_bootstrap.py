"""The bootstrap over a table's training runs: what a replayed comparison can claim."""

from __future__ import annotations

import numpy as np
import pytest

from tunerbench.report.decision.statistics.paired import pairwise_wilcoxon
from tunerbench.report.decision.statistics.table_bootstrap import FinalFit, table_bootstrap

RUNS = 5


def _fits(points: list[int], runs: list[int], accuracy: np.ndarray) -> dict[int, FinalFit]:
    return {
        seed: FinalFit(p, r, tuple(float(v) for v in accuracy[p]))
        for seed, (p, r) in enumerate(zip(points, runs, strict=True), start=1)
    }


def test_tuners_choosing_the_same_points_cannot_differ() -> None:
    rng = np.random.default_rng(1)
    accuracy = rng.uniform(0.8, 0.9, size=(24, RUNS))
    points, runs = list(rng.integers(24, size=1000)), list(rng.integers(RUNS, size=1000))
    fits = _fits(points, runs, accuracy)
    found = table_bootstrap(fits, dict(fits), rope=0.005)
    assert found is not None
    assert (found.mean_difference, found.low, found.high, found.p) == (0, 0, 0, 1)
    assert found.equivalent and not found.beyond(True) and not found.beyond(False)


def test_a_thousand_seeds_on_two_points_know_only_the_tables_runs() -> None:
    """Two points whose five runs overlap: a thousand replay seeds each (a always at point 0,
    b always at point 1) make the seed-level mean look exact, but the table's five runs per
    point leave the difference unsettled."""
    accuracy = np.array([[0.880, 0.890, 0.870, 0.900, 0.860], [0.875, 0.885, 0.880, 0.870, 0.890]])
    rng = np.random.default_rng(2)
    runs = list(rng.integers(RUNS, size=1000))
    a = _fits([0] * 1000, runs, accuracy)
    b = _fits([1] * 1000, runs, accuracy)
    found = table_bootstrap(a, b, rope=0.005)
    assert found is not None
    assert found.low < 0 < found.high and found.p > 0.05
    assert found.mean_difference == pytest.approx(
        np.mean([accuracy[0, r] - accuracy[1, r] for r in runs])
    )


def test_a_clear_difference_in_the_table_is_found() -> None:
    accuracy = np.array([[0.90, 0.91, 0.90, 0.905, 0.895], [0.85, 0.86, 0.855, 0.85, 0.845]])
    runs = list(np.random.default_rng(3).integers(RUNS, size=200))
    found = table_bootstrap(
        _fits([0] * 200, runs, accuracy), _fits([1] * 200, runs, accuracy), 0.005
    )
    assert found is not None
    assert found.p <= 0.001 and found.low > 0.03 and found.beyond(True)


def test_too_few_seeds_or_unlike_tables_give_nothing() -> None:
    accuracy = np.full((2, RUNS), 0.8)
    one = _fits([0], [0], accuracy)
    assert table_bootstrap(one, one, 0.005) is None
    other = {1: FinalFit(0, 0, (0.8,) * 3), 2: FinalFit(0, 1, (0.8,) * 3)}
    assert table_bootstrap(_fits([0, 1], [0, 0], accuracy), other, 0.005) is None


def test_replayed_pairs_are_significant_only_where_the_table_agrees() -> None:
    """Every replay seed read the same training run of each point (the worst case of few
    runs): over 200 seeds the signed-rank test alone is certain, the table is not."""
    accuracy = np.array([[0.90, 0.82, 0.82, 0.86, 0.90], [0.86] * RUNS])
    fits = {"a": _fits([0] * 200, [0] * 200, accuracy), "b": _fits([1] * 200, [0] * 200, accuracy)}
    scores = {
        name: {s: f.accuracies[f.run] for s, f in by_seed.items()} for name, by_seed in fits.items()
    }
    alone = pairwise_wilcoxon(scores, rope=0.005).pair("a", "b")
    assert alone.significant and alone.decides
    judged = pairwise_wilcoxon(scores, rope=0.005, fits=fits).pair("a", "b")
    assert judged.table_check is not None and judged.table_check.p > 0.5
    assert not judged.significant and not judged.decides and not judged.equivalent
    assert judged.seeds_to_tell is None  # more replay seeds could not settle it


def test_a_columns_luck_is_not_averaged_away() -> None:
    """scikit-learn's runs 1 and 2 lower at every point: replays spread over 24 points must
    not average that away as if each point's runs were drawn apart (a column is drawn whole);
    the estimator's and the Keras model's runs are separate trainings, drawn apart."""
    rng = np.random.default_rng(4)
    keras = np.full((24, RUNS), 0.85)
    estimator = np.array([0.82, 0.82, 0.86, 0.86, 0.86]) + rng.normal(0, 0.002, size=(24, RUNS))
    points, runs = list(rng.integers(24, size=1000)), list(rng.integers(RUNS, size=1000))
    a = _fits(points, runs, keras)
    b = {
        seed: FinalFit(f.point, f.run, tuple(float(v) for v in estimator[f.point]), "sklearn")
        for seed, f in _fits(points, runs, keras).items()
    }
    found = table_bootstrap(a, b, rope=0.005)
    assert found is not None and found.mean_difference > 0.004
    assert found.low < 0 < found.high and found.p > 0.05
