"""The tuner names scripts rely on, importable without TensorFlow (the report needs them too)."""

from __future__ import annotations

TUNERS = ("random", "grid", "hyperband", "bayesian", "sklearn")


class TunerError(ValueError):
    """An unknown tuner name."""


def parse_tuners(spec: str) -> list[str]:
    """A comma list of tuner names, checked; e.g. ``"random,hyperband"``."""
    names = [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in TUNERS]
    if unknown or not names:
        raise TunerError(
            f"unknown tuner {', '.join(map(repr, unknown)) or 'list (empty)'}; "
            f"choose from {', '.join(TUNERS)}"
        )
    return names
