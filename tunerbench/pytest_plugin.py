"""The pytest plugin: ``--tb-*`` options to a ``BenchSession``, benchmarks of each problem
parametrized over tuners and seeds, the matrix submitted once collection is done, progress
lines past the capture, pipeline times in the JSON, a summary of the benchmarks in place of
pytest-benchmark's table, and the report with its verdict at the end.

``bench/conftest.py`` loads it; a user's own repository loads it the same way
(``pytest_plugins = ["tunerbench.pytest_plugin"]`` in its ``conftest.py``) and declares its
problems in benchmark modules with ``problem_benchmark``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from typing import Any

import pytest

from tunerbench.data.dataset import DataError
from tunerbench.problems.problem import Problem
from tunerbench.records.results_file import ResultsError
from tunerbench.records.schema import COMPLETED, PHASES, run_label
from tunerbench.run.benchmark_json import (
    SUMMARY_WIDTH,
    BenchmarkLine,
    summary_legend,
    summary_rows,
    use_pipeline_times,
)
from tunerbench.run.cluster_access import ClusterError
from tunerbench.run.options import OPTIONS, BenchOptions, OptionsError
from tunerbench.run.session import BenchSession, PipelineFailed
from tunerbench.run.study_matrix import PipelineKey
from tunerbench.search.registry import TUNERS

SESSION = pytest.StashKey[BenchSession]()
OPENED = pytest.StashKey[ExitStack]()  # the open session, closed when pytest unconfigures
LOOKING = pytest.StashKey[bool]()
REPORT = pytest.StashKey[str]()
VERDICT = pytest.StashKey[str]()
OURS = pytest.StashKey[frozenset[str]]()  # the node ids of the benchmarks that use the session
SUMMARY = pytest.StashKey[list[BenchmarkLine]]()  # those that ran, for the terminal's summary

# pytest-benchmark's options that shape its table or print with it (columns, order, grouping,
# names, unit, histogram, a comparison and its regression check, cProfile), with its defaults:
# any of them given otherwise shows its table of tunerbench's benchmarks too.
TABLE_OPTIONS: dict[str, Any] = {
    "benchmark_columns": None,
    "benchmark_sort": "min",
    "benchmark_group_by": "group",
    "benchmark_name": "normal",
    "benchmark_time_unit": None,
    "benchmark_histogram": [],
    "benchmark_compare": [],
    "benchmark_compare_fail": None,
    "benchmark_cprofile": None,
}


def pytest_addoption(parser: pytest.Parser) -> None:
    """Every entry of ``OPTIONS``; a value not given stays None, so ``BenchOptions.parse``
    applies the entry's default."""
    group = parser.getgroup("tunerbench", "tunerbench benchmark options")
    for option in OPTIONS:
        kind: dict[str, Any] = {"action": "store_true"} if option.is_flag else {"default": None}
        group.addoption(option.flag, dest=option.attribute, help=option.help, **kind)


def _printer(config: pytest.Config) -> Any:
    """Print a line past pytest's output capture, as it happens."""

    def show(line: str) -> None:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        capture = config.pluginmanager.get_plugin("capturemanager")
        if reporter is None or capture is None:  # while pytest configures: no terminal yet
            print(line, file=sys.stderr, flush=True)
            return
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)

    return show


def pytest_configure(config: pytest.Config) -> None:
    """The options, checked before anything is collected; the session opens once collection
    has said which problems its benchmarks run (``pytest_collection_finish``)."""
    given = {o.dest: value for o in OPTIONS if (value := config.getoption(o.attribute)) is not None}
    # --help and --collect-only only look: no data loading, no session folder, no resuming.
    looking = bool(config.getoption("help") or config.getoption("collectonly"))
    try:
        options = BenchOptions.parse(**given)
    except OptionsError as exc:
        raise pytest.UsageError(str(exc)) from None
    session = BenchSession(replace(options, resume=False) if looking else options)
    session.show = _printer(config)
    config.stash[SESSION] = session
    config.stash[LOOKING] = looking
    config.stash[OPENED] = ExitStack()


def _open(config: pytest.Config, session: BenchSession, problems: set[str]) -> None:
    """Open the session for ``problems`` (each fault one usage-error line before anything
    trains) and keep it open until pytest unconfigures: hooks are no ``with`` block, so the
    config's ExitStack holds the session's ``with`` for them."""
    try:
        config.stash[OPENED].enter_context(session.open(problems))
    except (OptionsError, DataError, ClusterError) as exc:
        raise pytest.UsageError(str(exc)) from None


def problem_benchmark(problem: Problem | None = None) -> Callable[..., None]:
    """A benchmark of ``problem`` (None: the built-in one ``--tb-problem`` names): every
    applicable tuner over the session's seeds, each the whole pipeline, recorded by
    pytest-benchmark. Assign it to a ``test_...`` name in a benchmark module."""

    def test_problem(benchmark: Any, bench_session: BenchSession, tuner: str, seed: int) -> None:
        name = problem.name if problem is not None else None
        run_benchmark(benchmark, bench_session, bench_session.key(tuner, seed, problem=name))

    test_problem.tb_problem = problem  # type: ignore[attr-defined]
    return test_problem


def run_benchmark(benchmark: Any, session: BenchSession, key: PipelineKey) -> None:
    """One pipeline as one benchmark, checked for a clean run: every phase timed, every trial
    completed, a search that ran (the record itself refuses one beyond its budget: no such
    result is ever saved), a model better than guessing."""
    if session.finished(key) is not None:
        pytest.skip(f"{key.tuner} seed {key.seed} already ran (this session or the one resumed)")
    benchmark.group = f"{key.problem}/{session.options.profile}"
    try:
        result = benchmark.pedantic(session.collect, args=(key,), rounds=1, iterations=1)
    except PipelineFailed as exc:
        pytest.fail(str(exc), pytrace=False)
    benchmark.extra_info.update(result.to_dict())
    search, phases, test = result.search, result.cost.phases, result.test
    assert set(phases) == set(PHASES)
    assert all(t.wall_s > 0 for t in phases.values())
    assert [t.trial_id for t in search.trials if t.status != COMPLETED] == []
    assert search.n_trials >= 1 and search.search_epochs > 0
    assert test.accuracy is not None and test.accuracy > 0.2


def _declared(function: Any, session: BenchSession) -> str | None:
    """The problem a benchmark function declares, added to the session; None for the one the
    options name."""
    problem = getattr(function, "tb_problem", None)
    if problem is None:
        return None
    try:
        session.add_problem(problem)
    except OptionsError as exc:
        pytest.fail(str(exc), pytrace=False)
    return problem.name


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tuners x seeds for the benchmarks ``problem_benchmark`` made; seeds for the other
    benchmarks of the session that take a seed. Other tests are left alone."""
    session = metafunc.config.stash[SESSION]
    options = session.options
    if hasattr(metafunc.function, "tb_problem"):
        declared = _declared(metafunc.function, session)
        problem = session.problems[declared or options.problem]
        tuners = [t for t in options.tuners if TUNERS[t].framework.applies_to(problem)]
        cases = [(t, s) for t in tuners for s in options.seed_values]
        prefix = f"{declared}-" if declared and declared != options.problem else ""
        ids = [prefix + run_label(t, s) for t, s in cases]
        metafunc.parametrize(("tuner", "seed"), cases, ids=ids)
    elif {"seed", "bench_session"} <= set(metafunc.fixturenames):
        ids = [f"seed{s}" for s in options.seed_values]
        metafunc.parametrize("seed", options.seed_values, ids=ids)


def pipeline_key(session: BenchSession, item: pytest.Item) -> PipelineKey | None:
    """The pipeline a benchmark collects, from its parameters (tuner, and maybe seed, loop,
    workers) and the problem its function declares; None for a benchmark that runs none."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    if "tuner" not in params:
        return None
    problem = getattr(getattr(item, "function", None), "tb_problem", None)
    seed = params.get("seed", session.options.seed_values[0])
    return session.key(
        params["tuner"],
        seed,
        params.get("loop"),
        params.get("workers"),
        problem.name if problem is not None else None,
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    """Open the session for the problems collected and submit every selected benchmark's
    pipeline at once, so a cluster starts on all of them; nothing when collection failed."""
    ours = frozenset(
        item.nodeid
        for item in session.items
        if "bench_session" in getattr(item, "fixturenames", ())
    )
    session.config.stash[OURS] = ours
    bench = session.config.stash.get(SESSION, None)
    if bench is None or session.config.stash.get(LOOKING, True) or session.testsfailed:
        return
    if not ours:
        return  # no benchmark collected: no data to load, no session folder
    keys = [k for k in (pipeline_key(bench, item) for item in session.items) if k is not None]
    _open(session.config, bench, {k.problem for k in keys} or {bench.options.problem})
    bench.submit(keys)


@pytest.fixture
def bench_session(request: pytest.FixtureRequest) -> BenchSession:
    return request.config.stash[SESSION]


def pytest_benchmark_update_json(
    config: pytest.Config, benchmarks: list[Any], output_json: dict[str, Any]
) -> None:
    use_pipeline_times(output_json)


def table_asked(config: pytest.Config) -> bool:
    """Whether the user gave one of pytest-benchmark's options for its table."""
    return any(config.getoption(name) != default for name, default in TABLE_OPTIONS.items())


@pytest.hookimpl(wrapper=True)
def pytest_benchmark_group_stats(
    config: pytest.Config, benchmarks: list[dict[str, Any]], group_by: str
) -> Any:
    """tunerbench's benchmarks of this run kept for the summary, and left out of the groups
    pytest-benchmark's table shows (one round each: min = max = mean, no deviation), unless an
    option asked for its table. Its JSON is written before and keeps them all."""
    groups = yield
    ours = config.stash.get(OURS, frozenset())
    config.stash[SUMMARY] = [  # a saved run compared against has its path: not of this run
        BenchmarkLine.of(b) for b in benchmarks if b["fullname"] in ours and b["path"] is None
    ]
    if table_asked(config):
        return groups
    kept = [(name, [b for b in group if b["fullname"] not in ours]) for name, group in groups]
    return [(name, group) for name, group in kept if group]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Close the open session, if one was opened: results saved, executor and folder let go."""
    opened = config.stash.get(OPENED, None)
    if opened is not None:
        opened.close()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Render the report from the saved results; a report that cannot be written fails the
    run (the results themselves are already saved)."""
    bench = session.config.stash.get(SESSION, None)
    if bench is None or not (bench.results or bench.perf):
        return
    # Here only: a user's module imports this plugin in every pipeline's process, which must
    # not pay for the report's libraries (statistics, plots, templates).
    from tunerbench.report.inputs.results_files import ReportError

    try:
        written = bench.write_report()
        if written is not None:
            session.config.stash[REPORT] = (
                f"tunerbench report: {written.path} (verdict as Markdown: {written.verdict_path})"
            )
            session.config.stash[VERDICT] = written.verdict_text
    except (ResultsError, ReportError) as exc:
        session.config.stash[REPORT] = f"tunerbench report not written: {exc}"
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """After pytest-benchmark's table, if an option asked for it: what each benchmark's one
    round did, where everything is, then the verdict itself."""
    lines = config.stash.get(SUMMARY, [])
    if lines:
        _summarise(terminalreporter, config, lines)
    session = config.stash.get(SESSION, None)
    if session is None or not (session.results or session.perf):
        return
    terminalreporter.write_line(f"tunerbench results: {session.results_path}")
    line = config.stash.get(REPORT, "")
    terminalreporter.write_line(line, red=line.startswith("tunerbench report not written"))
    verdict = config.stash.get(VERDICT, "")
    if verdict:
        terminalreporter.write_sep("=", "tunerbench verdict")
        for text in verdict.splitlines():
            terminalreporter.write_line(text)


def _summarise(
    reporter: pytest.TerminalReporter, config: pytest.Config, lines: list[BenchmarkLine]
) -> None:
    """Each group's benchmarks, a row each, within ``SUMMARY_WIDTH`` columns; then what their
    seconds are, and where pytest-benchmark's table is."""
    width = min(config.get_terminal_writer().fullwidth, SUMMARY_WIDTH)
    for group in dict.fromkeys(b.group for b in lines):
        mine = [b for b in lines if b.group == group]
        rounds = "one round" if len(mine) == 1 else f"{len(mine)} benchmarks, one round each"
        reporter.write_sep("-", f"tunerbench {group or 'benchmarks'}: {rounds}", fullwidth=width)
        for text in summary_rows(mine):
            reporter.write_line(text)
    for text in summary_legend(lines):
        reporter.write_line(text)
    reporter.write_line(
        "pytest-benchmark's table above times how long this process waited for each benchmark"
        if table_asked(config)
        else "pytest-benchmark's table of these one-round benchmarks is left out: "
        "--benchmark-columns shows it"
    )
