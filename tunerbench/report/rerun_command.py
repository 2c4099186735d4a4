"""The verdict's next run: how many seeds would settle what is open, and the command of that run
(the same problem, profile, tuners and ways of running) with its time from these runs' own
times.

Where every run is one session's, and its results file is among those read or its session's
folder is beside one of them, the command grows that session (``--tb-resume``): the seeds
already run are kept and only the new ones train, so a study starts small and grows until the
verdict decides. The terminal at the end of a run and a re-render of its files say the same.

A replayed group is different: every fit was answered from a table holding a few training seeds
per point, so more replayed seeds add nothing about training noise beyond those. Its next run
tabulates more training seeds per point (``--tb-table-seeds``), to be replayed against anew.
"""

from __future__ import annotations

import math
import shlex
from pathlib import Path

from tunerbench.problems.builtin import PROBLEMS, reference_mlp
from tunerbench.records.results_file import session_of
from tunerbench.records.run_result import RunResult
from tunerbench.report.grouping import (
    GroupKey,
    ReplaySource,
    default_loop,
    total_wall,
    variant,
)
from tunerbench.report.rope import DEFAULT_ROPE
from tunerbench.report.seed_statistics import SeedStatistics
from tunerbench.report.statistics.paired import PairTest
from tunerbench.report.statistics.seed_counts import SeedEstimate
from tunerbench.search.registry import TUNERS

DEFAULT_OUTPUT = Path("reports")  # pytest bench/'s --tb-output when none is given
# A run of more seeds than this is no practical next step; the verdict says how many it would
# take instead of printing the command.
PRACTICAL_SEEDS = 100
# Where pytest bench/ keeps each session's folder, and the record that makes one resumable
# (tunerbench/run/run_folder.py; the report reads files only, it never imports the runner).
RUN_FOLDERS = "runs"
SESSION_RECORD = "session.json"


def session_folders(sources: list[str]) -> dict[str, Path]:
    """The ``--tb-output`` of each session these files can grow: the folder of a session's own
    results file (``<output>/tunerbench-<session>.json``), and the folder of any file read
    that holds the session's folder (``<output>/runs/<session>/session.json``, what
    ``--tb-resume`` looks for), which wins. So a re-render says what the verdict at the end of
    the run said as long as the session's folder is there: of its results file, renamed or
    copied into that folder, or of pytest-benchmark's JSON saved there."""
    folders = [Path(source).parent for source in sources]
    named = ((session_of(Path(source)), Path(source).parent) for source in sources)
    held = (
        (meta.parent.name, folder)
        for folder in dict.fromkeys(folders)
        for meta in sorted((folder / RUN_FOLDERS).glob(f"*/{SESSION_RECORD}"))
    )
    return {session: folder for session, folder in named if session is not None} | dict(held)


def rerun_command(
    key: GroupKey, runs: list[RunResult], seeds: int, rope: float, saved_in: dict[str, Path]
) -> tuple[str, int, bool]:
    """The command for a run with ``seeds`` seeds, its minutes (the time of the seeds it adds
    when it grows the runs' session, of all of them when it starts anew), and whether it
    grows the session."""
    tuners = ",".join(_session_tuners(runs))
    per_tuner: dict[str, list[float]] = {}
    for run in runs:
        per_tuner.setdefault(variant(run), []).append(total_wall(run) + (run.cost.startup_s or 0.0))
    per_seed = sum(sum(times) / len(times) for times in per_tuner.values())
    grows = _grown_session(runs, saved_in)
    command = (
        f"pytest bench/{grows} {_chosen(key.problem)} --tb-profile {key.profile} "
        f"--tb-tuners {tuners} --tb-seeds {seeds}{_shared_options(key.problem, runs)}"
        + (f" --tb-rope {rope:g}" if rope != DEFAULT_ROPE else "")
    )
    new_seeds = seeds - len({r.identity.seed for r in runs}) if grows else seeds
    return command, math.ceil(per_seed * new_seeds / 60), bool(grows)


def tabulate_command(
    key: GroupKey, table: ReplaySource, runs: list[RunResult], saved_in: dict[str, Path]
) -> str:
    """The command that grows a replayed group's table to twice its training seeds per point,
    into the output folder of the runs' session where it is known (its tables are there)."""
    return (
        f"pytest bench/ --tb-tabulate {_chosen(key.problem)} --tb-profile {key.profile} "
        f"--tb-table-seeds {2 * table.seeds}{_output(_session_folder(runs, saved_in))}"
    )


def _session_tuners(runs: list[RunResult]) -> list[str]:
    """The tuners the runs' sessions were asked to run, in registry order: those that ran, and
    those whose every pipeline failed (``--tb-resume`` matches a session by its tuners)."""
    named = {r.identity.tuner for r in runs}
    named.update(name for r in runs for name in r.identity.session_tuners)
    return [name for name in TUNERS.names if name in named]


def _session_folder(runs: list[RunResult], saved_in: dict[str, Path]) -> Path | None:
    """The output folder of the runs' session, when all runs are one session's whose results
    file was read."""
    sessions = {r.identity.session for r in runs}
    return saved_in.get(sessions.pop()) if len(sessions) == 1 else None


def _output(folder: Path | None) -> str:
    """`` --tb-output FOLDER``, where the folder is known and not the default."""
    return "" if folder in (None, DEFAULT_OUTPUT) else f" --tb-output {shlex.quote(str(folder))}"


def _grown_session(runs: list[RunResult], saved_in: dict[str, Path]) -> str:
    """`` --tb-resume`` (with the session's ``--tb-output``) when all runs are one session's
    whose results file was read; otherwise nothing, and the command starts a new session."""
    folder = _session_folder(runs, saved_in)
    return "" if folder is None else f" --tb-resume{_output(folder)}"


def _chosen(problem: str) -> str:
    """How the command names the problem: the reference MLP by its dataset, another built-in
    problem by name, a benchmark module's problem by its benchmarks' ids."""
    if reference_mlp(problem) is not None:
        return f"--tb-dataset {problem}"
    # A declared problem's name is read from its results: quoted, it stays one word of the shell.
    return f"--tb-problem {problem}" if problem in PROBLEMS else f"-k {shlex.quote(problem)}"


def _shared_options(problem: str, runs: list[RunResult]) -> str:
    """The --tb-loop and --tb-workers every run shares, where they are not the defaults."""
    loops, workers = {r.identity.loop for r in runs}, {r.identity.workers for r in runs}
    text = ""
    if len(loops) == 1 and loops != {default_loop(problem)}:
        text += f" --tb-loop {shlex.quote(loops.pop())}"
    if len(workers) == 1 and workers != {1}:
        text += f" --tb-workers {workers.pop()}"
    return text


def _more_seeds(stats: SeedStatistics, undecided: list[PairTest], ran: int) -> SeedEstimate:
    """Enough seeds for every pair left open (their estimates), never fewer than a clean sweep
    needs under Holm, and more than ran already; "more than N" where some pair's estimate
    found no count that settles it."""
    wanted = [p.seeds_to_tell for p in undecided if p.seeds_to_tell is not None]
    floor = max(stats.seeds_needed, ran + 1)
    beyond = [e.seeds for e in wanted if not e.reached]
    if beyond:
        return SeedEstimate(max(floor, *beyond), reached=False)
    return SeedEstimate(max([floor, *(e.seeds for e in wanted)]))


def next_run(
    key: GroupKey,
    stats: SeedStatistics,
    runs: list[RunResult],
    open_pairs: list[PairTest],
    ran: int,
    saved_in: dict[str, Path],
) -> tuple[SeedEstimate | None, tuple[str | None, int | None, bool]]:
    """The verdict's next run: the seeds that would settle the open pairs (None: none open),
    and the command of that run with its minutes and whether it grows the runs' session,
    where it is practical (at most ``PRACTICAL_SEEDS``). A replayed group's next run grows its
    table instead, whatever the seeds (its minutes unknown: replayed runs trained nothing)."""
    if not open_pairs:
        return None, (None, None, False)
    more = _more_seeds(stats, open_pairs, ran)
    if key.replay is not None:
        return more, (tabulate_command(key, key.replay, runs, saved_in), None, False)
    if not more.reached or more.seeds > PRACTICAL_SEEDS:
        return more, (None, None, False)
    return more, rerun_command(key, runs, more.seeds, stats.rope, saved_in)
