"""What a running session prints, computed from pipeline events alone: one line per trial with
the best score so far, and the study's done/running/left with an estimate of the time left."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tunerbench.records.events import PipelineStarted, TrialFinished, parse_event
from tunerbench.records.schema import TrialRecord
from tunerbench.run import progress
from tunerbench.run.progress import RunProgress, StudyProgress, retried_note


def _trial(score: float | None, **changes: Any) -> TrialRecord:
    """A trial event's record as a pipeline sends it."""
    record = {"trial_id": "0", "hyperparameters": {"units": 32}, "val_accuracy": score,
              "epochs": 4, "wall_s": 2.46, "finished_at_s": 12.4, "status": "COMPLETED",
              "message": None, "rss_mb": 700.0, "schedule": {}}  # fmt: skip
    return TrialRecord(**{**record, **changes})


class Clock:
    """A stand-in for time.monotonic that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(progress.time, "monotonic", fake)
    return fake


# -- RunProgress -----------------------------------------------------------------------------


def test_a_trial_line_says_count_score_best_epochs_and_times() -> None:
    """One trial's line: count/planned, score, best, epochs, wall time and elapsed time."""
    run = RunProgress("random-seed1", planned=6)
    line = run.trial_line(_trial(0.91234))
    assert line == (
        "[random-seed1] trial 1/6 val_accuracy 0.9123 (best 0.9123), 4 epochs in 2.5s, elapsed 12s"
    )


def test_the_best_is_the_highest_score_so_far_and_trials_are_counted() -> None:
    """Trials count up and the best is the highest score so far, not the latest."""
    run = RunProgress("grid-seed2", planned=3)
    lines = [run.trial_line(_trial(s)) for s in (0.5, 0.8, 0.6)]
    assert [line.split("] ")[1].split(" val")[0] for line in lines] == [
        "trial 1/3",
        "trial 2/3",
        "trial 3/3",
    ]
    assert "val_accuracy 0.6000 (best 0.8000)" in lines[2]
    assert (run.trials, run.best) == (3, 0.8)


def test_a_failed_trial_shows_its_status_and_message_and_keeps_the_best() -> None:
    """A trial without a score says 'failed', names why, and does not reset the best."""
    run = RunProgress("bayesian-seed1", planned=4)
    run.trial_line(_trial(0.7))
    line = run.trial_line(
        _trial(None, status="FAILED", message="training loss became nan", epochs=None)
    )
    assert "trial 2/4 val_accuracy failed (best 0.7000), 0 epochs in" in line
    assert line.endswith("[FAILED: training loss became nan]")
    assert run.best == 0.7


def test_no_score_yet_is_shown_as_failed_best() -> None:
    """Before any scored trial the best is unknown, shown as 'failed' rather than a number."""
    line = RunProgress("sklearn-seed1").trial_line(_trial(None, status="INVALID", message="x"))
    assert "trial 1/0 val_accuracy failed (best failed)" in line


def test_a_record_without_a_status_counts_as_completed() -> None:
    """A trial record sent without a status (an older pipeline's) gets no problem suffix."""
    record = {"trial_id": "0", "hyperparameters": {}, "val_accuracy": 0.5, "epochs": 4,
              "wall_s": 2.46, "finished_at_s": 12.4}  # fmt: skip
    event = parse_event({"event": "trial", "trial": record, "search_cpu_s": 1.0})
    assert isinstance(event, TrialFinished)
    assert "[" not in RunProgress("r").trial_line(event.trial).split("]", 1)[1]


@given(st.lists(st.one_of(st.none(), st.floats(0.0, 1.0)), min_size=1, max_size=30))
def test_best_is_the_maximum_of_the_scores_seen(scores: list[float | None]) -> None:
    """For any scores, the best is the maximum of those known and the count is all of them."""
    run = RunProgress("random-seed1", planned=len(scores))
    for score in scores:
        run.trial_line(_trial(score))
    known = [s for s in scores if s is not None]
    assert run.best == (max(known) if known else None)
    assert run.trials == len(scores)


# -- StudyProgress ---------------------------------------------------------------------------


def test_a_fresh_study_has_everything_left_and_no_estimate() -> None:
    """Before anything finishes there is nothing to estimate from."""
    line = StudyProgress(total=3, slots=1).line()
    assert line == "[tunerbench] pipelines: 0 done, 0 running, 3 left of 3"


def test_running_and_done_are_counted_and_the_estimate_uses_the_mean(clock: Clock) -> None:
    """After two pipelines of 60 s and 120 s, one running and one left, on two slots:
    90 s x (1 left + 1 running / 2) / 2 slots = 67.5 s = 1.1 min."""
    study = StudyProgress(total=4, slots=2)
    study.start("a")
    clock.now += 60
    study.finish("a")
    study.start("b")
    clock.now += 120
    study.finish("b")
    study.start("c")
    assert study.seconds == [60.0, 120.0]
    assert study.line() == (
        "[tunerbench] pipelines: 2 done, 1 running, 1 left of 4; "
        "about 1.1 min left (90 s per pipeline)"
    )


@pytest.mark.parametrize(("slots", "minutes"), [(1, "3.0"), (3, "1.0")])
def test_the_estimate_is_shared_over_the_slots(clock: Clock, slots: int, minutes: str) -> None:
    """The time left is divided by the pipelines that run at once."""
    study = StudyProgress(total=4, slots=slots)
    study.start("a")
    clock.now += 60
    study.finish("a")
    assert study.line().endswith(f"about {minutes} min left (60 s per pipeline)")


def test_zero_slots_do_not_divide_by_zero(clock: Clock) -> None:
    """An executor reporting 0 slots is counted as 1."""
    study = StudyProgress(total=2, slots=0)
    study.start("a")
    clock.now += 30
    study.finish("a")
    assert study.line().endswith("about 0.5 min left (30 s per pipeline)")


def test_a_finished_study_gives_no_estimate(clock: Clock) -> None:
    """Nothing left and nothing running: no time left is shown."""
    study = StudyProgress(total=1, slots=1)
    study.start("a")
    clock.now += 10
    study.finish("a")
    assert study.line() == "[tunerbench] pipelines: 1 done, 0 running, 0 left of 1"


def test_starting_twice_keeps_the_first_start(clock: Clock) -> None:
    """A retried pipeline's time counts from its first start (what the user waited)."""
    study = StudyProgress(total=1, slots=1)
    study.start("a")
    clock.now += 40
    study.start("a")
    clock.now += 5
    study.finish("a")
    assert study.seconds == [45.0] and study.running == set()


def test_a_pipeline_finished_without_a_start_counts_done_without_a_time() -> None:
    """A pipeline that failed before its start event is done, but has no time to average."""
    study = StudyProgress(total=2, slots=1)
    study.finish("never-started")
    assert study.done == 1 and study.seconds == []
    assert study.line() == "[tunerbench] pipelines: 1 done, 0 running, 1 left of 2"


def test_left_is_never_negative() -> None:
    """Collecting more pipelines than were submitted never shows a negative count."""
    study = StudyProgress(total=1, slots=1)
    study.finish("a")
    study.finish("b")
    study.start("c")
    assert "0 left of 1" in study.line()


# -- retried_note ----------------------------------------------------------------------------


def test_the_retried_note_names_where_each_fresh_start_ran() -> None:
    """Resumed starts are not attempts; a start without a worker ran on this machine."""
    events = [
        PipelineStarted(resumed=False, worker="tcp://10.0.0.2:4000"),
        TrialFinished(_trial(0.5), 1.0),
        PipelineStarted(resumed=True, worker="tcp://10.0.0.2:4000"),
        PipelineStarted(resumed=False, worker=""),
        PipelineStarted(resumed=False),
    ]
    assert retried_note(events) == (
        "started 3 times (tcp://10.0.0.2:4000, this machine, this machine): the earlier "
        "attempts were lost with their worker or the session; only the last attempt's work "
        "is counted"
    )
