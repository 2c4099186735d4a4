"""One seed per phase, derived from the run's seed.

A run is reproducible from its seed, and tuners given the same seed share their randomness phase
by phase (common random numbers keep paired comparisons sharp), but no two phases share a
stream: the final fit trains a new model from its own initial weights and batch order, as the
reference run did, instead of replaying the refit's first epochs.
"""

from __future__ import annotations

import numpy as np

PHASE_STREAMS = {"search": 0, "refit": 1, "final": 2}


def phase_seed(seed: int, phase: str) -> int:
    """A seed in 1..2**31-1 for ``phase`` of the run seeded ``seed`` (never 0, which Keras Tuner
    takes as "pick one at random")."""
    state = np.random.SeedSequence([seed, PHASE_STREAMS[phase]]).generate_state(1)[0]
    return int(state) % (2**31 - 1) + 1


def phase_seeds(seed: int) -> dict[str, int]:
    """Every phase's seed for the run seeded ``seed``, as recorded with its result."""
    return {phase: phase_seed(seed, phase) for phase in PHASE_STREAMS}
