"""The pipelines a session can run: its problems (the one the options name and those its
benchmark modules declare), their data checked once, and each pipeline's key and label.

Kept apart from the session so what a study is made of is decided in one place: a key names the
problem, tuner, seed, loop and workers; its label names the pipeline's journal lines and folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tunerbench.problems.builtin import DEFAULT_PROBLEM, PROBLEMS
from tunerbench.problems.problem import Problem
from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import run_label
from tunerbench.run.options import BenchOptions, OptionsError


@dataclass(frozen=True)
class PipelineKey:
    """What tells a session's pipelines apart."""

    tuner: str
    seed: int
    loop: str
    workers: int
    problem: str = DEFAULT_PROBLEM

    def matches(self, result: RunResult) -> bool:
        who = result.identity
        return (who.problem_name, who.tuner, who.seed, who.loop, who.workers) == (
            self.problem,
            self.tuner,
            self.seed,
            self.loop,
            self.workers,
        )


class StudyMatrix:
    def __init__(self, options: BenchOptions) -> None:
        self.options = options
        self.problems: dict[str, Problem] = {options.problem: PROBLEMS[options.problem]}
        self.fingerprints: dict[str, str] = {}  # of each problem's data, once checked
        self.data_fingerprint = ""  # of every checked problem's data, in their names' order

    def check_data(self, problems: Iterable[str] | None = None) -> None:
        """Load the data of each problem to run (default: every one known) once to fail fast
        on bad files, and keep only its fingerprint: the pipelines load their own copy, and a
        machine with other files is refused."""
        for name in sorted(problems or self.problems):
            if name not in self.fingerprints:
                loaded = self.problems[name].load(self.options.data_dir)
                self.fingerprints[name] = loaded.fingerprint
        # A declared problem's definition belongs to the session's identity too: resuming
        # with an edited build() or loader starts anew instead of mixing two definitions.
        self.data_fingerprint = ",".join(
            self.fingerprints[n] + ("" if n in PROBLEMS else f"@{self.problems[n].fingerprint}")
            for n in sorted(self.fingerprints)
        )

    def add_problem(self, problem: Problem) -> None:
        """A problem a benchmark module declares; one name for two definitions is refused."""
        known = self.problems.get(problem.name) or PROBLEMS.get(problem.name) or problem
        if known.fingerprint != problem.fingerprint:
            raise OptionsError(
                f"two different problems are called {problem.name!r} (one of them "
                f"{'built in' if problem.name in PROBLEMS else 'declared twice'}); give each its "
                "own name"
            )
        self.problems[problem.name] = known

    def key(
        self,
        tuner: str,
        seed: int,
        loop: str | None = None,
        workers: int | None = None,
        problem: str | None = None,
    ) -> PipelineKey:
        """The pipeline of these parameters, the options filling in the rest; the loop is the
        one the problem trains with (Keras' own fit where the loops do not apply)."""
        name = problem or self.options.problem
        trains = self.problems[name].loop_for(loop or self.options.loop)
        return PipelineKey(tuner, seed, trains, workers or self.options.workers, name)

    def label(self, key: PipelineKey) -> str:
        """Run label and tuner folder name; runs the options ask for keep the plain form."""
        label = run_label(key.tuner, key.seed)
        if key.problem != self.options.problem:
            label = f"{key.problem}-{label}"
        if key.loop != self.problems[key.problem].loop_for(self.options.loop):
            label += f"-{key.loop}"
        if key.workers != self.options.workers:
            label += f"-{key.workers}workers"
        return label
