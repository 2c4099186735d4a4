"""The command line of the verdict's next run, as the verdict card, verdict.md and the terminal
show it: the problem named as a user names it (``--tb-dataset``, ``--tb-problem`` or a benchmark
module's ids), and only the options that differ from pytest bench/'s defaults."""

from __future__ import annotations

import shlex
from pathlib import Path

from tunerbench.problems.builtin import PROBLEMS, reference_mlp
from tunerbench.report.decision.next_run import StudyRun, TabulationRun
from tunerbench.report.decision.rope import DEFAULT_ROPE
from tunerbench.report.inputs.labels import default_loop

DEFAULT_OUTPUT = Path("reports")  # pytest bench/'s --tb-output when none is given


def command_line(run: StudyRun | TabulationRun) -> str:
    """The command that starts ``run``."""
    if isinstance(run, TabulationRun):
        return (
            f"pytest bench/ --tb-tabulate {_chosen(run.problem)} --tb-profile {run.profile} "
            f"--tb-table-seeds {run.table_seeds}{_output(run.output)}"
        )
    grows = "" if run.resume_in is None else f" --tb-resume{_output(run.resume_in)}"
    return (
        f"pytest bench/{grows} {_chosen(run.problem)} --tb-profile {run.profile} "
        f"--tb-tuners {','.join(run.tuners)} --tb-seeds {run.seeds}{_ways_of_running(run)}"
        + (f" --tb-rope {run.rope:g}" if run.rope != DEFAULT_ROPE else "")
    )


def _output(folder: Path | None) -> str:
    """`` --tb-output FOLDER``, where the folder is known and not the default."""
    return "" if folder in (None, DEFAULT_OUTPUT) else f" --tb-output {shlex.quote(str(folder))}"


def _chosen(problem: str) -> str:
    """How the command names the problem: the reference MLP by its dataset, another built-in
    problem by name, a benchmark module's problem by its benchmarks' ids."""
    if reference_mlp(problem) is not None:
        return f"--tb-dataset {problem}"
    # A declared problem's name is read from its results: quoted, it stays one word of the shell.
    return f"--tb-problem {problem}" if problem in PROBLEMS else f"-k {shlex.quote(problem)}"


def _ways_of_running(run: StudyRun) -> str:
    """The --tb-loop and --tb-workers every run shares, where they are not the defaults."""
    text = ""
    if run.loop is not None and run.loop != default_loop(run.problem):
        text += f" --tb-loop {shlex.quote(run.loop)}"
    if run.workers is not None and run.workers != 1:
        text += f" --tb-workers {run.workers}"
    return text
