"""Results files as an attacker or a broken disk would write them: the reader and the report
give a report or one line naming the file, never a traceback (hypothesis feeds random JSON and
mutated real files)."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reporting import SESSION, THROUGHPUT

from tunerbench import cli
from tunerbench.records.results_file import (
    ResultsError,
    load_file,
    once_each,
    session_document,
    write_json_atomic,
)
from tunerbench.report.inputs.results_files import ReportError, read_results
from tunerbench.report.rendering import render
from tunerbench.report.rendering.render import render_html, render_verdict, report_context
from tunerbench.run.run_folder import saved_measurements

pytestmark = pytest.mark.report

# Floats JSON cannot hold or that are easy to get wrong (-0.0, subnormals, the largest double),
# and text with lone surrogates (JSON's "\ud800" reads as one; no UTF-8 file can hold it).
ODD_FLOATS = st.sampled_from(
    [math.nan, math.inf, -math.inf, -0.0, 5e-324, 2.2e-308, 1.7976931348623157e308]
)
ODD_TEXT = st.text(st.characters(categories=["Cs", "Cc", "Lu"]), min_size=1, max_size=4)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | ODD_FLOATS
    | st.text(max_size=12)
    | ODD_TEXT,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
REAL = json.loads(SESSION.read_text())
REAL["results"] = REAL["results"][:2]  # two runs render in a fraction of a second
HOSTILE = {
    "huge integer": "1" * 5000,
    "deep nesting": "[" * 100_000 + "]" * 100_000,
    "perf is a number": json.dumps({**REAL, "perf": 5}),
    "benchmarks of numbers": json.dumps({"benchmarks": [1]}),
    "version true": json.dumps({**REAL, "version": True}),
}


def _paths(document: Any) -> list[list[Any]]:
    """Every path to a value inside a JSON document."""
    found: list[list[Any]] = [[]]
    if isinstance(document, dict):
        for key, value in document.items():
            found += [[key, *rest] for rest in _paths(value)]
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += [[index, *rest] for rest in _paths(value)]
    return found


PATHS = _paths(REAL)


def _outcome(path: Path) -> str:
    """ "report" or "refused"; anything else (a traceback) fails the test. What is read writes
    back as the session saves it, and reads back the same: a value read never makes the next
    save fail."""
    try:
        results, perf = load_file(path)
        saved = path.with_name("saved.json")
        write_json_atomic(saved, session_document(results, "now", perf))
        assert load_file(saved) == (results, perf)
        results, perf = read_results([path])
        render_html(results, [str(path)], perf)
    except (ResultsError, ReportError) as exc:
        assert "\n" not in str(exc) and str(path) in str(exc), str(exc)
        return "refused"
    return "report"


def _changed(where: tuple[Any, ...], value: Any, document: Any = REAL) -> dict[str, Any]:
    """A copy of ``document`` with the value at ``where`` (keys and indexes) replaced."""
    document = copy.deepcopy(document)
    target = document
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    return document


def _refusal(tmp_path: Path, text: str, name: str = "case.json") -> str:
    """The one line a file of ``text`` is refused with (the test fails if it reads)."""
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises((ResultsError, ReportError)) as refused:
        read_results([path])
    assert "\n" not in str(refused.value)
    return str(refused.value)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_known_hostile_files_get_one_line(name: str, tmp_path: Path) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(HOSTILE[name])
    assert _outcome(path) == "refused"


def test_hostile_fields_are_named(tmp_path: Path) -> None:
    cases = {
        ("machine",): (None, "result.machine: expected an object, got null"),
        ("versions",): ([], "result.versions: expected an object, got list"),
        ("trials", 0, "hyperparameters"): ("units=5", "result.trials[0].hyperparameters"),
        ("tuner",): ("nope", "tuner 'nope' is not one of random, grid"),
    }
    for (*keys, last), (value, message) in cases.items():
        document = copy.deepcopy(REAL)
        target = document["results"][0]
        for key in keys:
            target = target[key]
        target[last] = value
        path = tmp_path / "case.json"
        path.write_text(json.dumps(document))
        with pytest.raises((ResultsError, ReportError), match=message.replace("[", r"\[")):
            read_results([path])


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=JSON)
def test_random_json_is_refused_in_one_line(document: Any, tmp_path_factory) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "random.json"
    path.write_text(json.dumps(document))
    assert _outcome(path) in ("report", "refused")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.sampled_from(PATHS), value=JSON)
def test_mutated_real_files_give_a_report_or_one_line(
    where: list, value: Any, tmp_path_factory
) -> None:
    document = copy.deepcopy(REAL)
    if not where:
        document = value
    else:
        target = document
        for key in where[:-1]:
            target = target[key]
        target[where[-1]] = value
    path = tmp_path_factory.mktemp("fuzz") / "mutated.json"
    path.write_text(json.dumps(document))
    assert _outcome(path) in ("report", "refused")


# Number literals as a file may spell them: JSON's (1e999 and -1e999 read as infinities, 1e-400
# as 0.0) and Python's extensions, which its reader accepts too.
LITERALS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e-400", "-0.0", "4.9e-324"]
MEASURED = {**REAL, "perf": [THROUGHPUT]}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.sampled_from(_paths(MEASURED)), literal=st.sampled_from(LITERALS))
def test_numbers_json_cannot_hold_are_refused_or_written_back(
    where: list, literal: str, tmp_path_factory
) -> None:
    """Any value of a real file (a run's or a measurement's) spelled as a number that does not
    round-trip: refused naming the field, or read as a value that writes back as it reads."""
    document = _changed(tuple(where), "MARK", MEASURED) if where else "MARK"
    path = tmp_path_factory.mktemp("fuzz") / "numbers.json"
    path.write_text(json.dumps(document).replace('"MARK"', literal))
    assert _outcome(path) in ("report", "refused")


@pytest.mark.parametrize(
    ("where", "literal", "field"),
    [
        (("results", 0, "best_val_accuracy"), "NaN", "result.best_val_accuracy: nan is not"),
        (("results", 0, "phases", "search", "wall_s"), "1e999", "result.phases.search.wall_s"),
        (("results", 0, "machine", "cores"), "-Infinity", "result.machine.cores: -inf is not"),
        (("perf", 0, "ratio"), "NaN", "measurement 0 is not of tunerbench's shape "
         "(measurement.ratio: nan is not a finite number)"),
        (("perf", 0, "added_later"), "Infinity", "measurement.added_later: inf is not"),
    ],
)  # fmt: skip
def test_a_number_json_cannot_hold_is_refused_naming_the_field(
    where: tuple[Any, ...], literal: str, field: str, tmp_path: Path
) -> None:
    text = json.dumps(_changed(where, "MARK", MEASURED)).replace('"MARK"', literal)
    assert field in _refusal(tmp_path, text)


def test_a_file_with_nan_never_costs_the_next_save(tmp_path: Path) -> None:
    """A resumed session reads the measurements of its results file, then saves every new run
    into it: a measurement holding NaN sets the file aside (named) instead of failing each
    save, so the new runs are saved."""
    results_path = tmp_path / "tunerbench-s.json"
    text = json.dumps(MEASURED).replace('"ratio": 1.4', '"ratio": NaN')
    results_path.write_text(text)
    _, perf, aside = saved_measurements(tmp_path, results_path)
    assert perf == [] and aside is not None and "measurement.ratio: nan" in aside
    runs = load_file(SESSION)[0][:1]
    write_json_atomic(results_path, session_document(runs, "now", perf))
    assert load_file(results_path) == (runs, [])
    assert next(tmp_path.glob("tunerbench-s.json.unreadable-*")).read_text() == text


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        (("results", 0, "tuner"), "\ud800", 'result.tuner: "\\ud800" holds a lone surrogate'),
        (("results", 0, "problem"), "\ud800", "result.problem: "),
        (("results", 0, "machine", "host"), "x\udfff", "result.machine.host: "),
        (("results", 0, "best_hyperparameters"), {"\ud800": 1}, "result.best_hyperparameters: "),
        (("perf", 0, "cluster"), "\ud800", "measurement.cluster: "),
    ],
)
def test_text_no_file_can_hold_is_refused_in_one_line_with_exit_2(
    where: tuple[Any, ...], value: Any, message: str, tmp_path: Path, capsys
) -> None:
    """A lone surrogate in any string is refused when read, in one line: exit 2, never exit 1
    (what --fail-on-change exits with for "changed") by a traceback."""
    path = tmp_path / "surrogate.json"
    path.write_text(json.dumps(_changed(where, value, MEASURED)))
    assert cli.main(["report", str(path), "-o", str(tmp_path / "r.html"), "--fail-on-change"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert message in line and "lone surrogate" in line


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("versions", {}, "result.versions must name python, tensorflow, keras, keras_tuner"),
        ("phases", {}, "result.phases must hold the phases search, refit, final"),
        ("refit_val_accuracy", [], "result.refit_val_accuracy must hold at least one value"),
        ("machine", {"host": []}, "result.machine must hold its host as text"),
        ("data", {"a": 1}, "result.data must hold n_fit, n_val, n_test as counts"),
        (
            "trials",
            [{**REAL["results"][0]["trials"][0], "epochs": -1}, *REAL["results"][0]["trials"][1:]],
            "result.trials[0].epochs must not be negative, not -1",
        ),
        ("best_epoch", 10**15, "result.best_epoch: 1000000000000000 is not one of the 6 epochs"),
        ("best_epoch", 0, "result.best_epoch: 0 is not one of the 6 epochs"),
        ("problem", "x\n# owned", "result.problem must hold no control characters"),
        ("session", "s\x1b[2J", "result.session must hold no control characters"),
        ("loop", "fast\u202e", "result.loop must hold no control characters"),
        ("session_tuners", ["random\r"], "result.session_tuners[0] must hold no control"),
        ("started_at", "yesterday", "result.started_at must be an ISO 8601 time"),
        (
            "versions",
            {**REAL["results"][0]["versions"], "tensorflow": "2.21\n## owned"},
            "result.versions.tensorflow must hold no control characters",
        ),
    ],
)
def test_fields_the_report_cannot_use_are_refused_naming_them(
    field: str, value: Any, message: str, tmp_path: Path
) -> None:
    """Values of the right type the report still cannot use (or that would write lines of their
    own into verdict.md and the terminal) are refused when read, naming the field, rather than
    ending in "cannot render ... were they written by this version?"."""
    line = _refusal(tmp_path, json.dumps(_changed(("results", 0, field), value)))
    assert message in line and "cannot render" not in line


def test_a_huge_value_is_cut_in_the_message(tmp_path: Path) -> None:
    huge = "x" * 100_000
    line = _refusal(tmp_path, json.dumps(_changed(("results", 0, "objective_direction"), huge)))
    assert len(line) < 400 and line.endswith('got "' + "x" * 79 + "...)")


def test_a_file_name_is_shown_escaped(tmp_path: Path) -> None:
    """A newline or an ANSI escape in a file's name reaches the terminal as an escape."""
    line = _refusal(tmp_path, "{", name="a\n\x1b[31mred.json")
    assert "a\\n\\x1b[31mred.json: not JSON" in line and "\x1b" not in line


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    text = json.dumps(REAL).replace('"tuner": "random"', '"tuner": "random", "tuner": "grid"', 1)
    line = _refusal(tmp_path, text)
    assert line.endswith('key "tuner" appears twice in one object; keep one of them')


def test_a_bug_while_rendering_is_a_traceback_not_blamed_on_the_files(
    tmp_path: Path, monkeypatch
) -> None:
    """Every field the report uses is checked when read: an error after that is tunerbench's,
    and must surface as itself (only a record that is not of its shape is one line)."""
    runs, perf = read_results([SESSION])

    def broken(*args: Any) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(render, "build_context", broken)
    with pytest.raises(KeyError, match="a bug"):
        report_context(runs, [str(SESSION)], perf)


INJECTED = "d <b>x</b> ## pwn [a](http://e) *b* _c_ `code` | ~~s~~ ![i](http://e/i.png)"


def test_verdict_md_writes_names_as_text(tmp_path: Path) -> None:
    """Names and versions read from a file cannot write a heading, a link, an image, emphasis
    or HTML of their choosing into verdict.md; nor can a name made in memory with a newline or
    a terminal escape (a file's are refused) add lines to verdict.md or the terminal's text."""
    markdown_it = pytest.importorskip("markdown_it")
    document = copy.deepcopy(REAL)
    for run in document["results"]:
        run["problem"] = INJECTED
        run["versions"]["tensorflow"] = "2.21 [link](http://evil) <img src=x>"
        run["loop"] = "fast]( http://e)"
    path = tmp_path / "injected.json"
    path.write_text(json.dumps(document))
    runs, perf = read_results([path])
    verdict = render_verdict(report_context(runs, [str(path)], perf))
    tokens = markdown_it.MarkdownIt("commonmark").enable("strikethrough").parse(verdict)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    unsafe = {"link_open", "image", "em_open", "code_inline", "html_inline", "html_block", "s_open"}
    assert not kinds & unsafe, verdict
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2"]  # ours alone
    assert f"-k '{INJECTED}'" in verdict  # the command, quoted, as it is in its code block
    for run in runs:
        run.identity.problem = "x\n## owned\x1b[31m"
    context = report_context(runs, [str(path)], perf)
    for text in (render_verdict(context), render_verdict(context, markdown=False)):
        lines = text.split("\n")
        assert "\x1b" not in text and not any(line.startswith("## owned") for line in lines)
        assert "x\\n" in text


def test_measurements_are_kept_once_each_in_one_pass() -> None:
    """Duplicates (one session read from two files) go as the list comparison dropped them:
    equal as Python compares them, in any key order, the first kept in place."""
    reordered = dict(reversed(list(THROUGHPUT.items())))
    as_floats = {**THROUGHPUT, "pipelines": 0.0}
    other = {**THROUGHPUT, "ratio": 1.5}
    perf = [THROUGHPUT, other, reordered, as_floats, {**other}, {"kind": "x", "a": [1, {"b": 2}]}]
    perf += [{"kind": "x", "a": [1, {"b": 2.0}]}, {"kind": "x", "a": [{"b": 2}, 1]}]
    expected = [p for i, p in enumerate(perf) if p not in perf[:i]]
    kept = once_each(perf)
    assert kept == expected and [id(p) for p in kept] == [id(p) for p in expected]
    assert len(kept) == 4
