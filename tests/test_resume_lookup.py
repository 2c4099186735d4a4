"""``run_folder.find_resumable`` on real session folders: which one ``--tb-resume`` takes, which
it passes over (other options, other data, damaged records, held by a running session in
another process), and the one line it gives when there is none. test_run_folder.py covers
``continues`` option by option and growing by seeds; these cover the lookup around it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from session_folders import DATA, session_folder

from tunerbench.run import run_folder
from tunerbench.run.options import BenchOptions, OptionsError


def _options(tmp_path: Path, **changes: Any) -> BenchOptions:
    values = {"tuners": "random,sklearn", "problem": "digits", "profile": "quick", "seeds": 2}
    return BenchOptions.parse(output=str(tmp_path), **{**values, **changes})


def _session(tmp_path: Path, name: str, data: str = DATA, **changes: Any) -> Path:
    return session_folder(tmp_path, name, _options(tmp_path, **changes), data)


def _refusal(tmp_path: Path, **changes: Any) -> str:
    """The one-line message of find_resumable finding nothing for these options."""
    with pytest.raises(OptionsError) as caught:
        run_folder.find_resumable(_options(tmp_path, **changes), DATA)
    message = str(caught.value)
    assert "\n" not in message
    return message


class Holder:
    """Another process holding a session folder's lock, as a running session does."""

    CODE = (
        "import sys; from pathlib import Path; from tunerbench.run.run_folder import hold; "
        "lock = hold(Path(sys.argv[1])); print('held', flush=True); sys.stdin.read()"
    )

    def __init__(self, folder: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", self.CODE, str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline() == "held\n"

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)


@pytest.fixture
def holders() -> Iterator[list[Holder]]:
    started: list[Holder] = []
    yield started
    for holder in started:
        holder.kill()


def test_the_newest_of_equal_folders_is_taken_and_held(tmp_path: Path) -> None:
    """Names are UTC times: the latest wins, whatever order the folders were made in; the
    folder comes back held, so no second session can take it meanwhile."""
    _session(tmp_path, "20260103T000000Z-3")
    newest = _session(tmp_path, "20260105T000000Z-1")
    _session(tmp_path, "20260104T000000Z-2")
    found = run_folder.find_resumable(_options(tmp_path), DATA)
    try:
        assert (found.folder, found.seeds_before) == (newest, 2)
        with pytest.raises(run_folder.FolderBusy):
            run_folder.hold(newest)
    finally:
        found.lock.release()


def test_most_seeds_beat_newest_when_growing(tmp_path: Path) -> None:
    """Asked for 4 seeds, an older session with 3 seeds is continued rather than a newer one
    with 1: it has more of the work already done."""
    three = _session(tmp_path, "20260101T000000Z-1", seeds=3)
    _session(tmp_path, "20260109T000000Z-2", seeds=1)
    found = run_folder.find_resumable(_options(tmp_path, seeds=4), DATA)
    found.lock.release()
    assert (found.folder, found.seeds_before) == (three, 3)


def test_a_folder_held_by_another_process_is_passed_over(
    tmp_path: Path, holders: list[Holder]
) -> None:
    """A session running in another process keeps its folder; once that process is killed,
    the lock goes with it and the folder can be resumed."""
    older = _session(tmp_path, "20260101T000000Z-1")
    newest = _session(tmp_path, "20260102T000000Z-2")
    holders.append(Holder(newest))
    found = run_folder.find_resumable(_options(tmp_path), DATA)
    found.lock.release()
    assert found.folder == older
    holders[0].kill()
    again = run_folder.find_resumable(_options(tmp_path), DATA)
    again.lock.release()
    assert again.folder == newest


def test_only_running_sessions_say_so(tmp_path: Path, holders: list[Holder]) -> None:
    """Every match held elsewhere: the message says how many are still running."""
    holders.append(Holder(_session(tmp_path, "20260101T000000Z-1")))
    assert "(1 with them still running)" in _refusal(tmp_path)


def test_folders_of_other_options_or_data_are_never_taken(tmp_path: Path) -> None:
    """Newer folders that differ in any option resuming compares, or in the data, or that ran
    more seeds than asked, are passed over for the older one that matches."""
    match = _session(tmp_path, "20260101T000000Z-0")
    others: list[dict[str, Any]] = [
        {"tuners": "random"},
        {"tuners": "random,sklearn,grid"},
        {"problem": "fashion_mnist"},
        {"problem": "fashion_cnn"},
        {"profile": "reference"},
        {"loop": "keras-default"},
        {"workers": 2},
        {"seeds": 3},
        {"data": "digits:other"},
        {"data": ""},
    ]
    for day, changes in enumerate(others, start=2):
        _session(tmp_path, f"202601{day:02d}T000000Z-{day}", **changes)
    found = run_folder.find_resumable(_options(tmp_path), DATA)
    found.lock.release()
    assert found.folder == match


@pytest.mark.parametrize(
    "changes",
    [{"problem": "fashion_cnn"}, {"loop": "keras-default"}, {"seeds": 3}, {"data": "x:1"}],
)
def test_a_lone_folder_of_other_options_or_data_is_refused(
    tmp_path: Path, changes: dict[str, Any]
) -> None:
    """The only folder differs: refused, without claiming a running session."""
    _session(tmp_path, "20260101T000000Z-1", **changes)
    message = _refusal(tmp_path)
    assert message.startswith("--tb-resume: no earlier session in ")
    assert "still running" not in message


def test_a_session_run_with_speed_is_continued_without(tmp_path: Path) -> None:
    """``--tb-speed`` is a measurement of its own: it does not make another session."""
    speed = _session(tmp_path, "20260101T000000Z-1", speed=True)
    found = run_folder.find_resumable(_options(tmp_path), DATA)
    found.lock.release()
    assert found.folder == speed


@pytest.mark.parametrize(("problem", "taken"), [("fashion_mnist", True), ("fashion_cnn", False)])
def test_a_session_from_before_problems_is_found_by_its_dataset(
    tmp_path: Path, problem: str, taken: bool
) -> None:
    """A session.json written before problems existed has no ``problem``: its dataset named
    the problem it ran (the MLP on Fashion-MNIST), so it continues that problem and not
    another one on the same data (the CNN)."""
    folder = tmp_path / "runs" / "20260101T000000Z-1"
    folder.mkdir(parents=True)
    saved = _options(tmp_path, problem="fashion_mnist").identity()
    old = {k: v for k, v in saved.items() if k != "problem"}
    assert old["dataset"] == "fashion_mnist"
    record = {"created": "2026-01-01T00:00:00+00:00", "options": old, "data": DATA}
    (folder / "session.json").write_text(json.dumps(record))
    wanted = _options(tmp_path, problem=problem)
    assert wanted.dataset == "fashion_mnist"  # the same data either way
    if taken:
        found = run_folder.find_resumable(wanted, DATA)
        found.lock.release()
        assert (found.folder, found.seeds_before) == (folder, 2)
    else:
        assert _refusal(tmp_path, problem=problem).startswith("--tb-resume: no earlier session")


@pytest.mark.parametrize(
    "record",
    [
        "",
        "{not json",
        "[]",
        '"a string"',
        '{"data": "digits:abc"}',  # no options
        '{"data": "digits:abc", "options": []}',
        '{"data": "digits:abc", "options": {"seeds": "2"}}',
        '{"options": {"seeds": 2}}',  # no data
    ],
)
def test_a_damaged_session_record_is_skipped_not_fatal(tmp_path: Path, record: str) -> None:
    """A session.json that cannot be read (or lacks what is compared) is passed over, newer
    or not, and the lookup still takes the good folder."""
    good = _session(tmp_path, "20260101T000000Z-1")
    damaged = tmp_path / "runs" / "20260109T000000Z-9"
    damaged.mkdir()
    (damaged / "session.json").write_text(record)
    (tmp_path / "runs" / "20260110T000000Z-10").mkdir()  # no session.json at all
    found = run_folder.find_resumable(_options(tmp_path), DATA)
    found.lock.release()
    assert found.folder == good


def test_nothing_to_resume_says_where_it_looked_and_what_to_do(tmp_path: Path) -> None:
    """No runs folder at all: one line naming --tb-resume, the folder searched, the options
    compared, and the way out."""
    options = _options(tmp_path)
    assert _refusal(tmp_path) == (
        f"--tb-resume: no earlier session in {tmp_path / 'runs'} with these options (or fewer "
        f"seeds) and data ({options.identity()}); run without --tb-resume to start one"
    )


def test_a_grown_session_keeps_when_and_on_which_data_it_was_made(tmp_path: Path) -> None:
    """record_options changes only the options: the next lookup still matches the data, and
    the session keeps its creation time."""
    folder = _session(tmp_path, "20260101T000000Z-1")
    run_folder.record_options(folder, _options(tmp_path, seeds=5))
    created, _, _ = run_folder.saved_measurements(folder, tmp_path / "none.json")
    assert created == "20260101T000000Z-1"  # _session passes the name as its creation time
    found = run_folder.find_resumable(_options(tmp_path, seeds=5), DATA)
    found.lock.release()
    assert (found.folder, found.seeds_before) == (folder, 5)
    assert "(or fewer seeds)" in _refusal(tmp_path, seeds=4)  # 5 ran: 4 is not a continuation
