"""One ``pytest bench/`` session: checked options, the data, the run directory, saved results.

Kept apart from pytest so the same session can be driven by any front end: made from a
``BenchOptions`` (``run.options``), it answers for the pipelines it can run (``key``,
``problems``) before anything is held; ``with session.open(problems):`` opens it in the one order
that fails before anything trains and closes it whatever happens; ``submit`` and ``collect`` run
the pipelines in between. The pytest plugin only wires these to pytest's hooks.

A session lives in ``<output>/runs/<name>/``: ``session.json`` (its options), ``journal.jsonl``
(every trial, phase and result as it finished) and one Keras Tuner directory per tuner and seed.
``<output>/tunerbench-<name>.json`` is the summary, rewritten atomically after each pipeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from filelock import FileLock

from tunerbench.pipeline.provenance import installed_versions
from tunerbench.pipeline.spec import PipelineSpec
from tunerbench.profiles import PROFILES
from tunerbench.records.atomic_file import refuse_link
from tunerbench.records.clocks import current_rss_mb
from tunerbench.records.events import Event, PipelineStarted, TrialFinished
from tunerbench.records.journal import Journal, RunJournal
from tunerbench.records.results_file import results_file_name, session_document, write_json_atomic
from tunerbench.records.run_result import RunResult
from tunerbench.run import run_folder
from tunerbench.run.child_process import ChildError, call_in_fresh_process
from tunerbench.run.executors import Executor, SequentialExecutor
from tunerbench.run.options import BenchOptions, OptionsError
from tunerbench.run.progress import RunProgress, StudyProgress, retried_note
from tunerbench.run.spare_process import SPARES
from tunerbench.run.study_matrix import PipelineKey, StudyMatrix

if TYPE_CHECKING:  # the report is imported only when one is written
    from tunerbench.report.rendering.written_report import WrittenReport


class PipelineFailed(RuntimeError):
    """A pipeline ended without a result; the message says which and why, in one line."""

    @classmethod
    def of(cls, label: str, exc: BaseException) -> PipelineFailed:
        """The pipeline ``label`` failed with ``exc``: its type and the first line it says."""
        first = (str(exc).strip().splitlines() or [""])[0]
        return cls(f"{label}: {type(exc).__name__}: {first}")


class BenchSession:
    """A study: its pipelines run where the executor puts them (each in a fresh process), and
    this process journals their events, shows progress and rewrites the summary after each.

    Made, it holds nothing: collection reads its problems and keys. ``open()`` takes the data,
    the folder (held by its lock) and the executor; ``close()`` (on leaving the ``with``)
    saves what is not saved yet and lets all of them go."""

    def __init__(self, options: BenchOptions, show: Callable[[str], None] = print) -> None:
        self.options = options
        self.show = show
        self._at(options.output / "runs" / run_folder.new_session_name())
        self.lock: FileLock | None = None  # the run folder's, held from open() to close()
        self.created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.results: list[RunResult] = []
        self.perf: list[dict[str, Any]] = []
        self._saved = (0, 0)  # how many results and measurements the results file holds
        self.matrix = StudyMatrix(options)  # its problems, their data, each pipeline's key
        self.problems, self.key = self.matrix.problems, self.matrix.key
        self.add_problem = self.matrix.add_problem
        self.seeds_before = options.seeds  # a resumed session's seeds when it was found
        self.executor: Executor | None = None
        self.specs: dict[str, PipelineSpec] = {}
        self.runs: dict[str, RunProgress] = {}
        self.study = StudyProgress(total=0, slots=1)

    def _at(self, run_dir: Path) -> None:
        self.run_dir, self.name = run_dir, run_dir.name
        self.results_path = self.options.output / results_file_name(self.name)
        self.report_path = self.options.output / "index.html"
        self.journal = Journal(self.run_dir / "journal.jsonl")

    def open(
        self, problems: Iterable[str] | None = None, executor: Executor | None = None
    ) -> BenchSession:
        """Open the session to run ``problems`` (default: every one it knows), in the one order
        that fails before anything trains or is written: their data checked, a replay's table
        checked against them, the folder to resume found and held, the executor reached (a
        cluster is checked before any folder is made), the folder made or read back. Each fault
        is one line (OptionsError, DataError, ClusterError), raised after everything taken so
        far is let go. ``executor`` stands in for the one the options name. Returns the session,
        to use as ``with session.open(...):``, so it is closed whatever happens."""
        # Imported here: the replay runner drives a session, so it imports this module.
        from tunerbench.run.replay_runner import check_table

        try:
            self.matrix.check_data(problems)
            check_table(self)
            self._locate()
            self.executor = executor or self._start()
            self._prepare()
        except BaseException:
            self.close()
            raise
        return self

    def __enter__(self) -> BenchSession:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _locate(self) -> None:
        """Resuming: take the folder with these options (or fewer seeds) and this data
        (checked first) that no session holds, and say which and which seeds it adds; a new
        session keeps its new name."""
        if not self.options.resume:
            return
        found = run_folder.find_resumable(self.options, self.matrix.data_fingerprint)
        for line in found.passed_over:
            self.show(line)
        self.lock = found.lock
        self._at(found.folder)
        self.seeds_before = found.seeds_before
        grows = ""
        if found.seeds_before < self.options.seeds:
            first, last = found.seeds_before + 1, self.options.seeds
            grows = f", adding seed {last}" if first == last else f", adding seeds {first}-{last}"
        self.show(f"--tb-resume: continuing session {self.name} ({found.folder}){grows}")

    def _prepare(self) -> None:
        """Fail before any training if results could not be saved; record the options, or,
        resuming, read back the runs (journal) and measurements (results file) saved before
        and, growing the session, record its new seeds. A symbolic link planted where the
        session writes (results, journal, its lock) is refused here, before anything trains."""
        try:
            for path in (self.results_path, self.journal.path, Path(self.journal.lock.lock_file)):
                refuse_link(path)
            if self.options.resume:
                if self.seeds_before < self.options.seeds:
                    run_folder.record_options(self.run_dir, self.options)
                self.results, self.perf, created, lines = run_folder.read_back(
                    self.run_dir, self.journal, self.results_path
                )
                for line in lines:
                    self.show(line)
                self.created = created or self.created
                self._saved = (len(self.results), len(self.perf))
                return
            self.lock = run_folder.create(
                self.run_dir, self.created, self.options, self.matrix.data_fingerprint
            )
        except OSError as exc:
            raise OptionsError(
                f"cannot write results to {self.options.output} ({exc.strerror or exc}); "
                "choose another folder with --tb-output"
            ) from None

    def _start(self) -> Executor:
        """The executor the options name: a cluster is reached and checked here, before any
        pipeline is submitted."""
        if self.options.cluster is None:
            return SequentialExecutor(self.run_dir / "logs")
        from tunerbench.run.cluster import DaskExecutor
        from tunerbench.run.cluster_access import security

        target = self.options.cluster
        logs = self.run_dir / "logs"  # the executor keeps it for local:N only
        return DaskExecutor(
            target, self.name, installed_versions(), logs, security(target, self.options.tls)
        )

    def finished(self, key: PipelineKey) -> RunResult | None:
        """The result of this pipeline if this session (or the one it resumes) completed it."""
        return next((r for r in self.results if key.matches(r)), None)

    def spec(self, key: PipelineKey) -> PipelineSpec:
        """The pipeline as a request. Run here, it keeps Keras Tuner's folder in the session's
        run folder, so ``--tb-resume`` continues an interrupted search; on a cluster it runs
        in a scratch folder where it lands, and an interrupted one starts again."""
        label = self.matrix.label(key)
        local = self.options.cluster is None
        journal = RunJournal(self.journal, key.tuner, key.seed, label)
        problem = self.problems[key.problem]
        return PipelineSpec(
            label=label,
            tuner=key.tuner,
            dataset=problem.data_name,
            profile=problem.sized(PROFILES[self.options.profile]),
            seed=key.seed,
            loop=key.loop,
            session=self.name,
            data_dir=self.options.data_dir,
            # Here the pipeline reads the files this session checked; elsewhere it checks them.
            data_fingerprint="" if local else self.matrix.fingerprints.get(key.problem, ""),
            workers=key.workers,
            directory=str(self.run_dir / label) if local else "",
            resume=self.options.resume and local,
            earlier_events=self._continued_here(journal) if self.options.resume and local else [],
            expected_versions={} if local else installed_versions(),
            problem=problem.to_dict(),
        )

    def _continued_here(self, journal: RunJournal) -> list[Event]:
        """The journal's events of a pipeline resumed here, when its last attempt ran here too:
        its search continues from Keras Tuner's folder in the run folder. An attempt on a Dask
        worker searched in a scratch folder there, so its trials cannot be continued (added to
        a new search they would exceed the budget): the pipeline starts over here, as on a
        cluster, and a folder an older attempt here left is set aside, not reused."""
        events = journal.events()
        starts = [e for e in events if isinstance(e, PipelineStarted)]
        if not starts or not starts[-1].worker:
            return events
        folder = self.run_dir / journal.label
        if folder.exists():
            folder.rename(folder.with_name(f"{journal.label}.attempt-{len(starts) - 1}"))
        return []

    def submit(self, keys: list[PipelineKey]) -> None:
        """Hand the whole matrix to the executor at once (pipelines already done are kept)."""
        assert self.executor is not None, "open() the session first"
        todo = [self.spec(k) for k in dict.fromkeys(keys) if self.finished(k) is None]
        self.specs.update({s.label: s for s in todo})
        self.study = StudyProgress(total=len(todo), slots=self.executor.slots)
        self.executor.submit(todo)

    def _on_event(self, label: str, event: Event) -> None:
        spec = self.specs[label]
        RunJournal(self.journal, spec.tuner, spec.seed, label).emit(event)
        match event:
            case PipelineStarted(planned=planned, worker=worker):
                self.runs[label] = RunProgress(label, planned=planned or 0)
                self.study.start(label)
                where = f" on {worker}" if worker else ""
                self.show(f"[{label}] started{where}")
            case TrialFinished(trial=trial):
                self.show(self.runs.setdefault(label, RunProgress(label)).trial_line(trial))

    def collect(self, key: PipelineKey) -> RunResult:
        """Wait for one pipeline, journal and save its result; PipelineFailed if it failed."""
        assert self.executor is not None, "open() the session first"
        spec = self.specs.get(self.matrix.label(key)) or self.spec(key)
        self.specs[spec.label] = spec
        journal = RunJournal(self.journal, key.tuner, key.seed, spec.label)
        try:
            result = self.executor.collect(spec, self._on_event)
        except Exception as exc:  # a pipeline's own failure, or its worker's, in one line
            self.study.finish(spec.label)
            raise PipelineFailed.of(spec.label, exc) from None
        state = journal.state()
        result.provenance.attempts = max(1, state.attempts)
        if result.provenance.attempts > 1:
            result.provenance.notes.append(retried_note(journal.events()))
        result.cost.collector_rss_mb = current_rss_mb()
        result.identity.session_tuners = list(self.options.tuners)
        journal.finished(result)
        self.results.append(result)
        self.save()
        self.study.finish(spec.label)
        self.show(self.study.line())
        return result

    def close(self) -> None:
        """Save what the results file does not hold yet (a replay saves every few seconds, so
        an interruption between two saves loses nothing), then release the executor, the
        process started ahead for a next pipeline (there is none) and the run folder, in that
        order: the folder is let go only once its results are saved. Closing again does
        nothing more."""
        self._save_the_rest()
        if self.executor is not None:
            self.executor.close()
            self.executor = None
        SPARES.close()
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def _save_the_rest(self) -> None:
        """Save once more if results came since the last save; a save that fails here is said
        in one line, so closing still lets the executor and the folder go."""
        if self._saved == (len(self.results), len(self.perf)):
            return
        try:
            self.save()
        except OSError as exc:
            self.show(f"tunerbench: results not saved to {self.results_path} ({exc})")

    def save(self) -> None:
        """Rewrite the results file with every result and measurement so far."""
        counts = (len(self.results), len(self.perf))  # a result added while writing: saved next
        write_json_atomic(
            self.results_path, session_document(self.results, self.created, self.perf)
        )
        self._saved = counts

    def measure(self, function: str, name: str, **kwargs: Any) -> dict[str, Any]:
        """A measurement ("module:function") in a fresh process of its own, saved; a
        PipelineFailed in one line if it fails."""
        log = self.run_dir / "logs" / f"{name}.log"
        try:
            # No spare here: a measurement must not share the cores with a process importing.
            record = call_in_fresh_process(function, kwargs, lambda event: None, log)
        except ChildError as exc:
            raise PipelineFailed(f"{name}: {exc}") from None
        return self.add_perf(record)

    def add_perf(self, record: dict[str, Any]) -> dict[str, Any]:
        self.perf.append(record)
        self.save()
        return record

    def write_report(self) -> WrittenReport | None:
        """Render the report and its verdict.md from the saved results file (never from
        memory), if any: the session's own in its run folder, then, under a lock shared by
        every session of this output folder, the same pair as ``<output>/index.html`` (the
        newest session's), so sessions side by side never write over each other's."""
        if not self.results and not self.perf:
            return None
        from tunerbench.report.inputs.results_files import ReportError
        from tunerbench.report.rendering.written_report import publish, write_report

        own = write_report([self.results_path], self.run_dir / "index.html", self.options.rope)
        try:
            with FileLock(str(refuse_link(self.options.output / ".report.lock"))):
                return publish(own, self.report_path)
        except OSError as exc:  # the lock: a link planted there, a read-only folder
            raise ReportError(
                f"cannot write the report to {self.report_path} ({exc.strerror or exc})"
            ) from None
