"""A Keras Tuner worker process: ``python -m tunerbench.search.worker SPEC_JSON``.

Started by the chief (``tunerbench.search.distributed``) with Keras Tuner's ``KERASTUNER_*``
variables set; it rebuilds the same tuner, which Keras Tuner then connects to the chief's oracle,
and searches until the oracle says stop. Trials go to the run journal, where the chief reads them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tunerbench.problems.problem import Problem
from tunerbench.processes import die_with_parent
from tunerbench.profiles import Profile
from tunerbench.records.journal import Journal, RunJournal
from tunerbench.search.distributed import WorkerSpec
from tunerbench.search.trial_log import TrialLog
from tunerbench.search.tuner_setup import TunerSetup
from tunerbench.training import backend
from tunerbench.training.memory import frozen_heap


def main(argv: list[str]) -> int:
    die_with_parent()  # a chief that is killed takes its workers with it
    spec = WorkerSpec(**json.loads(argv[0]))
    backend.limit_threads(spec.threads)
    problem = Problem.from_dict(spec.problem)
    setup = TunerSetup.create(
        spec.tuner,
        problem,
        problem.load(spec.data_dir),
        Profile(**spec.profile),
        spec.seed,
        Path(spec.directory),
        spec.loop,
    )
    journal = RunJournal(Journal(Path(spec.journal)), spec.tuner, spec.seed, spec.run_label)
    log = TrialLog(spec.tuner, setup.ctx.budget.max_trials, None, journal)
    log.start_at(spec.search_start)
    tuner = setup.build_tuner(log)
    with frozen_heap():
        setup.search(tuner)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
