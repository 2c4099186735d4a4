"""Keras Tuner's own state files written so that a kill cannot half-write them.

Keras Tuner saves its oracle, each trial and the tuner as JSON in place, through one helper
(``keras_tuner.src.utils.save_json``). A process killed in the middle of such a write leaves an
empty or cut ``trial.json``, and the next ``--tb-resume`` fails while Keras Tuner reloads its
folder. The helper is replaced, once per process, by the same write done to a temporary file,
fsynced and renamed over the old one: a reload sees the previous state or the new one, never a
piece. What is written, and when, stays Keras Tuner's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tunerbench.records.atomic_file import atomic_write_text

MARK = "_tunerbench_atomic"


def save_json(path: str, obj: Any) -> str:
    """Keras Tuner's ``save_json``, written atomically; returns the JSON text like it."""
    text = json.dumps(obj)
    atomic_write_text(Path(path), text)
    return text


def make_keras_tuner_state_durable() -> None:
    from keras_tuner.src import utils

    if not getattr(utils.save_json, MARK, False):
        setattr(save_json, MARK, True)
        utils.save_json = save_json
