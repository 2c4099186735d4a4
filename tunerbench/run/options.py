"""The ``--tb-*`` options of ``pytest bench/``: declared once, checked up front.

Names, defaults and help texts come from the registries of tuners, datasets, profiles and loops,
so the help lists exactly the names the code accepts. Every value is checked before anything is
loaded or trained, so a typo fails in a second with one line, not after an hour of runs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tunerbench.choices import ChoiceError
from tunerbench.data.datasets import DATASETS, DEFAULT_DATASET
from tunerbench.data.fashion_mnist import DATA_DIR_ENV
from tunerbench.problems.builtin import DEFAULT_PROBLEM, PROBLEMS
from tunerbench.profiles import DEFAULT_PROFILE, PROFILES
from tunerbench.report.rope import DEFAULT_ROPE
from tunerbench.run.option_values import (
    OptionsError,
    check_cluster,
    check_rope,
    check_table,
    check_tls,
    local_workers,
    positive,
)
from tunerbench.search.registry import TUNERS
from tunerbench.training.loops import DEFAULT_LOOP, LOOPS

DEFAULT_TABLE_SEEDS = 5


@dataclass(frozen=True)
class Option:
    flag: str
    dest: str
    help: str
    is_flag: bool = False


# The pytest plugin (tunerbench/pytest_plugin.py) registers exactly these; values go to
# BenchOptions.parse by ``dest``. Each help says what the README's Options table says (tests
# hold the two to the same options), and the combinations refused up front.
OPTIONS: list[Option] = [
    Option(
        "--tb-tuners",
        "tuners",
        "comma list of tuners (default all): "
        + TUNERS.help(describe=lambda t: f"Keras Tuner's {t.keras_tuner_class}"),
    ),
    Option(
        "--tb-dataset",
        "dataset",
        "dataset of the reference MLP (the problem of that name): "
        + DATASETS.help(DEFAULT_DATASET, lambda d: d.summary),
    ),
    Option(
        "--tb-problem",
        "problem",
        "benchmark problem: "
        + PROBLEMS.help(DEFAULT_PROBLEM, lambda p: p.summary)
        + "; --tb-dataset still names the first two",
    ),
    Option(
        "--tb-profile",
        "profile",
        "run profile: " + PROFILES.help(DEFAULT_PROFILE, lambda p: p.summary),
    ),
    Option(
        "--tb-seeds",
        "seeds",
        "number of seeds per tuner, run as seeds 1..N (default 1); with --tb-resume, the seeds "
        "a session grows to",
    ),
    Option(
        "--tb-data-dir",
        "data_dir",
        "folder holding the four Fashion-MNIST IDX files (.gz or plain); default: the "
        f"{DATA_DIR_ENV} environment variable, else Keras' cache, Debian's copy, a download",
    ),
    Option(
        "--tb-output",
        "output",
        "where results, run folders and the report go (default reports)",
    ),
    Option(
        "--tb-loop",
        "loop",
        "training loop: "
        + LOOPS.help(DEFAULT_LOOP, lambda e: e.summary)
        + "; both: the same model, batch 32, optimizer and updates",
    ),
    Option(
        "--tb-workers",
        "workers",
        "run each search in N worker processes through Keras Tuner's distributed mode, the "
        "cores split between them (default 1); not with --tb-cluster",
    ),
    Option(
        "--tb-cluster",
        "cluster",
        "run the pipelines on Dask: local:N (N single-pipeline workers on this machine, the "
        "cores split between them) or tcp://HOST:PORT / tls://HOST:PORT (a running dask "
        "scheduler); default: one after another here; not with --tb-workers or --tb-speed",
    ),
    Option(
        "--tb-tls-ca",
        "tls_ca",
        "with --tb-cluster tls://...: the CA certificate (PEM file); give all three --tb-tls-* "
        "files, or none for Dask's own distributed.comm.tls configuration",
    ),
    Option(
        "--tb-tls-cert",
        "tls_cert",
        "with --tb-cluster tls://...: this client's certificate (PEM file), with --tb-tls-ca "
        "and --tb-tls-key",
    ),
    Option(
        "--tb-tls-key",
        "tls_key",
        "with --tb-cluster tls://...: this client's private key (PEM file), with --tb-tls-ca "
        "and --tb-tls-cert",
    ),
    Option(
        "--tb-speed",
        "speed",
        "also run the speed benchmarks of bench/test_speed.py (adds about 1 h 40 min at the "
        "reference profile on 2 cores, about 5 min at the quick profile); reference MLP only "
        "(--tb-problem fashion_mnist or digits); not with --tb-cluster",
        True,
    ),
    Option(
        "--tb-loop-accuracy",
        "loop_accuracy",
        "also train the reference run's hyperparameters under both loops, seeds 1..N, paired by "
        "seed (bench/test_loop_accuracy.py); reference MLP only, as --tb-speed",
        True,
    ),
    Option(
        "--tb-rope",
        "rope",
        "region of practical equivalence for the verdict, as a fraction of test accuracy "
        f"(default {DEFAULT_ROPE}: half a point): tuners closer than this count as equally good "
        "when the seeds show it",
    ),
    Option(
        "--tb-tabulate",
        "tabulate",
        "instead of pipelines: train every point of the problem's space once per training seed "
        "for the refit's length and save the table (<output>/tables/) that --tb-replay reads; "
        "on this machine (no --tb-cluster, or local:N), without --tb-speed or --tb-loop-accuracy",
        is_flag=True,
    ),
    Option(
        "--tb-table-seeds",
        "table_seeds",
        "with --tb-tabulate: training seeds per point (default 5); a table grows by seeds, "
        "keeping what was trained",
    ),
    Option(
        "--tb-replay",
        "replay",
        "instead of training: replay Keras Tuner's own tuners against this table (a .npz file "
        "--tb-tabulate wrote) over --tb-seeds seeds, the table answering every fit; here, "
        "without --tb-workers, --tb-cluster, --tb-speed or --tb-loop-accuracy",
    ),
    Option(
        "--tb-resume",
        "resume",
        "continue the newest interrupted session with the same options, or grow a session by "
        "more seeds (--tb-resume --tb-seeds 10 on a 5-seed session adds seeds 6-10)",
        is_flag=True,
    ),
]


@dataclass(frozen=True)
class BenchOptions:
    tuners: tuple[str, ...]
    dataset: str
    profile: str
    seeds: int
    data_dir: str | None
    output: Path
    loop: str
    workers: int = 1
    resume: bool = False
    speed: bool = False
    cluster: str | None = None
    loop_accuracy: bool = False
    rope: float = DEFAULT_ROPE
    tls: tuple[str, str, str] | None = None  # CA, certificate, key for a tls:// scheduler
    problem: str = DEFAULT_PROBLEM  # the built-in problem bench/test_tuners.py runs
    tabulate: bool = False
    table_seeds: int = DEFAULT_TABLE_SEEDS
    replay: Path | None = None  # the table a replayed study reads

    @classmethod
    def parse(
        cls,
        tuners: str = ",".join(TUNERS),
        dataset: str | None = None,
        problem: str | None = None,
        profile: str = DEFAULT_PROFILE,
        seeds: str | int = 1,
        data_dir: str | None = None,
        output: str = "reports",
        loop: str = DEFAULT_LOOP,
        workers: str | int = 1,
        resume: bool = False,
        speed: bool = False,
        cluster: str | None = None,
        loop_accuracy: bool = False,
        rope: str | float = DEFAULT_ROPE,
        tls_ca: str | None = None,
        tls_cert: str | None = None,
        tls_key: str | None = None,
        tabulate: bool = False,
        table_seeds: str | int = DEFAULT_TABLE_SEEDS,
        replay: str | None = None,
    ) -> BenchOptions:
        """Check every value up front; an OptionsError says which and what is allowed."""
        try:
            names = tuple(TUNERS.parse_list(tuners))
            if dataset is not None:
                DATASETS.get_entry(dataset)
            chosen = PROBLEMS.get_entry(_problem(problem, dataset))
            PROFILES.get_entry(profile)
            LOOPS.get_entry(loop)
        except ChoiceError as exc:
            raise OptionsError(str(exc)) from None
        options = cls(
            names,
            chosen.dataset,
            profile,
            positive("--tb-seeds", seeds),
            data_dir,
            Path(output),
            loop,
            positive("--tb-workers", workers),
            bool(resume),
            bool(speed),
            check_cluster(cluster),
            bool(loop_accuracy),
            check_rope(rope),
            check_tls(cluster, tls_ca, tls_cert, tls_key),
            chosen.name,
            bool(tabulate),
            positive("--tb-table-seeds", table_seeds),
            check_table(replay),
        )
        if options.cluster and options.workers > 1:
            raise OptionsError(
                "--tb-cluster and --tb-workers cannot be combined: on a cluster every pipeline "
                "is the unit of work; drop --tb-workers"
            )
        _check_combinations(options, chosen.fast_loop)
        return options

    @property
    def seed_values(self) -> list[int]:
        """Seeds 1..N: Keras Tuner treats seed 0 as 'pick one at random'."""
        return list(range(1, self.seeds + 1))

    def identity(self) -> dict[str, Any]:
        """What must match for ``--tb-resume`` to continue a session."""
        keys = ("tuners", "dataset", "profile", "seeds", "loop", "workers", "speed", "problem")
        raw = asdict(self)
        found = {k: list(raw[k]) if isinstance(raw[k], tuple) else raw[k] for k in keys}
        # A replayed session continues only a replay of the same table (older folders: none).
        return found | ({"replay": str(self.replay)} if self.replay is not None else {})


def _check_combinations(options: BenchOptions, reference_mlp: bool) -> None:
    """Options that cannot go together, each refused in one line."""
    if (options.speed or options.loop_accuracy) and not reference_mlp:
        raise OptionsError(
            "--tb-speed and --tb-loop-accuracy measure the reference MLP; run them with "
            "--tb-problem fashion_mnist or digits"
        )
    if options.tabulate and options.replay is not None:
        raise OptionsError(
            "--tb-tabulate makes a table and --tb-replay reads one: run them one after another"
        )
    if (options.tabulate or options.replay is not None) and (
        options.speed or options.loop_accuracy
    ):
        raise OptionsError(
            "--tb-tabulate and --tb-replay run instead of pipelines; run --tb-speed and "
            "--tb-loop-accuracy in a session of their own"
        )
    if options.tabulate and options.cluster and local_workers(options.cluster) is None:
        raise OptionsError(
            "--tb-tabulate runs on this machine: give --tb-cluster local:N or no --tb-cluster"
        )
    if options.replay is not None and (options.workers > 1 or options.cluster):
        raise OptionsError(
            "--tb-replay runs here, two replay processes side by side; drop --tb-workers and "
            "--tb-cluster"
        )
    if options.cluster and options.speed:
        raise OptionsError(
            "--tb-speed measures pipelines side by side on this machine alone; run it "
            "without --tb-cluster"
        )


def _problem(problem: str | None, dataset: str | None) -> str:
    """--tb-dataset names the reference MLP's problem on that dataset; with --tb-problem too,
    both must name the same problem."""
    if problem is not None and dataset is not None and problem != dataset:
        raise OptionsError(
            f"--tb-problem {problem} and --tb-dataset {dataset} name different problems; "
            "give one of them"
        )
    if problem is not None:
        return problem
    return DEFAULT_PROBLEM if dataset is None else dataset
