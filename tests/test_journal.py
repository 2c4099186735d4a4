"""The append-only journal and what a resumed run reads back from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tunerbench.records.journal import Journal, RunJournal
from tunerbench.records.results_file import ResultsError
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


def test_a_line_cut_by_a_kill_is_ignored_but_damage_inside_is_not(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = RunJournal(Journal(path), "random", 1)
    journal.trial(_trial("0", 1.0), search_cpu_s=1.0)
    with open(path, "a") as handle:
        handle.write('{"event": "trial", "tuner": "ran')  # the write a SIGKILL interrupted
    assert [t.trial_id for t in journal.state().trials] == ["0"]
    path.write_text('{"broken\n' + path.read_text())
    with pytest.raises(ResultsError, match="line 1 is not JSON"):
        journal.state()


def test_a_trial_journaled_twice_counts_once(tmp_path: Path) -> None:
    journal = RunJournal(Journal(tmp_path / "j.jsonl"), "random", 1)
    journal.trial(_trial("0", 1.0), search_cpu_s=1.0)
    journal.trial(_trial("0", 1.0), search_cpu_s=1.0)
    journal.started(resumed=True)
    state = journal.state()
    assert len(state.trials) == 1 and state.interruptions == 1
