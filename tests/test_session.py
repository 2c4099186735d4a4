"""``BenchSession`` driven the way the pytest plugin drives it (opened, pipelines submitted and
collected, closed), with a scripted executor in place of processes: every event journaled, the
results file rewritten after each pipeline, failures in one line, labels, an unwritable output
refused, closing that saves and lets go whatever ended the session, and a resumed session
reading back what was saved. The executor is the stand-in; the session is the real one under
test."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from reporting import THROUGHPUT, recorded

from tunerbench.pipeline.spec import PipelineSpec
from tunerbench.pipeline.task import EmittedEvents
from tunerbench.problems.builtin import PROBLEMS
from tunerbench.problems.problem import Problem
from tunerbench.records.events import PipelineStarted, TrialFinished
from tunerbench.records.journal import Journal, RunJournal, RunState
from tunerbench.records.results_file import load_file
from tunerbench.records.run_result import RunResult
from tunerbench.run import run_folder
from tunerbench.run.executors import EventFn
from tunerbench.run.options import BenchOptions, OptionsError
from tunerbench.run.progress import retried_note
from tunerbench.run.session import BenchSession, PipelineFailed

WORKER = "tcp://10.0.0.2:40000"
RECORDED = {r.identity.tuner: r for r in recorded()}  # digits, quick profile, seed 1, every tuner


class ScriptedExecutor:
    """An Executor whose pipelines are scripts: ``collect`` sends what a real pipeline sends
    (through the pipeline's own ``EmittedEvents``: a start stamped with its worker, each trial,
    each phase) and returns the recorded result of the spec's tuner, made the spec's run.

    ``starts`` gives, per label, the workers it starts on (more than one: retried after a lost
    worker); ``fail`` makes a label raise after its trials (a pipeline that died mid-search)."""

    slots = 2

    def __init__(
        self, starts: dict[str, list[str]] | None = None, fail: dict[str, Exception] | None = None
    ) -> None:
        self.starts = starts or {}
        self.fail = fail or {}
        self.submitted: list[PipelineSpec] = []
        self.collected: list[PipelineSpec] = []
        self.closed = False

    def submit(self, specs: list[PipelineSpec]) -> None:
        self.submitted.extend(specs)

    def collect(self, spec: PipelineSpec, on_event: EventFn) -> RunResult:
        self.collected.append(spec)
        workers = self.starts.get(spec.label, [WORKER])
        result = copy.deepcopy(RECORDED[spec.tuner]).replace(
            seed=spec.seed, loop=spec.loop, workers=spec.workers, session=spec.session,
            worker=workers[-1], dataset=spec.dataset, problem=spec.problem.get("name", ""),
        )  # fmt: skip
        for worker in workers:
            events = EmittedEvents(lambda e: on_event(spec.label, e), {"worker": worker})
            events.started(resumed=False, planned=len(result.search.trials))
            for trial in result.search.trials:
                events.trial(trial, search_cpu_s=trial.finished_at_s * 1.1)
        if spec.label in self.fail:
            raise self.fail[spec.label]
        for name, timing in result.cost.phases.items():
            events.phase(
                name, timing, result.search.refit_val_accuracy if name == "refit" else None
            )
        return result

    def close(self) -> None:
        self.closed = True


def _options(tmp_path: Path, **changes: Any) -> BenchOptions:
    values = {"tuners": "random,sklearn", "dataset": "digits", "profile": "quick"}
    return BenchOptions.parse(output=str(tmp_path), **{**values, **changes})


class Session:
    """An open session with a scripted executor and the lines it showed; closed after."""

    def __init__(self, options: BenchOptions, executor: ScriptedExecutor | None = None) -> None:
        self.lines: list[str] = []
        self.executor = executor or ScriptedExecutor()
        self.session = BenchSession(options, show=self.lines.append).open(executor=self.executor)


@pytest.fixture
def opened() -> Iterator[list[BenchSession]]:
    """Sessions to close at the end of a test, so no run folder stays locked."""
    sessions: list[BenchSession] = []
    yield sessions
    for session in sessions:
        session.close()


def _start(
    opened: list[BenchSession], options: BenchOptions, executor: ScriptedExecutor | None = None
) -> Session:
    made = Session(options, executor)
    opened.append(made.session)
    return made


def _journal(session: BenchSession) -> list[dict[str, Any]]:
    """The journal's lines as they are on disk."""
    text = (session.run_dir / "journal.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines()]


# -- collecting ------------------------------------------------------------------------------


def test_submit_hands_the_whole_matrix_over_once(
    tmp_path: Path, opened: list[BenchSession]
) -> None:
    """Duplicate keys are submitted once, in order; the study counts them and the slots."""
    made = _start(opened, _options(tmp_path, seeds=2))
    session = made.session
    keys = [session.key(t, s) for t in ("random", "sklearn") for s in (1, 2)]
    session.submit([*keys, keys[0]])
    labels = [s.label for s in made.executor.submitted]
    assert labels == ["random-seed1", "random-seed2", "sklearn-seed1", "sklearn-seed2"]
    assert (session.study.total, session.study.slots) == (4, ScriptedExecutor.slots)
    assert made.executor.collected == []  # nothing waited for yet


def test_collect_journals_every_event_then_the_result(
    tmp_path: Path, opened: list[BenchSession]
) -> None:
    """Start, each trial and each phase are journaled as they arrive, tagged with the run, then
    the result as the session completed it (attempts, the collector's memory)."""
    made = _start(opened, _options(tmp_path))
    session = made.session
    key = session.key("random", 1)
    session.submit([key, session.key("sklearn", 1)])
    result = session.collect(key)
    events = _journal(session)
    trials = RECORDED["random"].search.trials
    assert [e["event"] for e in events] == ["start"] + ["trial"] * len(trials) + [
        "phase",
        "phase",
        "phase",
        "result",
    ]
    assert {(e["run"], e["tuner"], e["seed"]) for e in events} == {("random-seed1", "random", 1)}
    assert (events[0]["worker"], events[0]["planned"]) == (WORKER, len(trials))
    assert [e["trial"]["trial_id"] for e in events if e["event"] == "trial"] == [
        t.trial_id for t in trials
    ]
    assert [e["phase"] for e in events if e["event"] == "phase"] == ["search", "refit", "final"]
    assert result.provenance.attempts == 1 and result.provenance.notes == []
    assert result.cost.collector_rss_mb is not None and result.cost.collector_rss_mb > 0
    assert RunResult.from_dict(events[-1]["result"]) == result
    # What a resumed session would replay for this run is the same result.
    assert RunJournal(Journal(session.journal.path), "random", 1).state().result == result


def test_collect_shows_start_trials_and_where_the_study_stands(
    tmp_path: Path, opened: list[BenchSession]
) -> None:
    """Shown live: the start with its worker, one line per trial, then the study's counts."""
    made = _start(opened, _options(tmp_path))
    session = made.session
    session.submit([session.key("random", 1), session.key("sklearn", 1)])
    session.collect(session.key("random", 1))
    first_trial = RECORDED["random"].search.trials[0]
    assert made.lines[0] == f"[random-seed1] started on {WORKER}"
    assert made.lines[1].startswith(
        f"[random-seed1] trial 1/6 val_accuracy {first_trial.val_accuracy:.4f}"
    )
    assert sum(line.startswith("[random-seed1] trial ") for line in made.lines) == 6
    assert made.lines[-1].startswith("[tunerbench] pipelines: 1 done, 0 running, 1 left of 2")


def test_the_results_file_is_rewritten_after_each_pipeline(
    tmp_path: Path, opened: list[BenchSession]
) -> None:
    """After every pipeline the file on disk holds every result so far (a kill loses none),
    and a measurement added later keeps them."""
    made = _start(opened, _options(tmp_path))
    session = made.session
    session.submit([session.key("random", 1), session.key("sklearn", 1)])
    assert not session.results_path.exists()
    first = session.collect(session.key("random", 1))
    assert load_file(session.results_path) == ([first], [])
    second = session.collect(session.key("sklearn", 1))
    assert load_file(session.results_path) == ([first, second], [])
    session.add_perf(dict(THROUGHPUT))
    results, perf = load_file(session.results_path)
    assert [r.identity.tuner for r in results] == ["random", "sklearn"] and perf[0]["ratio"] == 1.4
    document = json.loads(session.results_path.read_text())
    assert document["created"] == session.created
    assert session.results_path == tmp_path / f"tunerbench-{session.name}.json"


def test_a_failing_pipeline_raises_one_line_naming_it(
    tmp_path: Path, opened: list[BenchSession]
) -> None:
    """The failure names the label and the error; nothing is saved for it, its events up to
    the failure stay journaled, it counts as done, and the next pipeline still runs."""
    executor = ScriptedExecutor(fail={"random-seed1": RuntimeError("worker tcp://x:1 lost")})
    made = _start(opened, _options(tmp_path), executor)
    session = made.session
    session.submit([session.key("random", 1), session.key("sklearn", 1)])
    with pytest.raises(PipelineFailed) as caught:
        session.collect(session.key("random", 1))
    assert str(caught.value) == "random-seed1: RuntimeError: worker tcp://x:1 lost"
    assert session.results == [] and not session.results_path.exists()
    assert session.finished(session.key("random", 1)) is None
    assert "result" not in {e["event"] for e in _journal(session)}
    assert (session.study.done, session.study.running) == (1, set())
    session.collect(session.key("sklearn", 1))
    (saved,) = load_file(session.results_path)[0]
    assert saved.identity.tuner == "sklearn"


def test_a_multi_line_error_still_fails_in_one_line(
    tmp_path: Path, opened: list[BenchSession]
) -> None:
    """PipelineFailed promises one line whatever the executor raised."""
    executor = ScriptedExecutor(fail={"random-seed1": ValueError("first line\nsecond line")})
    made = _start(opened, _options(tmp_path), executor)
    with pytest.raises(PipelineFailed) as caught:
        made.session.collect(made.session.key("random", 1))
    assert str(caught.value) == "random-seed1: ValueError: first line"


def test_a_retried_pipeline_counts_its_attempts_and_says_where(
    tmp_path: Path, opened: list[BenchSession]
) -> None:
    """Two fresh starts (a lost worker, then another): attempts 2, and a note naming both."""
    workers = ["tcp://10.0.0.2:1", "tcp://10.0.0.3:1"]
    made = _start(opened, _options(tmp_path), ScriptedExecutor(starts={"random-seed1": workers}))
    result = made.session.collect(made.session.key("random", 1))
    assert result.provenance.attempts == 2
    journaled = RunJournal(made.session.journal, "random", 1).events()
    assert result.provenance.notes == [retried_note(journaled)]
    assert result.provenance.notes[0].startswith(f"started 2 times ({workers[0]}, {workers[1]})")
    (saved,) = load_file(made.session.results_path)[0]
    assert saved.provenance.attempts == 2 and saved.provenance.notes == result.provenance.notes


def test_finished_finds_only_the_same_pipeline(tmp_path: Path, opened: list[BenchSession]) -> None:
    """A result answers for its problem, tuner, seed, loop and workers, and only for those; a
    finished pipeline is not submitted again."""
    made = _start(opened, _options(tmp_path, seeds=2))
    session = made.session
    session.add_problem(PROBLEMS["fashion_mnist"])  # the same MLP on other data
    key = session.key("random", 1)
    assert session.finished(key) is None
    result = session.collect(key)
    assert session.finished(session.key("random", 1)) is result
    others = [
        session.key("random", 2),
        session.key("sklearn", 1),
        session.key("random", 1, loop="keras-default"),
        session.key("random", 1, workers=2),
        session.key("random", 1, problem="fashion_mnist"),
    ]
    assert [session.finished(k) for k in others] == [None] * len(others)
    session.submit([key, *others])
    assert [s.label for s in made.executor.submitted] == [
        "random-seed2",
        "sklearn-seed1",
        "random-seed1-keras-default",
        "random-seed1-2workers",
        "fashion_mnist-random-seed1",
    ]
    assert session.study.total == 5


OTHER = {"loop": "keras-default", "workers": 2}  # options other than the defaults


@pytest.mark.parametrize(
    ("options", "key", "label"),
    [
        ({}, ("random", 3, None, None, None), "random-seed3"),
        ({}, ("random", 1, "fast", 1, "digits"), "random-seed1"),  # the options' own: plain
        ({}, ("grid", 1, "keras-default", None, None), "grid-seed1-keras-default"),
        ({}, ("grid", 2, None, 3, None), "grid-seed2-3workers"),
        ({}, ("grid", 2, "keras-default", 3, None), "grid-seed2-keras-default-3workers"),
        ({}, ("grid", 1, None, None, "fashion_mnist"), "fashion_mnist-grid-seed1"),
        # Keras' own fit is the only loop of the CNN: the loop asked for is not its difference.
        ({}, ("grid", 1, "fast", None, "fashion_cnn"), "fashion_cnn-grid-seed1"),
        (OTHER, ("random", 1, None, None, None), "random-seed1"),
        (OTHER, ("random", 1, "fast", 1, None), "random-seed1-fast-1workers"),
    ],
)  # fmt: skip
def test_labels_say_only_how_a_run_differs_from_the_options(
    tmp_path: Path, options: dict[str, Any], key: tuple[Any, ...], label: str
) -> None:
    """``tuner-seedN``, prefixed by a problem other than the options' and followed by the loop
    and workers only where they differ from the options (the loop as the problem trains); the
    label also names the run's Keras Tuner folder."""
    session = BenchSession(_options(tmp_path, tuners="random,grid", **options), show=print)
    for problem in ("fashion_mnist", "fashion_cnn"):
        session.add_problem(PROBLEMS[problem])
    tuner, seed, loop, workers, problem = key
    spec = session.spec(session.key(tuner, seed, loop=loop, workers=workers, problem=problem))
    assert spec.label == label
    assert spec.directory == str(session.run_dir / label)
    assert (spec.tuner, spec.seed) == (tuner, seed)
    tuned = PROBLEMS[problem or session.options.problem]
    assert spec.problem["name"] == tuned.name and spec.dataset == tuned.dataset
    assert spec.loop == tuned.loop_for(loop or session.options.loop)
    assert spec.workers == (workers or session.options.workers)


def test_a_pipeline_collected_without_submit_still_runs(
    tmp_path: Path, opened: list[BenchSession]
) -> None:
    """Collecting a key never submitted builds its spec then; its events are journaled under it."""
    made = _start(opened, _options(tmp_path))
    result = made.session.collect(made.session.key("sklearn", 1, loop="keras-default"))
    assert [s.label for s in made.executor.collected] == ["sklearn-seed1-keras-default"]
    assert (result.identity.tuner, result.identity.loop) == ("sklearn", "keras-default")
    assert {e["run"] for e in _journal(made.session)} == {"sklearn-seed1-keras-default"}


# -- the run folder --------------------------------------------------------------------------


def test_an_unwritable_output_is_refused_naming_tb_output(tmp_path: Path) -> None:
    """Before any training: one line naming the folder and --tb-output, nothing held (the
    executor reached before it is let go again)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    output = blocker / "reports"
    session = BenchSession(_options(output), show=print)
    executor = ScriptedExecutor()
    with pytest.raises(OptionsError) as caught:
        session.open(executor=executor)
    message = str(caught.value)
    assert message.startswith(f"cannot write results to {output} (")
    assert message.endswith("; choose another folder with --tb-output") and "\n" not in message
    assert session.lock is None and blocker.read_text() == ""
    assert executor.closed and session.executor is None


def test_leaving_the_session_saves_what_it_holds_and_lets_go(tmp_path: Path) -> None:
    """Whatever ends the ``with`` (here an interruption), the results not saved yet (a replay
    saves every few seconds) are saved, then the executor and the folder are let go."""
    executor = ScriptedExecutor()
    with (
        pytest.raises(KeyboardInterrupt),
        BenchSession(_options(tmp_path), show=print).open(executor=executor) as session,
    ):
        session.collect(session.key("random", 1))
        session.results.append(RECORDED["sklearn"])  # as a replay keeps a result
        raise KeyboardInterrupt
    assert [r.identity.tuner for r in load_file(session.results_path)[0]] == ["random", "sklearn"]
    assert executor.closed and session.lock is None and session.executor is None
    run_folder.hold(session.run_dir).release()  # free again


def test_open_records_the_options_and_holds_the_folder(
    tmp_path: Path, opened: list[BenchSession]
) -> None:
    """session.json holds the identity, the data and the creation time; the folder is held
    until close(), which also closes the executor."""
    made = _start(opened, _options(tmp_path, seeds=2))
    session = made.session
    saved = json.loads((session.run_dir / "session.json").read_text())
    assert saved == {
        "created": session.created,
        "options": session.options.identity(),
        "data": session.matrix.data_fingerprint,
    }
    with pytest.raises(run_folder.FolderBusy):
        run_folder.hold(session.run_dir)
    session.close()
    assert made.executor.closed and session.lock is None
    run_folder.hold(session.run_dir).release()  # free again


# -- resuming --------------------------------------------------------------------------------


def _first_session(tmp_path: Path, executor: ScriptedExecutor | None = None) -> BenchSession:
    """A closed session that ran random seed 1 (and tried sklearn seed 1 if scripted to fail)
    and saved a measurement."""
    made = Session(_options(tmp_path), executor)
    session = made.session
    session.submit([session.key("random", 1), session.key("sklearn", 1)])
    session.collect(session.key("random", 1))
    session.add_perf(dict(THROUGHPUT))
    if executor is not None:
        with pytest.raises(PipelineFailed):
            session.collect(session.key("sklearn", 1))
    session.close()
    return session


def test_resuming_reads_back_what_was_saved(tmp_path: Path, opened: list[BenchSession]) -> None:
    """The same folder, results file and creation time; the finished run from the journal
    and the measurement from the results file; only the rest is submitted, and saving keeps
    both."""
    first = _first_session(tmp_path)
    made = _start(opened, _options(tmp_path, resume=True))
    session = made.session
    assert (session.name, session.run_dir, session.results_path) == (
        first.name,
        first.run_dir,
        first.results_path,
    )
    assert made.lines == [f"--tb-resume: continuing session {first.name} ({first.run_dir})"]
    assert session.results == first.results and session.created == first.created
    assert session.perf == [THROUGHPUT]
    assert session.finished(session.key("random", 1)) == first.results[0]
    session.submit([session.key("random", 1), session.key("sklearn", 1)])
    assert [s.label for s in made.executor.submitted] == ["sklearn-seed1"]
    session.collect(session.key("sklearn", 1))
    results, perf = load_file(session.results_path)
    assert [r.identity.tuner for r in results] == ["random", "sklearn"] and perf == session.perf


def test_resuming_hands_an_interrupted_pipeline_its_journaled_events(
    tmp_path: Path, opened: list[BenchSession]
) -> None:
    """The pipeline that died mid-search here continues in its own Keras Tuner folder, given
    the events it journaled before (its trials are not run again)."""
    died = ScriptedExecutor({"sklearn-seed1": [""]}, fail={"sklearn-seed1": RuntimeError("killed")})
    first = _first_session(tmp_path, died)
    made = _start(opened, _options(tmp_path, resume=True))
    spec = made.session.spec(made.session.key("sklearn", 1))
    before = RunJournal(first.journal, "sklearn", 1).events()
    assert [type(e) for e in before] == [PipelineStarted] + [TrialFinished] * 6
    assert spec.resume is True and spec.earlier_events == before
    assert spec.directory == str(first.run_dir / "sklearn-seed1")
    assert PipelineSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


def _line_of_the_previous_version(event: dict[str, Any], tuner: str) -> bytes:
    """A journal line as the previous version wrote it: the dict its ``PipelineEvents`` built
    (or the session, for a result), then ``RunJournal.emit``'s tags of seed 1."""
    tags = {"run": f"{tuner}-seed1", "tuner": tuner, "seed": 1}
    return (json.dumps({**event, **tags}, allow_nan=False) + "\n").encode("utf-8")


def _previous_version_events(result: RunResult, worker: str) -> list[dict[str, Any]]:
    """The dicts the previous version sent and journaled for a pipeline that ``ScriptedExecutor``
    ran: its start, each trial, each phase, then the session's result."""
    curves = {"refit": result.search.refit_val_accuracy}
    trials = result.search.trials
    return [
        {"event": "start", "resumed": False, "planned": len(trials), "worker": worker},
        *({"event": "trial", "trial": asdict(t), "search_cpu_s": t.finished_at_s * 1.1}
          for t in trials),
        *({"event": "phase", "phase": name, "timing": asdict(timing), "curve": curves.get(name)}
          for name, timing in result.cost.phases.items()),
        {"event": "result", "result": result.to_dict()},
    ]  # fmt: skip


def test_a_journal_of_the_previous_version_resumes(
    tmp_path: Path, opened: list[BenchSession]
) -> None:
    """A journal of dict events as the previous version wrote them (a finished pipeline, a cut
    note, one interrupted mid-search here, a torn last line) resumes: its result read back, the
    interrupted pipeline handed its trials, the torn line counted and cut away, and the lines
    appended after them written the same way, byte for byte."""
    first = _first_session(tmp_path)
    done, trials = first.results[0], RECORDED["sklearn"].search.trials[:3]
    interrupted = [
        {"event": "start", "resumed": False, "planned": 6, "worker": ""},
        *({"event": "trial", "trial": asdict(t), "search_cpu_s": 1.5} for t in trials),
    ]
    old = b"".join(
        [*(_line_of_the_previous_version(e, "random") for e in _previous_version_events(done, "")),
         b'{"event": "cut", "bytes": 17}\n',
         *(_line_of_the_previous_version(e, "sklearn") for e in interrupted)]
    )  # fmt: skip
    torn = b'{"event": "trial", "run": "skl'
    first.journal.path.write_bytes(old + torn)

    made = _start(opened, _options(tmp_path, resume=True))
    session = made.session
    assert session.results == [done]
    assert made.lines[-1] == (
        f"{first.journal.path}: 1 damaged line(s) skipped (each loses at most the event it held)"
    )
    spec = session.spec(session.key("sklearn", 1))
    assert spec.earlier_events == [
        PipelineStarted(resumed=False, planned=6, worker=""),
        *(TrialFinished(t, 1.5) for t in trials),
    ]
    earlier = RunState.from_events(spec.earlier_events)
    assert (earlier.trials, earlier.search_cpu_s, earlier.attempts) == (trials, 1.5, 1)

    session.submit([session.key("random", 1), session.key("sklearn", 1)])
    assert [s.label for s in made.executor.submitted] == ["sklearn-seed1"]
    result = session.collect(session.key("sklearn", 1))
    written = first.journal.path.read_bytes()
    assert written.startswith(old)
    appended = written[len(old) :].splitlines(keepends=True)
    assert appended[0] == b'{"event": "cut", "bytes": %d}\n' % len(torn)
    assert appended[1:] == [
        _line_of_the_previous_version(e, "sklearn")
        for e in _previous_version_events(result, WORKER)
    ]


def test_a_pipeline_interrupted_on_a_worker_starts_over_here(
    tmp_path: Path, opened: list[BenchSession]
) -> None:
    """Its last attempt searched on a worker: resumed here, it gets none of those trials (they
    would be added to a new search), and the folder an older attempt here left is set aside."""
    died = ScriptedExecutor(
        {"sklearn-seed1": ["", WORKER]}, fail={"sklearn-seed1": RuntimeError("killed")}
    )
    first = _first_session(tmp_path, died)
    (first.run_dir / "sklearn-seed1").mkdir()  # Keras Tuner's folder of the attempt here
    made = _start(opened, _options(tmp_path, resume=True))
    spec = made.session.spec(made.session.key("sklearn", 1))
    assert spec.resume is True and spec.earlier_events == []
    assert not Path(spec.directory).exists()
    assert (first.run_dir / "sklearn-seed1.attempt-1").is_dir()


def test_resuming_with_more_seeds_grows_the_session(
    tmp_path: Path, opened: list[BenchSession]
) -> None:
    """More seeds: the session says which it adds and records them, so the next resume finds
    it with its new seeds; only the new seeds' pipelines are submitted."""
    first = _first_session(tmp_path)
    made = _start(opened, _options(tmp_path, resume=True, seeds=3))
    session = made.session
    assert made.lines == [
        f"--tb-resume: continuing session {first.name} ({first.run_dir}), adding seeds 2-3"
    ]
    saved = json.loads((session.run_dir / "session.json").read_text())
    assert saved["options"]["seeds"] == 3 and saved["created"] == first.created
    keys = [session.key(t, s) for t in ("random", "sklearn") for s in session.options.seed_values]
    session.submit(keys)
    assert [s.label for s in made.executor.submitted] == [
        "random-seed2",
        "random-seed3",
        "sklearn-seed1",
        "sklearn-seed2",
        "sklearn-seed3",
    ]


def test_resuming_skips_a_damaged_journal_line_and_says_so(
    tmp_path: Path, opened: list[BenchSession]
) -> None:
    """A damaged journal line is counted and reported; the results around it are read back."""
    first = _first_session(tmp_path)
    with open(first.journal.path, "ab") as handle:
        handle.write(b'{"event": "trial", "run": "sklea\n')  # a line a crash left behind
    made = _start(opened, _options(tmp_path, resume=True))
    assert made.lines[-1] == (
        f"{first.journal.path}: 1 damaged line(s) skipped (each loses at most the event it held)"
    )
    assert made.session.results == first.results


def test_a_declared_problem_may_not_take_a_built_in_name(tmp_path: Path) -> None:
    session = BenchSession(_options(tmp_path), show=lambda line: None)
    impostor = Problem(name="digits", hypermodel="somewhere:build", dataset="digits")
    with pytest.raises(OptionsError, match="two different problems are called 'digits'"):
        session.add_problem(impostor)
    session.add_problem(PROBLEMS["digits"])  # the built-in itself is welcome
