"""Pairwise win rates: how often each tuner beats each other one on the same seed.

Read from the pair tests (``pair_tests.PairwiseTests``), not counted again, so the win rates use the
same seeds and the same rounded differences (ties included) as the tests beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

from tunerbench.report.decision.statistics.pair_tests import PairwiseTests


@dataclass(frozen=True)
class WinRates:
    """matrix[a][b]: share of the seeds both ran where a beats b (tie = 1/2); diagonal None.

    Invariant: matrix[a][b] + matrix[b][a] == 1. A pair with no shared seed is None.
    """

    tuners: list[str]
    n_blocks: int
    matrix: dict[str, dict[str, float | None]]


def win_rates(tests: PairwiseTests) -> WinRates:
    """How often each tuner beats each other one on the same seed: the pairs' P(improvement)."""
    matrix: dict[str, dict[str, float | None]] = {a: {} for a in tests.tuners}
    for a in tests.tuners:
        for b in tests.tuners:
            if a == b:
                matrix[a][b] = None
                continue
            pair = tests.pair(a, b)
            share = pair.p_improvement if pair.a == a else 1.0 - pair.p_improvement
            matrix[a][b] = share if pair.n_blocks else None
    return WinRates(tests.tuners, tests.n_blocks, matrix)
