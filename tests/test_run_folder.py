"""Which session folder ``--tb-resume`` continues: the same options and data, as many seeds or
fewer (a study grows), never a folder another session holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from session_folders import DATA, session_folder

from tunerbench.run import run_folder
from tunerbench.run.options import BenchOptions, OptionsError


def _options(tmp_path: Path, **changes: object) -> BenchOptions:
    values = {"tuners": "random,hyperband", "dataset": "digits", "profile": "quick", "seeds": 5}
    return BenchOptions.parse(output=str(tmp_path), **{**values, **changes})


def _session(tmp_path: Path, name: str, data: str = DATA, **changes: object) -> Path:
    return session_folder(tmp_path, name, _options(tmp_path, **changes), data)


def test_more_seeds_grow_the_session_with_the_most_seeds(tmp_path: Path) -> None:
    _session(tmp_path, "20260101T000000Z-1", seeds=3)
    five = _session(tmp_path, "20260101T000000Z-2", seeds=5)
    _session(tmp_path, "20260102T000000Z-3", seeds=5, data="digits:other")  # other data
    _session(tmp_path, "20260103T000000Z-4", seeds=12)  # more seeds than asked for
    found = run_folder.find_resumable(_options(tmp_path, seeds=10), DATA)
    assert (found.folder, found.seeds_before) == (five, 5)
    run_folder.record_options(found.folder, _options(tmp_path, seeds=10))
    found.lock.release()
    again = run_folder.find_resumable(_options(tmp_path, seeds=10), DATA)
    assert (again.folder, again.seeds_before) == (five, 10)  # found again, now with 10 seeds
    again.lock.release()


def test_among_equal_seeds_the_newest_free_folder_is_taken(tmp_path: Path) -> None:
    _session(tmp_path, "20260101T000000Z-1")
    newest = _session(tmp_path, "20260102T000000Z-2")
    held = run_folder.hold(newest)
    found = run_folder.find_resumable(_options(tmp_path), DATA)
    assert found.folder.name == "20260101T000000Z-1"
    with pytest.raises(OptionsError, match=r"\(2 with them still running\)"):
        run_folder.find_resumable(_options(tmp_path), DATA)
    found.lock.release()
    held.release()


@pytest.mark.parametrize(
    ("saved", "wanted", "continues"),
    [
        ({}, {}, True),
        ({"seeds": 3}, {"seeds": 4}, True),
        ({"seeds": 5}, {"seeds": 4}, False),  # fewer seeds: not this session
        ({"tuners": "hyperband,random"}, {}, True),  # order does not matter
        ({"tuners": "random"}, {}, False),
        ({"speed": True}, {}, True),  # a measurement of its own, kept once made
        ({"loop": "keras-default"}, {}, False),
        ({"profile": "reference"}, {}, False),
        ({"workers": 2}, {}, False),
    ],
)
def test_what_a_continued_session_may_change(
    tmp_path: Path, saved: dict, wanted: dict, continues: bool
) -> None:
    before = _options(tmp_path, **saved).identity()
    assert run_folder.continues(before, _options(tmp_path, **wanted).identity()) is continues


@pytest.mark.parametrize("saved", [None, [], {"seeds": "5"}, {"tuners": ["random"]}])
def test_unreadable_saved_options_continue_nothing(tmp_path: Path, saved: object) -> None:
    assert not run_folder.continues(saved, _options(tmp_path).identity())
