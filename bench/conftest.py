"""pytest wiring only: ``--tb-*`` options to a ``BenchSession``, parametrisation, progress lines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from tunerbench.data.dataset import DataError
from tunerbench.records.results_file import ResultsError
from tunerbench.records.schema import TrialRecord
from tunerbench.report.render import ReportError
from tunerbench.run.options import OPTIONS, BenchOptions, OptionsError
from tunerbench.run.progress import format_trial
from tunerbench.run.session import BenchSession
from tunerbench.search.trial_log import TrialLog

SESSION = pytest.StashKey[BenchSession]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tunerbench", "tunerbench benchmark options")
    for option in OPTIONS:
        if option.is_flag:
            group.addoption(
                option.flag, dest=f"tb_{option.dest}", action="store_true", help=option.help
            )
        else:
            group.addoption(option.flag, dest=f"tb_{option.dest}", default=None, help=option.help)


def pytest_configure(config: pytest.Config) -> None:
    given = {o.dest: config.getoption(f"tb_{o.dest}") for o in OPTIONS}
    # --help and --collect-only only look: no data loading, no session folder, no resuming.
    looking = config.getoption("help") or config.getoption("collectonly")
    try:
        options = BenchOptions.parse(**{k: v for k, v in given.items() if v is not None})
        session = BenchSession(replace(options, resume=False) if looking else options)
        if not looking:
            session.dataset()
            session.prepare()
    except (OptionsError, DataError) as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[SESSION] = session


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The speed benchmarks are collected only when asked for, so a plain run lists none."""
    if collection_path.name == "test_speed.py" and not config.getoption("tb_speed"):
        return True
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if {"tuner", "seed"} <= set(metafunc.fixturenames):
        options = metafunc.config.stash[SESSION].options
        cases = [(t, s) for t in options.tuners for s in options.seed_values]
        metafunc.parametrize(("tuner", "seed"), cases, ids=[f"{t}-seed{s}" for t, s in cases])


@pytest.fixture
def bench_session(request: pytest.FixtureRequest) -> BenchSession:
    return request.config.stash[SESSION]


@pytest.fixture
def progress(request: pytest.FixtureRequest) -> Callable[[TrialLog, TrialRecord], None]:
    """Print a trial's line past pytest's output capture, as it finishes."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")

    def show(log: TrialLog, record: TrialRecord) -> None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(format_trial(log, record))

    return show


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    session = config.stash.get(SESSION, None)
    if session is None or not session.results:
        return
    terminalreporter.write_line(f"tunerbench results: {session.results_path}")
    try:
        report = session.write_report()
    except (ResultsError, ReportError) as exc:
        terminalreporter.write_line(f"tunerbench report not written: {exc}", red=True)
        return
    terminalreporter.write_line(f"tunerbench report: {report}")
