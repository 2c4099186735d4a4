"""The labels the report shows and keys its tables by: a run's environment (TensorFlow and Keras
versions) and its variant (the tuner, plus how it was run where that differs from the default),
each sorting in the order it carries rather than by its text."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from tunerbench.problems.builtin import PROBLEMS
from tunerbench.problems.problem import KERAS_FIT_LOOP
from tunerbench.records.run_result import RunResult
from tunerbench.search.registry import TUNERS
from tunerbench.training.loops import DEFAULT_LOOP


def default_loop(problem: str) -> str:
    """The loop a problem's runs train with unless ``--tb-loop`` says otherwise: a problem the
    loops do not apply to (a user's own) trains with Keras' own fit."""
    known = PROBLEMS.get(problem)
    return known.loop_for(DEFAULT_LOOP) if known is not None else KERAS_FIT_LOOP


class Label(str):
    """A label the report shows and keys its tables by (a string, so templates and dicts take
    it as one), carrying the order it sorts in, so no label is ever parsed back."""

    order: tuple[Any, ...]

    def __new__(cls, text: str, order: tuple[Any, ...]) -> Label:
        label = super().__new__(cls, text)
        label.order = order
        return label


def _order(label: str) -> tuple[Any, ...]:
    return getattr(label, "order", ((math.inf,), label))


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in text.split("."))


def environment(result: RunResult) -> Label:
    """TensorFlow and Keras versions, sorting oldest first."""
    versions = result.provenance.versions
    tf, keras = versions.get("tensorflow", "?"), versions.get("keras", "?")
    return Label(f"TF {tf} / Keras {keras}", (_version(tf), _version(keras)))


def tuner_position(tuner: str) -> int:
    """Where a tuner stands in the registry's order, as every table lists them; last if the
    registry does not know it."""
    return TUNERS.names.index(tuner) if tuner in TUNERS else len(TUNERS)


def variant(result: RunResult) -> Label:
    """The tuner, plus how it was run when that differs from the default (loop, workers),
    sorting in the tuners' registry order."""
    who = result.identity
    how = [who.loop] if who.loop != default_loop(who.problem_name) else []
    how += [f"{who.workers} workers"] if who.workers > 1 else []
    text = f"{who.tuner} [{', '.join(how)}]" if how else who.tuner
    return Label(text, ((tuner_position(who.tuner),), text))


def sort_labels(labels: Iterable[str]) -> list[str]:
    """Labels (environments, variants) once each, in the order they carry."""
    return sorted(set(labels), key=_order)


sort_environments = sort_variants = sort_labels


def in_run_order(runs: Iterable[RunResult]) -> list[RunResult]:
    """Runs sorted by variant name, environment and seed: the order of per-run lines and
    rows (alphabetical, so a tuner is easy to find in a long table)."""
    return sorted(runs, key=lambda r: (str(variant(r)), str(environment(r)), r.identity.seed))
