"""The region of practical equivalence (ROPE): how far apart two tuners' test accuracies may be
and still count as the same for choosing one. Its own module, without statistics imports, so
the options of ``pytest bench/`` and of the report command can check it up front."""

from __future__ import annotations

DEFAULT_ROPE = 0.005  # half a point of accuracy: smaller differences do not change a choice


def parse_rope(flag: str, value: str | float) -> float:
    """A ROPE as a fraction of accuracy, 0 < rope < 0.5; ValueError naming ``flag`` if not."""
    try:
        rope = float(value)
    except (TypeError, ValueError):
        rope = -1.0
    if not 0.0 < rope < 0.5:
        raise ValueError(
            f"{flag} must be a fraction of accuracy between 0 and 0.5 (0.005 = half a point), "
            f"got {str(value)!r}"
        )
    return rope
