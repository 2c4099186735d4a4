"""The append-only journal and what a resumed run reads back from it."""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tunerbench.records.events import JournalCut, TrialFinished
from tunerbench.records.journal import Entry, Journal, RunJournal, cut_to_last_line, saved_results
from tunerbench.records.schema import PhaseTiming, TrialRecord


def _trial(trial_id: str, at: float) -> TrialRecord:
    return TrialRecord(trial_id, {"units": 16, "learning_rate": 0.01}, 0.5, 2, 1.0, at)


def test_events_are_kept_per_tuner_and_seed(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    random1, grid1 = RunJournal(journal, "random", 1), RunJournal(journal, "grid", 1)
    random1.started(resumed=False)
    random1.trial(_trial("0", 1.5), search_cpu_s=2.0)
    grid1.trial(_trial("0", 9.0), search_cpu_s=9.0)
    random1.trial(_trial("1", 3.5), search_cpu_s=4.0)
    random1.phase("search", PhaseTiming(4.0, 5.0))
    random1.phase("refit", PhaseTiming(1.0, 1.0), [0.5, 0.7, 0.6])
    state = random1.state()
    assert [t.trial_id for t in state.trials] == ["0", "1"]
    assert state.search_wall_s == 3.5 and state.search_cpu_s == 4.0
    assert state.phases["search"] == PhaseTiming(4.0, 5.0)
    assert state.refit_curve == [0.5, 0.7, 0.6]
    assert state.result is None and state.interruptions == 0


def test_a_cut_line_is_cut_away_before_the_next_append(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = RunJournal(Journal(path), "random", 1)
    journal.trial(_trial("0", 1.0), search_cpu_s=1.0)
    torn = '{"event": "trial", "tuner": "ran'  # the write a SIGKILL interrupted
    with open(path, "a") as handle:
        handle.write(torn)
    assert [t.trial_id for t in journal.state().trials] == ["0"]
    journal.trial(_trial("1", 2.0), search_cpu_s=2.0)  # a resumed session appends
    entries = Journal(path).entries()
    assert [type(e.event) for e in entries] == [TrialFinished, JournalCut, TrialFinished]
    assert entries[1] == Entry(JournalCut(len(torn)))  # the journal's own note: no pipeline's
    assert path.read_text().splitlines()[1] == f'{{"event": "cut", "bytes": {len(torn)}}}'
    assert [t.trial_id for t in journal.state().trials] == ["0", "1"]


def test_damage_inside_an_old_journal_is_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    RunJournal(journal, "random", 1).trial(_trial("0", 1.0), search_cpu_s=1.0)
    path.write_bytes(b'{"broken\n[1, 2]\n\xff\xfe\n' + path.read_bytes())
    assert [type(e.event) for e in journal.entries()] == [TrialFinished]
    assert journal.damaged == 3


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=8),
    tail=st.binary(max_size=200),
)
def test_cutting_keeps_every_complete_line(lines: list[bytes], tail: bytes) -> None:
    """Whatever a cut left behind, only the bytes after the last newline go."""
    complete = b"".join(line + b"\n" for line in lines)
    handle = io.BytesIO(complete + tail)
    cut = cut_to_last_line(handle)
    kept = handle.getvalue()
    last = tail.rfind(b"\n")
    expected = complete + (tail[: last + 1] if last >= 0 else b"")
    assert kept == expected and cut == len(complete + tail) - len(expected)


def test_a_trial_journaled_twice_counts_once(tmp_path: Path) -> None:
    journal = RunJournal(Journal(tmp_path / "j.jsonl"), "random", 1)
    journal.trial(_trial("0", 1.0), search_cpu_s=1.0)
    journal.trial(_trial("0", 1.0), search_cpu_s=1.0)
    journal.started(resumed=True)
    state = journal.state()
    assert len(state.trials) == 1 and state.interruptions == 1


def test_events_of_the_wrong_shape_are_skipped_not_fatal(tmp_path: Path) -> None:
    """A line of no known kind, or not of its kind's shape, or with a wrong tag, is a damaged
    line: skipped and counted, losing what it held and nothing else."""
    path = tmp_path / "j.jsonl"
    journal = RunJournal(Journal(path), "random", 1)
    journal.trial(_trial("0", 1.0), search_cpu_s=1.0)
    tags = {"run": "random-seed1", "tuner": "random", "seed": 1}
    wrong = [
        {"event": "trial", "trial": {"trial_id": "1"}, "search_cpu_s": 2.0, **tags},
        {"event": "phase", "phase": "refit", "timing": "fast", "curve": None, **tags},
        {"event": "result", "result": {"tuner": 5}, **tags},
        {"event": "finish", **tags},
        {"event": "start", "resumed": False, **tags, "seed": "one"},
    ]
    with open(path, "a") as handle:
        handle.writelines(json.dumps(event) + "\n" for event in wrong)
    state = journal.state()
    assert [t.trial_id for t in state.trials] == ["0"] and state.phases == {}
    assert state.result is None and state.attempts == 0
    assert saved_results(journal.journal.entries()) == [] and journal.journal.damaged == 5


# Values as a line may spell them that do not round-trip through JSON: literals Python's reader
# accepts (NaN, infinities, 1e999 read as one) and lone surrogates (no UTF-8 file holds one).
ODD = ["NaN", "Infinity", "-1e999", '"\\ud800"', '"a\\udfff"', "1e-400", "-0.0", "5e-324"]


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["trial", "timing", "curve", "search_cpu_s"]),
    field=st.sampled_from(["trial_id", "val_accuracy", "wall_s", "finished_at_s", "message"]),
    literal=st.sampled_from(ODD),
)
def test_what_a_journal_replays_writes_back(
    kind: str, field: str, literal: str, tmp_path_factory
) -> None:
    """A journal line holding a value JSON cannot hold (edited by hand, or by another program)
    is an event of the wrong shape: skipped, so what a resumed pipeline replays always writes
    into the next event and the results file, and reads back the same."""
    path = tmp_path_factory.mktemp("journal") / "journal.jsonl"
    journal = RunJournal(Journal(path), "random", 1)
    journal.trial(_trial("0", 1.0), search_cpu_s=1.0)
    events = {
        "trial": {"event": "trial", "trial": {**asdict(_trial("1", 2.0)), field: "MARK"},
                  "search_cpu_s": 2.0},
        "search_cpu_s": {"event": "trial", "trial": asdict(_trial("1", 2.0)),
                         "search_cpu_s": "MARK"},
        "timing": {"event": "phase", "phase": "search", "timing": {"wall_s": "MARK", "cpu_s": 1.0},
                   "curve": None},
        "curve": {"event": "phase", "phase": "refit", "timing": {"wall_s": 1.0, "cpu_s": 1.0},
                  "curve": [0.5, "MARK"]},
    }  # fmt: skip
    event = {**events[kind], "run": "random-seed1", "tuner": "random", "seed": 1}
    with open(path, "a") as handle:
        handle.write(json.dumps(event).replace('"MARK"', literal) + "\n")
    state = journal.state()
    replayed = {
        "trials": [asdict(t) for t in state.trials],
        "search_cpu_s": state.search_cpu_s,
        "phases": {name: asdict(t) for name, t in state.phases.items()},
        "curve": state.refit_curve,
    }
    text = json.dumps(replayed, allow_nan=False)
    text.encode("utf-8")
    assert json.loads(text) == replayed
