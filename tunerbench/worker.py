"""A Keras Tuner worker process: ``python -m tunerbench.worker SPEC_JSON``.

Started by the chief (``tunerbench.parallel``) with Keras Tuner's ``KERASTUNER_*`` variables set;
it rebuilds the same tuner, which Keras Tuner then connects to the chief's oracle, and searches
until the oracle says stop. Trials go to the run journal, where the chief reads them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tunerbench import compat
from tunerbench.data import load_dataset
from tunerbench.heap import frozen_heap
from tunerbench.journal import Journal, RunJournal
from tunerbench.loops import get_loop
from tunerbench.parallel import WorkerSpec
from tunerbench.pipeline import TunerSetup
from tunerbench.profiles import Profile
from tunerbench.trials import TrialLog
from tunerbench.tuners import build_tuner


def main(argv: list[str]) -> int:
    spec = WorkerSpec(**json.loads(argv[0]))
    compat.limit_threads(spec.threads)
    setup = TunerSetup.create(
        spec.tuner,
        load_dataset(spec.dataset, spec.data_dir),
        Profile(**spec.profile),
        spec.seed,
        Path(spec.directory),
        get_loop(spec.loop),
    )
    journal = RunJournal(Journal(Path(spec.journal)), spec.tuner, spec.seed, spec.run_label)
    log = TrialLog(spec.tuner, setup.ctx.budget.max_trials, None, journal)
    log.start_at(spec.search_start)
    tuner = build_tuner(spec.tuner, setup.ctx, log)
    with frozen_heap():
        setup.phases().search(tuner, setup.split)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
