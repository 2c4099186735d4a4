"""One pipeline as a request: everything a fresh process needs to run it, as JSON.

The session builds one spec per (tuner, seed, loop, workers) it is asked for; the spec travels to
the process that runs it (a child of the session, or a Dask worker's child on another machine),
so it holds names and numbers, never data: the data is loaded where the pipeline runs and
checked against the session's fingerprint of it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from tunerbench.problems.problem import Problem
from tunerbench.profiles import Profile
from tunerbench.records.events import Event, parse_event


@dataclass(frozen=True)
class PipelineSpec:
    label: str  # the run's name in the journal and its folder: "hyperband-seed1", ...
    tuner: str
    dataset: str  # the problem's data: its dataset's name, or the problem's own
    profile: Profile  # sized for the problem (its own budget where it sets one)
    seed: int
    loop: str
    session: str
    data_dir: str | None = None  # the folder the user named; None: each machine looks itself
    data_fingerprint: str = ""  # of the session's copy of the dataset; "" skips the check
    workers: int = 1  # Keras Tuner workers inside the search (--tb-workers)
    threads: int = 0  # TensorFlow's thread pools in the pipeline's process; 0: its default
    # Keras Tuner's folder for this pipeline; "" for a fresh scratch folder where it runs.
    directory: str = ""
    resume: bool = False
    earlier_events: list[Event] = field(default_factory=list)  # the journal's, if any
    expected_versions: dict[str, str] = field(default_factory=dict)
    problem: dict[str, Any] = field(default_factory=dict)  # Problem.to_dict(): what is tuned

    def to_dict(self) -> dict[str, Any]:
        """As JSON carries it: the earlier events in their wire form (``Event.to_dict``)."""
        wire = [event.to_dict() for event in self.earlier_events]
        return {**asdict(replace(self, earlier_events=[])), "earlier_events": wire}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PipelineSpec:
        """The spec ``to_dict`` wrote, its earlier events parsed (EventError if one is not)."""
        events = [parse_event(event) for event in raw.get("earlier_events", [])]
        return cls(**{**raw, "profile": Profile(**raw["profile"]), "earlier_events": events})

    @property
    def tuned(self) -> Problem:
        return Problem.from_dict(self.problem)
