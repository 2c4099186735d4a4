"""The objective a group's runs are compared by, and which way is better.

A run's search and refit follow its problem's objective (``val_loss``, lower is better, say),
except where its framework scores another way: SklearnTuner's estimator is scored by accuracy,
higher is better, whatever the problem's objective. The values of two objectives never rank
against each other, so the figures and ranks that compare the objective keep only the runs that
followed the group's, and the others are named.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tunerbench.records.run_result import RunResult
from tunerbench.report.inputs.labels import sort_variants, variant
from tunerbench.search.registry import TUNERS


@dataclass(frozen=True)
class Objective:
    """A metric and which way is better (``"max"`` or ``"min"``)."""

    name: str = "val_accuracy"
    direction: str = "max"

    @classmethod
    def of(cls, run: RunResult) -> Objective:
        """What ``run`` followed (val_accuracy, maximised, in records older than the fields)."""
        return cls(run.search.objective_name, "max" if run.search.maximizes else "min")

    @property
    def maximize(self) -> bool:
        return self.direction == "max"

    @property
    def better(self) -> str:
        return "higher is better" if self.maximize else "lower is better"

    @property
    def described(self) -> str:
        return f"{self.name} ({self.better})"


@dataclass(frozen=True)
class GroupObjective:
    """The objective a group's runs are compared by, and the tuners that followed another."""

    objective: Objective = Objective()
    others: dict[str, Objective] = field(default_factory=dict)  # variant -> what it followed

    def kept(self, runs: list[RunResult]) -> list[RunResult]:
        """The runs whose values compare: those that followed the group's objective."""
        return [run for run in runs if Objective.of(run) == self.objective]

    @property
    def note(self) -> str | None:
        """Which tuners are left out of comparing the objective, and why (None: none is)."""
        if not self.others:
            return None
        followed = "; ".join(f"{name} follows {o.described}" for name, o in self.others.items())
        return (
            f"Not every tuner follows this problem's objective, {self.objective.described}: "
            f"{followed}. Values of two objectives do not compare, so those tuners are left out "
            "of the ranks over the budget and of the anytime and refit figures (their trials are "
            "not coloured where each tuner searched); their best values are of their own "
            "objective."
        )


def _follows_problem(run: RunResult) -> bool:
    """Whether the run's tuner follows the problem's objective (a tuner the registry does not
    know is taken to)."""
    tuner = run.identity.tuner
    return tuner not in TUNERS or TUNERS[tuner].framework.follows_objective


def group_objective(runs: list[RunResult]) -> GroupObjective:
    """The problem's objective, as the runs of tuners that follow it recorded it (the one most
    of them recorded; any run's where no tuner follows it), and the tuners that followed
    another."""
    following = [run for run in runs if _follows_problem(run)] or runs
    if not following:
        return GroupObjective()
    ((objective, _),) = Counter(map(Objective.of, following)).most_common(1)
    others = {variant(r): Objective.of(r) for r in runs if Objective.of(r) != objective}
    return GroupObjective(objective, {name: others[name] for name in sort_variants(others)})
