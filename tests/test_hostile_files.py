"""Results files as an attacker or a broken disk would write them: the reader and the report
give a report or one line naming the file, never a traceback (hypothesis feeds random JSON and
mutated real files)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reporting import SESSION

from tunerbench.records.results_file import ResultsError, load_file
from tunerbench.report.render import ReportError, read_results, render_html

pytestmark = pytest.mark.report

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
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
    """ "report" or "refused"; anything else (a traceback) fails the test."""
    try:
        load_file(path)
        results, perf = read_results([path])
        render_html(results, [str(path)], perf)
    except (ResultsError, ReportError) as exc:
        assert "\n" not in str(exc) and str(path) in str(exc), str(exc)
        return "refused"
    return "report"


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
