"""The ``--tb-*`` options of ``pytest bench/``: declared once, checked up front.

Each option is one entry of ``OPTIONS``: its flag, the field it fills, its default, its help and
the parser that turns the text given into the typed value. The pytest plugin registers the
entries and ``BenchOptions.parse`` reads values back through the same entries, so an option
added, renamed or given another default is one edit, and the two can never disagree. Names and
help texts come from the registries of tuners, datasets, profiles and loops, so the help lists
exactly the names the code accepts. Every value is checked before anything is loaded or trained,
so a typo fails in a second with one line, not after an hour of runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from tunerbench.choices import ChoiceError, Choices
from tunerbench.data.datasets import DATASETS, DEFAULT_DATASET
from tunerbench.data.fashion_mnist import DATA_DIR_ENV
from tunerbench.problems.builtin import DEFAULT_PROBLEM, PROBLEMS
from tunerbench.profiles import DEFAULT_PROFILE, PROFILES
from tunerbench.report.decision.rope import DEFAULT_ROPE
from tunerbench.run.option_values import (
    OptionsError,
    check_cluster,
    check_rope,
    check_table,
    check_tls,
    positive,
)
from tunerbench.search.registry import TUNERS
from tunerbench.training.loops import DEFAULT_LOOP, LOOPS

DEFAULT_TABLE_SEEDS = 5


def _as_given(value: Any) -> Any:
    """A value taken as given (a folder, a TLS file: checked where it is combined or used)."""
    return value


def _named(registry: Choices[Any]) -> Callable[[str | None], str | None]:
    """A parser of one name of ``registry`` (ChoiceError listing the names); None, not given,
    stays None."""

    def name(value: str | None) -> str | None:
        if value is not None:
            registry.get_entry(value)
        return value

    return name


def _tuners(value: str) -> tuple[str, ...]:
    return tuple(TUNERS.parse_list(value))


@dataclass(frozen=True)
class Option:
    """One ``--tb-*`` option. pytest stores it as ``tb_<dest>``; ``BenchOptions.parse`` takes it
    as the keyword ``dest``, hands its value (``default`` when not given) to ``parse`` and keeps
    the result in the field of that name (the three TLS files make up ``tls``; ``problem`` and
    ``dataset`` are settled together). ``parse`` raises an OptionsError (or a ChoiceError) of
    one line naming the option and what it takes."""

    flag: str
    dest: str
    help: str
    default: Any = None
    parse: Callable[[Any], Any] = _as_given
    is_flag: bool = False  # a switch, given without a value

    @property
    def attribute(self) -> str:
        """The name pytest keeps the value under (bench/conftest.py reads the switches so)."""
        return f"tb_{self.dest}"


def _switch(flag: str, dest: str, help: str) -> Option:
    return Option(flag, dest, help, default=False, parse=bool, is_flag=True)


# The pytest plugin (tunerbench/pytest_plugin.py) registers exactly these, in this order (the
# order of --help). Each help says what the README's Options table says (tests hold the two to
# the same options), and the combinations refused up front.
OPTIONS: list[Option] = [
    Option(
        "--tb-tuners",
        "tuners",
        "comma list of tuners (default all): "
        + TUNERS.help(describe=lambda t: f"Keras Tuner's {t.keras_tuner_class}"),
        default=",".join(TUNERS),
        parse=_tuners,
    ),
    Option(
        "--tb-dataset",
        "dataset",
        "dataset of the reference MLP (the problem of that name): "
        + DATASETS.help(DEFAULT_DATASET, lambda d: d.summary),
        parse=_named(DATASETS),
    ),
    Option(
        "--tb-problem",
        "problem",
        "benchmark problem: "
        + PROBLEMS.help(DEFAULT_PROBLEM, lambda p: p.summary)
        + "; --tb-dataset still names the first two",
        parse=_named(PROBLEMS),
    ),
    Option(
        "--tb-profile",
        "profile",
        "run profile: " + PROFILES.help(DEFAULT_PROFILE, lambda p: p.summary),
        default=DEFAULT_PROFILE,
        parse=_named(PROFILES),
    ),
    Option(
        "--tb-seeds",
        "seeds",
        "number of seeds per tuner, run as seeds 1..N (default 1); with --tb-resume, the seeds "
        "a session grows to",
        default=1,
        parse=partial(positive, "--tb-seeds"),
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
        default="reports",
        parse=Path,
    ),
    Option(
        "--tb-loop",
        "loop",
        "training loop: "
        + LOOPS.help(DEFAULT_LOOP, lambda e: e.summary)
        + "; both: the same model, batch 32, optimizer and updates",
        default=DEFAULT_LOOP,
        parse=_named(LOOPS),
    ),
    Option(
        "--tb-workers",
        "workers",
        "run each search in N worker processes through Keras Tuner's distributed mode, the "
        "cores split between them (default 1); not with --tb-cluster",
        default=1,
        parse=partial(positive, "--tb-workers"),
    ),
    Option(
        "--tb-cluster",
        "cluster",
        "run the pipelines on Dask: local:N (N single-pipeline workers on this machine, the "
        "cores split between them) or tcp://HOST:PORT / tls://HOST:PORT (a running dask "
        "scheduler); default: one after another here; not with --tb-workers or --tb-speed",
        parse=check_cluster,
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
    _switch(
        "--tb-speed",
        "speed",
        "also run the speed benchmarks of bench/test_speed.py (adds about 1 h 40 min at the "
        "reference profile on 2 cores, about 5 min at the quick profile); reference MLP only "
        "(--tb-problem fashion_mnist or digits); not with --tb-cluster",
    ),
    _switch(
        "--tb-loop-accuracy",
        "loop_accuracy",
        "also train the reference run's hyperparameters under both loops, seeds 1..N, paired by "
        "seed (bench/test_loop_accuracy.py); reference MLP only, as --tb-speed",
    ),
    Option(
        "--tb-rope",
        "rope",
        "region of practical equivalence for the verdict, as a fraction of test accuracy "
        f"(default {DEFAULT_ROPE}: half a point): tuners closer than this count as equally good "
        "when the seeds show it",
        default=DEFAULT_ROPE,
        parse=check_rope,
    ),
    _switch(
        "--tb-tabulate",
        "tabulate",
        "instead of pipelines: train every point of the problem's space once per training seed "
        "for the refit's length (the Keras model, and the problem's scikit-learn estimator where "
        "sklearn is among --tb-tuners) and save the table (<output>/tables/) that --tb-replay "
        "reads; here, or on --tb-cluster's workers (local:N or a scheduler), each cell sent "
        "back as it ends; without --tb-speed or --tb-loop-accuracy",
    ),
    Option(
        "--tb-table-seeds",
        "table_seeds",
        f"with --tb-tabulate: training seeds per point (default {DEFAULT_TABLE_SEEDS}); a table "
        "grows by seeds, keeping what was trained",
        default=DEFAULT_TABLE_SEEDS,
        parse=partial(positive, "--tb-table-seeds"),
    ),
    Option(
        "--tb-replay",
        "replay",
        "instead of training: replay Keras Tuner's own tuners against this table (a .npz file "
        "--tb-tabulate wrote) over --tb-seeds seeds, the table answering every fit (a tuner "
        "whose framework the table does not hold is skipped); here, without --tb-workers, "
        "--tb-cluster, --tb-speed or --tb-loop-accuracy",
        parse=check_table,
    ),
    _switch(
        "--tb-resume",
        "resume",
        "continue the newest interrupted session with the same options, or grow a session by "
        "more seeds (--tb-resume --tb-seeds 10 on a 5-seed session adds seeds 6-10)",
    ),
]


TLS_FILES = ("tls_ca", "tls_cert", "tls_key")  # the options that make up ``BenchOptions.tls``


@dataclass(frozen=True)
class BenchOptions:
    """The options of one session, typed and checked; made only by ``parse``, which fills each
    field from the entry of ``OPTIONS`` of that name (defaults live there alone)."""

    tuners: tuple[str, ...]
    dataset: str
    problem: str  # the built-in problem bench/test_tuners.py runs
    profile: str
    seeds: int
    data_dir: str | None
    output: Path
    loop: str
    workers: int
    cluster: str | None
    tls: tuple[str, str, str] | None  # CA, certificate, key for a tls:// scheduler
    speed: bool
    loop_accuracy: bool
    rope: float
    tabulate: bool
    table_seeds: int
    replay: Path | None  # the table a replayed study reads
    resume: bool

    @classmethod
    def parse(cls, **given: Any) -> BenchOptions:
        """Options from ``given`` values by ``dest`` (the text of the command line, or typed
        values), each through its entry's parser, the others at their defaults; then the
        options that combine (problem and dataset, the TLS files) and those that cannot go
        together. An OptionsError of one line says which and what is allowed."""
        unknown = sorted(set(given) - {option.dest for option in OPTIONS})
        if unknown:
            raise TypeError(f"BenchOptions.parse() got unknown options {', '.join(unknown)}")
        try:
            values = {o.dest: o.parse(given.get(o.dest, o.default)) for o in OPTIONS}
            chosen = PROBLEMS.get_entry(_problem(values["problem"], values["dataset"]))
        except ChoiceError as exc:
            raise OptionsError(str(exc)) from None
        tls = check_tls(values["cluster"], *(values.pop(name) for name in TLS_FILES))
        options = cls(**values | {"problem": chosen.name, "dataset": chosen.dataset, "tls": tls})
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


# Options that cannot go together: each rule, given the options and whether the problem is the
# reference MLP, and the one line that refuses it.
_REFUSED: list[tuple[Callable[[BenchOptions, bool], bool], str]] = [
    (
        lambda o, mlp: bool(o.cluster) and o.workers > 1,
        "--tb-cluster and --tb-workers cannot be combined: on a cluster every pipeline is the "
        "unit of work; drop --tb-workers",
    ),
    (
        lambda o, mlp: (o.speed or o.loop_accuracy) and not mlp,
        "--tb-speed and --tb-loop-accuracy measure the reference MLP; run them with "
        "--tb-problem fashion_mnist or digits",
    ),
    (
        lambda o, mlp: o.tabulate and o.replay is not None,
        "--tb-tabulate makes a table and --tb-replay reads one: run them one after another",
    ),
    (
        lambda o, mlp: (o.tabulate or o.replay is not None) and (o.speed or o.loop_accuracy),
        "--tb-tabulate and --tb-replay run instead of pipelines; run --tb-speed and "
        "--tb-loop-accuracy in a session of their own",
    ),
    (
        lambda o, mlp: o.replay is not None and (o.workers > 1 or bool(o.cluster)),
        "--tb-replay runs here, two replay processes side by side; drop --tb-workers and "
        "--tb-cluster",
    ),
    (
        lambda o, mlp: bool(o.cluster) and o.speed,
        "--tb-speed measures pipelines side by side on this machine alone; run it without "
        "--tb-cluster",
    ),
]


def _check_combinations(options: BenchOptions, reference_mlp: bool) -> None:
    """The first rule of ``_REFUSED`` the options break, refused in its one line."""
    for breaks, message in _REFUSED:
        if breaks(options, reference_mlp):
            raise OptionsError(message)


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
