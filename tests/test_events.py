"""The events pipelines, tabulation and replay send and the journal keeps: every kind written as
the dict the previous version built for it (same keys, same order, same values) and read back
as the same event; anything else refused in one line; the pipe's and Dask's own messages never
taken for an event."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

import pytest
from reporting import recorded

from tunerbench.records.events import (
    EVENTS,
    CellTrained,
    Event,
    EventError,
    JournalCut,
    PhaseFinished,
    PipelineFinished,
    PipelineStarted,
    Replayed,
    ReplayFailed,
    TrialFinished,
    parse_event,
)
from tunerbench.records.schema import PhaseTiming
from tunerbench.run.child_process import ALIVE, CALL, ERROR, RETURN
from tunerbench.run.cluster_task import DONE, EVENT_JSON

RESULT = recorded()[0]
TRIAL = RESULT.search.trials[0]

# Each kind beside the dict the previous version built for it (where it differs, as each
# sender built it: a start on a Dask worker, one journaled without a place).
PREVIOUS: list[tuple[Event, dict[str, Any]]] = [
    (PipelineStarted(False, 6, "tcp://10.0.0.2:1", "node2", 4242),
     {"event": "start", "resumed": False, "planned": 6, "worker": "tcp://10.0.0.2:1",
      "host": "node2", "worker_pid": 4242}),
    (PipelineStarted(True, 6, ""), {"event": "start", "resumed": True, "planned": 6, "worker": ""}),
    (PipelineStarted(False), {"event": "start", "resumed": False}),
    (TrialFinished(TRIAL, 2.5), {"event": "trial", "trial": asdict(TRIAL), "search_cpu_s": 2.5}),
    (PhaseFinished("search", PhaseTiming(4.0, 5.0), None),
     {"event": "phase", "phase": "search", "timing": {"wall_s": 4.0, "cpu_s": 5.0},
      "curve": None}),
    (PhaseFinished("refit", PhaseTiming(1.0, 1.5), [0.5, 0.7]),
     {"event": "phase", "phase": "refit", "timing": {"wall_s": 1.0, "cpu_s": 1.5},
      "curve": [0.5, 0.7]}),
    (PipelineFinished(RESULT), {"event": "result", "result": RESULT.to_dict()}),
    (JournalCut(17), {"event": "cut", "bytes": 17}),
    (CellTrained("keras", 4, 3, 1.25),
     {"event": "cell", "framework": "keras", "point": 4, "seed": 3, "seconds": 1.25}),
    (Replayed(RESULT), {"event": "replayed", "result": RESULT.to_dict()}),
    (ReplayFailed("random", 2, "FatalError: table: no"),
     {"event": "replay_failed", "tuner": "random", "seed": 2, "message": "FatalError: table: no"}),
]  # fmt: skip


def test_every_kind_has_its_previous_form() -> None:
    assert {type(event) for event, _ in PREVIOUS} == set(EVENTS.values())


@pytest.mark.parametrize(("event", "previous"), PREVIOUS)
def test_an_event_is_written_and_read_as_the_previous_version_did(
    event: Event, previous: dict[str, Any]
) -> None:
    """Byte for byte the same JSON; read back from it (tags and keys of other versions beside
    it ignored), the same event."""
    assert json.dumps(event.to_dict()) == json.dumps(previous)
    tagged = {"run": "random-seed1", "tuner": "random", "seed": 1, "label": "x", **previous}
    assert parse_event(json.loads(json.dumps(tagged))) == event


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ([1, 2], "an event of unknown shape [1, 2]"),
        ({"kind": "start"}, "an event of unknown kind None"),
        ({"event": "finish"}, 'an event of unknown kind "finish"'),
        ({"event": "start", "resumed": "yes"},
         'a "start" event not of its shape: event.resumed: expected bool, got str'),
        ({"event": "trial", "search_cpu_s": 1.0},
         'a "trial" event not of its shape: event: missing field trial'),
        ({"event": "phase", "phase": "refit", "timing": {"wall_s": 1.0, "cpu_s": 1.0},
          "curve": [0.5, float("nan")]},
         'a "phase" event not of its shape: event.curve[1]: nan is not a finite number'),
        ({"event": "result", "result": {"tuner": 5}}, 'a "result" event not of its shape: result'),
        ({"event": "replayed"},
         'a "replayed" event not of its shape: result: expected an object, got null'),
    ],
)  # fmt: skip
def test_anything_else_is_refused_in_one_line(raw: Any, said: str) -> None:
    with pytest.raises(EventError) as caught:
        parse_event(raw)
    assert str(caught.value).startswith(said) and "\n" not in str(caught.value)


def test_the_pipes_and_the_topics_own_messages_are_no_events() -> None:
    """They travel under keys no event has, and no event's kind is named like one of them."""
    for message in ({CALL: RETURN, "value": 1}, {CALL: ERROR, "message": "x"}, {CALL: ALIVE},
                    {DONE: True, "label": "random-seed1"}):  # fmt: skip
        with pytest.raises(EventError, match="unknown kind None"):
            parse_event(message)
    assert {RETURN, ERROR, ALIVE, DONE}.isdisjoint(EVENTS)
    names = {f.name for kind in EVENTS.values() for f in fields(kind)}
    assert {CALL, DONE, EVENT_JSON}.isdisjoint(names | {"event"})
