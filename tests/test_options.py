"""The ``--tb-*`` options as ``BenchOptions.parse`` checks them: every bad value is refused up
front with one line naming the option and what it allows; good values come back as typed, and
each option given on pytest's command line reaches its field."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tunerbench.data.datasets import DATASETS, DEFAULT_DATASET
from tunerbench.data.fashion_mnist import DATA_DIR_ENV
from tunerbench.problems.builtin import DEFAULT_PROBLEM, PROBLEMS
from tunerbench.profiles import DEFAULT_PROFILE, PROFILES
from tunerbench.pytest_plugin import SESSION
from tunerbench.report.decision.rope import DEFAULT_ROPE
from tunerbench.run.option_values import local_workers, positive
from tunerbench.run.options import OPTIONS, BenchOptions, OptionsError
from tunerbench.search.registry import TUNERS
from tunerbench.training.loops import DEFAULT_LOOP, LOOPS

pytest_plugins = ["pytester"]  # a real pytest configuration, for the command line's tests


def _refused(**values: Any) -> str:
    """The message of the OptionsError that parsing ``values`` raises, checked to be one line."""
    with pytest.raises(OptionsError) as caught:
        BenchOptions.parse(**values)
    message = str(caught.value)
    assert message and "\n" not in message, message
    return message


@pytest.fixture
def tls_files(tmp_path: Path) -> dict[str, str]:
    """Three readable (if not valid) PEM files, by the parse argument they go to."""
    files = {}
    for name in ("tls_ca", "tls_cert", "tls_key"):
        path = tmp_path / f"{name}.pem"
        path.write_text("-----BEGIN CERTIFICATE-----\n")
        files[name] = str(path)
    return files


# -- names from the registries -------------------------------------------------------------


@pytest.mark.parametrize(
    ("tuners", "unknown"),
    [
        ("nope", "'nope'"),
        ("random,nope", "'nope'"),
        ("random, Grid ,bogus", "'Grid', 'bogus'"),  # names are case-sensitive; all named
        (",", "list (empty)"),
        ("", "list (empty)"),
    ],
)
def test_an_unknown_tuner_is_named_with_every_allowed_one(tuners: str, unknown: str) -> None:
    """The message names each unknown tuner (or the empty list) and lists every known tuner."""
    message = _refused(tuners=tuners)
    assert message == f"unknown tuner {unknown}; choose from {', '.join(TUNERS.names)}"


@pytest.mark.parametrize(
    ("option", "kind", "names"),
    [
        ("dataset", "dataset", DATASETS.names),
        ("problem", "problem", PROBLEMS.names),
        ("profile", "profile", PROFILES.names),
        ("loop", "loop", LOOPS.names),
    ],
)
@pytest.mark.parametrize("bad", ["mnist", "FAST", "quick "])
def test_an_unknown_name_lists_what_is_allowed(
    option: str, kind: str, names: tuple[str, ...], bad: str
) -> None:
    """An unknown dataset, problem, profile or loop: one line naming the value and every
    allowed name (no stripping or case folding: the name must be exact)."""
    assert _refused(**{option: bad}) == f"unknown {kind} {bad!r}; choose one of {', '.join(names)}"


@pytest.mark.parametrize(
    "option",
    ["dataset", "profile", "loop", "problem"],
)
def test_an_empty_name_is_refused_not_defaulted(option: str) -> None:
    """``--tb-X ""`` (an unset shell variable) is an error, never silently the default."""
    assert _refused(**{option: ""}).startswith(f"unknown {option} ''; choose one of ")


def test_tuner_lists_are_stripped_and_keep_their_order() -> None:
    """Spaces around names are dropped, order is the user's, empty items are ignored."""
    assert BenchOptions.parse(tuners=" sklearn , random,,").tuners == ("sklearn", "random")


# -- the problem -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PROBLEMS.names)
def test_a_problem_brings_its_own_dataset(name: str) -> None:
    """--tb-problem alone sets the dataset to the problem's (its own name for one without a
    registered dataset)."""
    options = BenchOptions.parse(problem=name)
    assert (options.problem, options.dataset) == (name, PROBLEMS[name].dataset or name)


@pytest.mark.parametrize("dataset", DATASETS.names)
def test_a_dataset_names_the_reference_problem_on_it(dataset: str) -> None:
    """--tb-dataset X is --tb-problem X (the reference MLP on X), alone or given both ways."""
    by_dataset = BenchOptions.parse(dataset=dataset)
    assert (by_dataset.problem, by_dataset.dataset) == (dataset, dataset)
    assert by_dataset == BenchOptions.parse(problem=dataset)
    assert by_dataset == BenchOptions.parse(problem=dataset, dataset=dataset)


@pytest.mark.parametrize(
    ("problem", "dataset"), [("digits", "fashion_mnist"), ("fashion_cnn", "fashion_mnist")]
)
def test_a_problem_and_a_dataset_must_agree(problem: str, dataset: str) -> None:
    """Both given and naming different problems (even a problem on that same data): refused,
    naming both flags and values."""
    assert _refused(problem=problem, dataset=dataset) == (
        f"--tb-problem {problem} and --tb-dataset {dataset} name different problems; "
        "give one of them"
    )


# -- whole numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["seeds", "workers"])
@pytest.mark.parametrize("bad", ["0", "-2", "two", "1.5", "", " ", "1e3", 0, -1])
def test_seeds_and_workers_must_be_positive_whole_numbers(option: str, bad: str | int) -> None:
    """The message names the flag and quotes the value as given."""
    message = _refused(**{option: bad})
    assert message == f"--tb-{option} must be a positive whole number, got {str(bad)!r}"


@pytest.mark.parametrize(("given_", "number"), [("1", 1), ("12", 12), (" 3 ", 3), (7, 7)])
def test_good_seeds_and_workers_become_ints(given_: str | int, number: int) -> None:
    """Whole numbers, as text (spaces allowed) or ints, come back as ints."""
    options = BenchOptions.parse(seeds=given_, workers=given_)
    assert (options.seeds, options.workers) == (number, number)
    assert isinstance(options.seeds, int) and isinstance(options.workers, int)


@given(st.integers(min_value=1, max_value=10**9))
def test_positive_reads_back_every_positive_integer(number: int) -> None:
    """Every positive integer written out is read back as itself."""
    assert positive("--tb-seeds", str(number)) == number


@given(st.one_of(st.integers(max_value=0), st.text(max_size=8)))
def test_positive_returns_a_positive_int_or_names_the_flag(value: int | str) -> None:
    """Whatever the text, either a whole number >= 1 comes back or the error names the flag."""
    try:
        number = positive("--tb-flag", value)
    except OptionsError as exc:
        assert str(exc).startswith("--tb-flag must be a positive whole number, got ")
        assert str(exc).endswith(repr(str(value)))
    else:
        assert isinstance(number, int) and number >= 1
        assert number == int(value)


# -- the cluster -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cluster", ["host:8786", "http://host:8786", "tcp://", "tls://", "local", "", "ssh://h:1"]
)
def test_a_cluster_is_local_n_or_a_scheduler_address(cluster: str) -> None:
    """The message names --tb-cluster, both accepted forms and the value given."""
    message = _refused(cluster=cluster)
    assert message.startswith("--tb-cluster must be local:N or a scheduler address like tcp://")
    assert message.endswith(f"got {cluster!r}")


@pytest.mark.parametrize("count", ["0", "-1", "x", "", "2.5"])
def test_a_local_cluster_needs_a_positive_worker_count(count: str) -> None:
    """``local:N`` names its own part in the error: N must be a whole number >= 1."""
    message = _refused(cluster=f"local:{count}")
    assert message == f"--tb-cluster local:N must be a positive whole number, got {count!r}"


@pytest.mark.parametrize("cluster", ["local:1", "local:4", "tcp://10.0.0.1:8786", "tls://h:8786"])
def test_good_cluster_values_are_kept_as_given(cluster: str) -> None:
    """Accepted cluster values pass through unchanged."""
    assert BenchOptions.parse(cluster=cluster).cluster == cluster


@pytest.mark.parametrize(
    ("cluster", "workers"),
    [
        ("local:1", 1),
        ("local:12", 12),
        ("tcp://local:8786", None),
        ("tls://h:8786", None),
        (None, None),
    ],
)
def test_local_workers_is_n_of_local_n_alone(cluster: str | None, workers: int | None) -> None:
    """N for ``local:N`` (the LocalCluster's size); None for a scheduler address, even on a host
    named "local", and for no cluster."""
    assert local_workers(cluster) == workers


@pytest.mark.parametrize("cluster", ["local:2", "tcp://h:8786"])
def test_a_cluster_with_workers_is_refused(cluster: str) -> None:
    """On a cluster the pipeline is the unit of work: --tb-workers > 1 is refused, 1 is fine."""
    message = _refused(cluster=cluster, workers="2")
    assert "--tb-cluster and --tb-workers cannot be combined" in message
    assert "drop --tb-workers" in message
    assert BenchOptions.parse(cluster=cluster, workers="1").workers == 1


def test_a_cluster_with_speed_is_refused() -> None:
    """Speed is measured side by side on this machine: the message names both flags."""
    message = _refused(cluster="local:2", speed=True)
    assert "--tb-speed" in message and "without --tb-cluster" in message
    assert BenchOptions.parse(speed=True).speed is True


# -- TLS files -------------------------------------------------------------------------------


@pytest.mark.parametrize("cluster", [None, "local:2", "tcp://h:8786"])
def test_tls_files_need_a_tls_scheduler(cluster: str | None, tls_files: dict[str, str]) -> None:
    """TLS files without a tls:// scheduler are refused, naming the three flags."""
    message = _refused(cluster=cluster, **tls_files)
    assert message == "--tb-tls-ca/--tb-tls-cert/--tb-tls-key go with --tb-cluster tls://..."


@pytest.mark.parametrize(
    "given_", [("tls_ca",), ("tls_cert",), ("tls_key",), ("tls_ca", "tls_key")]
)
def test_tls_files_go_together(given_: tuple[str, ...], tls_files: dict[str, str]) -> None:
    """One or two of the three files: the message names all three flags."""
    message = _refused(cluster="tls://h:8786", **{k: tls_files[k] for k in given_})
    assert message == "--tb-tls-ca, --tb-tls-cert and --tb-tls-key go together: give all three"


@pytest.mark.parametrize("which", ["tls_ca", "tls_cert", "tls_key"])
@pytest.mark.parametrize("problem", ["missing", "folder", "dangling link"])
def test_each_tls_file_must_be_readable(
    which: str, problem: str, tls_files: dict[str, str], tmp_path: Path
) -> None:
    """The message names the flag of the file that is not a readable file, and the path."""
    bad = tmp_path / f"bad-{which}"
    if problem == "folder":
        bad.mkdir()
    elif problem == "dangling link":
        bad.symlink_to(tmp_path / "gone.pem")
    message = _refused(cluster="tls://h:8786", **{**tls_files, which: str(bad)})
    flag = "--tb-" + which.replace("_", "-")
    assert message == f"{flag} {bad}: no such readable file"


def test_tls_files_are_kept_in_order(tls_files: dict[str, str]) -> None:
    """CA, certificate, key, as given; no files leaves the certificates to Dask's config."""
    options = BenchOptions.parse(cluster="tls://h:8786", **tls_files)
    assert options.tls == (tls_files["tls_ca"], tls_files["tls_cert"], tls_files["tls_key"])
    assert BenchOptions.parse(cluster="tls://h:8786").tls is None
    assert BenchOptions.parse(cluster="tls://h:8786", tls_ca="", tls_cert="").tls is None


# -- the ROPE --------------------------------------------------------------------------------


@pytest.mark.parametrize("rope", ["half", "0", "0.5", "-0.01", "1", "nan", "inf", "", -1.0])
def test_the_rope_is_a_fraction_between_0_and_half(rope: str | float) -> None:
    """Bad ROPEs (not numbers, outside (0, 0.5), nan, inf) name --tb-rope, range and value."""
    message = _refused(rope=rope)
    assert message.startswith("--tb-rope must be a fraction of accuracy between 0 and 0.5")
    assert message.endswith(f"got {str(rope)!r}")


@pytest.mark.parametrize(("rope", "value"), [("0.01", 0.01), ("0.4999", 0.4999), (0.2, 0.2)])
def test_a_good_rope_becomes_a_float(rope: str | float, value: float) -> None:
    """A ROPE inside (0, 0.5) comes back as that float."""
    assert BenchOptions.parse(rope=rope).rope == value


# -- defaults, seeds, identity ---------------------------------------------------------------


def test_defaults_come_from_the_registries() -> None:
    """With nothing given: every tuner, the default problem (and its dataset), profile and
    loop, one seed, one worker, reports/ for the output, and every extra off."""
    options = BenchOptions.parse()
    assert options.tuners == TUNERS.names
    assert (options.problem, options.dataset) == (
        DEFAULT_PROBLEM,
        PROBLEMS[DEFAULT_PROBLEM].dataset,
    )
    assert (options.profile, options.loop) == (DEFAULT_PROFILE, DEFAULT_LOOP)
    assert (options.seeds, options.workers, options.rope) == (1, 1, DEFAULT_ROPE)
    assert options.output == Path("reports") and options.data_dir is None
    assert not (options.resume or options.speed or options.loop_accuracy)
    assert options.cluster is None and options.tls is None


def test_defaults_are_valid_names() -> None:
    """Each default is one of its registry's names (a renamed entry would break every run)."""
    assert DEFAULT_DATASET in DATASETS and DEFAULT_PROBLEM in PROBLEMS
    assert DEFAULT_PROFILE in PROFILES and DEFAULT_LOOP in LOOPS


@pytest.mark.parametrize("seeds", [1, 2, 5])
def test_seed_values_are_one_to_n(seeds: int) -> None:
    """Seeds 1..N: never 0, which Keras Tuner takes as 'pick one at random'."""
    values = BenchOptions.parse(seeds=seeds).seed_values
    assert values == list(range(1, seeds + 1))
    assert 0 not in values and len(set(values)) == seeds


IDENTITY_KEYS = {"tuners", "dataset", "profile", "seeds", "loop", "workers", "speed", "problem"}


def test_identity_holds_what_resuming_compares_as_json() -> None:
    """The identity is plain JSON (it is saved in session.json) and holds the parsed values."""
    options = BenchOptions.parse(
        tuners="grid,random", dataset="digits", profile="quick", seeds="3", loop="keras-default",
        workers="2", speed=True,
    )  # fmt: skip
    identity = options.identity()
    assert identity == {
        "tuners": ["grid", "random"], "dataset": "digits", "profile": "quick", "seeds": 3,
        "loop": "keras-default", "workers": 2, "speed": True, "problem": "digits",
    }  # fmt: skip
    assert json.loads(json.dumps(identity)) == identity


@pytest.mark.parametrize(
    "change",
    [
        {"output": "elsewhere"},
        {"rope": "0.02"},
        {"resume": True},
        {"data_dir": "/data"},
        {"loop_accuracy": True},
        {"cluster": "local:2"},
    ],
)
def test_identity_ignores_what_may_change_between_runs(change: dict[str, Any]) -> None:
    """Where results go, the ROPE, resuming itself, the data folder (its fingerprint is checked
    instead) and where pipelines run do not make a session another one."""
    base = {"tuners": "random", "dataset": "digits"}
    assert BenchOptions.parse(**base, **change).identity() == BenchOptions.parse(**base).identity()


@pytest.mark.parametrize(
    "change",
    [
        {"tuners": "random,grid"},
        {"problem": "fashion_mnist"},  # the same MLP on other data
        {"problem": "fashion_cnn"},  # another model on the same data as fashion_mnist
        {"profile": "reference"},
        {"seeds": 2},
        {"loop": "keras-default"},
        {"workers": 2},
        {"speed": True},
    ],
)
def test_identity_changes_with_every_option_it_holds(change: dict[str, Any]) -> None:
    """Each option resuming compares makes a different identity."""
    base = {"tuners": "random", "problem": "digits", "profile": "quick"}
    changed = BenchOptions.parse(**{**base, **change}).identity()
    assert changed != BenchOptions.parse(**base).identity()
    assert set(changed) >= IDENTITY_KEYS


# -- the declared options --------------------------------------------------------------------


def _from_command_line(pytester: pytest.Pytester, given: dict[str, str | bool]) -> BenchOptions:
    """The options the plugin makes of a ``pytest bench/`` command line."""
    args = [
        a for flag, value in given.items() for a in ([flag] if value is True else [flag, value])
    ]
    config = pytester.parseconfigure("-p", "tunerbench.pytest_plugin", *args)
    return config.stash[SESSION].options


def test_every_option_on_the_command_line_reaches_its_field(
    pytester: pytest.Pytester, tmp_path: Path, tls_files: dict[str, str]
) -> None:
    """pytest registers each entry of OPTIONS and parse reads it back through the same entry:
    a value given for every option (four command lines, as some exclude others) comes out
    typed in its field."""
    table = tmp_path / "t.npz"
    table.write_bytes(b"")
    tls = {"--tb-" + name.replace("_", "-"): path for name, path in tls_files.items()}
    lines: list[tuple[dict[str, str | bool], dict[str, Any]]] = [
        (
            {"--tb-tuners": "random,grid", "--tb-problem": "digits", "--tb-profile": "quick",
             "--tb-seeds": "3", "--tb-data-dir": "/data", "--tb-output": str(tmp_path),
             "--tb-loop": "keras-default", "--tb-workers": "2", "--tb-speed": True,
             "--tb-loop-accuracy": True, "--tb-rope": "0.02", "--tb-resume": True},
            {"tuners": ("random", "grid"), "problem": "digits", "dataset": "digits",
             "profile": "quick", "seeds": 3, "data_dir": "/data", "output": tmp_path,
             "loop": "keras-default", "workers": 2, "speed": True, "loop_accuracy": True,
             "rope": 0.02, "resume": True},
        ),
        (
            {"--tb-dataset": "digits", "--tb-cluster": "tls://h:8786", **tls},
            {"problem": "digits", "cluster": "tls://h:8786", "tls": tuple(tls.values())},
        ),
        ({"--tb-tabulate": True, "--tb-table-seeds": "3"}, {"tabulate": True, "table_seeds": 3}),
        ({"--tb-replay": str(table)}, {"replay": table}),
    ]  # fmt: skip
    for command_line, expected in lines:
        options = _from_command_line(pytester, command_line)
        assert {field: getattr(options, field) for field in expected} == expected
    assert {flag for command_line, _ in lines for flag in command_line} == {o.flag for o in OPTIONS}


def test_an_undeclared_option_is_a_programming_error() -> None:
    """A keyword no entry declares is a TypeError naming it, never silently dropped."""
    with pytest.raises(TypeError, match="unknown options tb_seeds"):
        BenchOptions.parse(tb_seeds="2")


@pytest.mark.parametrize(
    ("flag", "names"),
    [
        ("--tb-tuners", TUNERS.names),
        ("--tb-dataset", DATASETS.names),
        ("--tb-problem", PROBLEMS.names),
        ("--tb-profile", PROFILES.names),
        ("--tb-loop", LOOPS.names),
    ],
)
def test_help_lists_every_accepted_name(flag: str, names: tuple[str, ...]) -> None:
    """The help of each named option lists every name parse accepts."""
    (option,) = [o for o in OPTIONS if o.flag == flag]
    assert all(name in option.help for name in names)


def test_options_errors_are_value_errors() -> None:
    """Front ends that catch ValueError for bad input also catch these."""
    assert issubclass(OptionsError, ValueError)


@pytest.mark.parametrize("flag", ["speed", "loop_accuracy"])
def test_measurements_of_the_reference_mlp_refuse_another_problem(flag: str) -> None:
    with pytest.raises(OptionsError, match="measure the reference MLP"):
        BenchOptions.parse(problem="fashion_cnn", **{flag: True})
    assert getattr(BenchOptions.parse(problem="digits", **{flag: True}), flag)


def test_tabulating_and_replaying_are_checked_up_front(tmp_path: Path) -> None:
    table = tmp_path / "t.npz"
    table.write_bytes(b"")
    assert "no such readable table" in _refused(replay=str(tmp_path / "none.npz"))
    assert "one after another" in _refused(replay=str(table), tabulate=True)
    assert "session of their own" in _refused(replay=str(table), speed=True)
    assert "drop --tb-workers" in _refused(replay=str(table), cluster="local:2")
    assert "--tb-table-seeds must be a positive" in _refused(tabulate=True, table_seeds="0")
    for cluster in ("local:2", "tcp://h:8786"):  # tabulation runs on a cluster's workers
        parsed = BenchOptions.parse(tabulate=True, table_seeds="3", cluster=cluster)
        assert (parsed.tabulate, parsed.table_seeds) == (True, 3)
    assert BenchOptions.parse(replay=str(table)).identity()["replay"] == str(table)


ROOT = Path(__file__).resolve().parent.parent
FLAG = re.compile(r"--tb-[a-z-]+")


def _section(path: Path, heading: str) -> str:
    """The text of a Markdown section whose heading starts with ``heading``, up to the next
    heading of its level or above."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"\n{heading}")
    level = heading.split(" ")[0]
    ends = [text.find(f"\n{'#' * n} ", start + 1) for n in range(1, len(level) + 1)]
    return text[start : min([e for e in ends if e != -1], default=len(text))]


def _readme_options() -> set[str]:
    """The options the README's Options table has a row for."""
    rows = set()
    for line in _section(ROOT / "README.md", "## Options").splitlines():
        if line.startswith("|"):
            rows.update(FLAG.findall(line.strip("|").split("|")[0]))
    return rows


def test_the_readme_options_table_and_the_declared_options_agree() -> None:
    """Every option of the README's table is declared, and every declared option has a row,
    or (tabulating and replaying) its part of docs/method.md."""
    readme = _readme_options()
    declared = {option.flag for option in OPTIONS}
    assert "--tb-tuners" in readme and "--tb-tls-key" in readme  # the table was read
    assert readme <= declared
    replay = set(FLAG.findall(_section(ROOT / "docs/method.md", "## Replay")))
    assert declared - readme <= replay


@pytest.mark.parametrize(
    ("flag", "said"),
    [
        ("--tb-problem", ["--tb-dataset still names the first two"]),
        ("--tb-seeds", ["seeds 1..N", "--tb-resume"]),
        ("--tb-data-dir", [DATA_DIR_ENV, ".gz or plain"]),
        ("--tb-output", ["results, run folders and the report"]),
        ("--tb-loop", ["keras-default", "batch 32"]),
        ("--tb-workers", ["distributed mode", "cores split", "not with --tb-cluster"]),
        (
            "--tb-cluster",
            ["local:N", "tcp://HOST:PORT", "tls://HOST:PORT", "--tb-workers", "--tb-speed"],
        ),
        ("--tb-tls-ca", ["tls://", "all three", "distributed.comm.tls"]),
        ("--tb-tls-cert", ["tls://", "--tb-tls-ca", "--tb-tls-key"]),
        ("--tb-tls-key", ["tls://", "--tb-tls-ca", "--tb-tls-cert"]),
        ("--tb-rope", ["half a point", "when the seeds show it"]),
        ("--tb-resume", ["interrupted", "--tb-resume --tb-seeds 10", "adds seeds 6-10"]),
        ("--tb-speed", ["1 h 40 min", "5 min", "reference MLP only", "not with --tb-cluster"]),
        ("--tb-loop-accuracy", ["both loops", "reference MLP only"]),
        ("--tb-tabulate", ["--tb-replay", "--tb-cluster", "--tb-speed"]),
        ("--tb-replay", ["--tb-workers", "--tb-cluster", "--tb-speed"]),
    ],
)
def test_help_says_what_the_readme_and_the_checks_say(flag: str, said: list[str]) -> None:
    """``--help`` carries the README's row (the schedulers, the data's variable, growing a
    session, the speed run's cost and scope) and the combinations parse refuses."""
    (option,) = [o for o in OPTIONS if o.flag == flag]
    assert [s for s in said if s not in option.help] == []
