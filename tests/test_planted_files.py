"""Files planted where tunerbench writes or reads, on real files and real processes: a symbolic
link never redirects a write (the file it points at stays as it was), a damaged session.json is
passed over with a line naming it, a FIFO is refused before it is opened, a killed write leaves
no temporary file for good, and a report and its verdict are written as one pair."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reporting import SESSION
from session_folders import DATA, session_folder

from tunerbench.records.atomic_file import LinkRefused, atomic_write_text, temp_prefix
from tunerbench.records.events import PipelineStarted
from tunerbench.records.journal import Entry, Journal
from tunerbench.report.rendering.written_report import publish, write_report
from tunerbench.run import run_folder
from tunerbench.run.child_process import call_in_fresh_process
from tunerbench.run.options import BenchOptions, OptionsError

# Files and folders, not training: one run (the README's test command) covers every TensorFlow
# line, so tox's environments skip them.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
VICTIM = b'{"a line": 1}\n{"a partial last line'  # what a journal's cut would cut away


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "elsewhere.txt"
    victim.write_bytes(VICTIM)
    return victim


def _link(at: Path, to: Path) -> Path:
    at.parent.mkdir(parents=True, exist_ok=True)
    at.symlink_to(to)
    return at


def test_a_linked_journal_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    journal = Journal(_link(tmp_path / "run" / "journal.jsonl", victim))
    with pytest.raises(LinkRefused, match=r"journal\.jsonl is a symbolic link; tunerbench never"):
        journal.append(Entry(PipelineStarted(resumed=False)))
    with pytest.raises(LinkRefused):
        journal.entries()
    assert victim.read_bytes() == VICTIM


def test_a_linked_lock_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    _link(tmp_path / "run" / "journal.jsonl.lock", victim)
    with pytest.raises(LinkRefused, match=r"journal\.jsonl\.lock is a symbolic link; tunerbench"):
        Journal(tmp_path / "run" / "journal.jsonl").append(Entry(PipelineStarted(resumed=False)))
    _link(tmp_path / "run" / "session.lock", victim)
    with pytest.raises(LinkRefused, match=r"session\.lock is a symbolic link; tunerbench"):
        run_folder.hold(tmp_path / "run")
    assert victim.read_bytes() == VICTIM
    assert not (tmp_path / "run" / "journal.jsonl").exists()


def test_a_linked_results_file_or_log_is_refused(tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    results = _link(tmp_path / "tunerbench-x.json", victim)
    with pytest.raises(LinkRefused):
        atomic_write_text(results, "{}")
    assert results.is_symlink()
    log = _link(tmp_path / "logs" / "random-seed1.log", victim)
    with pytest.raises(LinkRefused):
        call_in_fresh_process("child_tasks:echo", {"value": 7}, lambda event: None, log)
    assert victim.read_bytes() == VICTIM


def _options(tmp_path: Path) -> BenchOptions:
    return BenchOptions.parse(
        output=str(tmp_path), tuners="random,sklearn", problem="digits", profile="quick", seeds=2
    )


DAMAGED = {
    "not UTF-8 text": b'{"data": "\xff\xfe"}',
    "nested too deeply": b"[" * 100_000 + b"]" * 100_000,
    "not a JSON object": b"[1, 2]",
}


def test_damaged_session_records_are_passed_over_with_a_line_each(tmp_path: Path) -> None:
    """One damaged session.json (of any session of the output) never stops --tb-resume: each
    is named with what is wrong, and the good folder is taken."""
    good = session_folder(tmp_path, "20260101T000000Z-1", _options(tmp_path))
    for number, record in enumerate(DAMAGED.values(), start=2):
        folder = tmp_path / "runs" / f"20260109T000000Z-{number}"
        folder.mkdir()
        (folder / "session.json").write_bytes(record)
    found = run_folder.find_resumable(_options(tmp_path), DATA)
    found.lock.release()
    assert found.folder == good
    assert sorted(found.passed_over) == sorted(
        f"--tb-resume: passed over {tmp_path}/runs/20260109T000000Z-{number}/session.json "
        f"({reason}); remove its folder"
        for number, reason in enumerate(DAMAGED, start=2)
    )
    (good / "session.json").write_bytes(DAMAGED["not UTF-8 text"])
    with pytest.raises(OptionsError) as caught:
        run_folder.find_resumable(_options(tmp_path), DATA)
    message = str(caught.value)
    assert "\n" not in message and f"{good}/session.json (not UTF-8 text)" in message


def test_a_linked_session_lock_refuses_the_resume_in_one_line(tmp_path: Path) -> None:
    folder = session_folder(tmp_path, "20260101T000000Z-1", _options(tmp_path))
    victim = _victim(tmp_path)
    (folder / "session.lock").unlink()
    _link(folder / "session.lock", victim)
    with pytest.raises(OptionsError, match=r"^--tb-resume: cannot hold session .*symbolic link"):
        run_folder.find_resumable(_options(tmp_path), DATA)
    assert victim.read_bytes() == VICTIM


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh process, given 60 s: a read that blocks fails the test, not hangs it."""
    command = [sys.executable, "-c", code, *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_fifos_are_refused_before_they_are_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "results.json"
    os.mkfifo(fifo)
    out = tmp_path / "x.html"
    done = _python(
        "import sys; from tunerbench.cli import main; sys.exit(main())",
        "report",
        str(fifo),
        "-o",
        str(out),
    )
    assert done.returncode == 2 and done.stderr == (
        f"tunerbench: error: {fifo}: a FIFO, not a results file; pass a results JSON file\n"
    )
    assert not out.exists()
    folder = session_folder(tmp_path, "20260101T000000Z-1", _options(tmp_path))
    damaged = tmp_path / "runs" / "20260109T000000Z-9"
    damaged.mkdir()
    os.mkfifo(damaged / "session.json")
    code = (
        "import sys; from pathlib import Path; from tunerbench.run import run_folder; "
        "from tunerbench.run.options import BenchOptions; "
        "o = BenchOptions.parse(output=sys.argv[1], tuners='random,sklearn', problem='digits', "
        "profile='quick', seeds=2); f = run_folder.find_resumable(o, 'digits:abc'); "
        "print(f.folder); print(*f.passed_over)"
    )
    done = _python(code, str(tmp_path))
    assert done.stdout.splitlines() == [
        str(folder),
        f"--tb-resume: passed over {tmp_path}/runs/20260109T000000Z-9/session.json "
        "(a FIFO, not a regular file); remove its folder",
    ]


WRITER = (
    "import sys; from pathlib import Path; from tunerbench.records.atomic_file import "
    "atomic_write_text\nwhile True: atomic_write_text(Path(sys.argv[1]), 'x' * 2_400_000)"
)


def _temps(folder: Path, name: str) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(f".{name}.")]


def test_a_write_killed_midway_leaves_no_temporary_file_after_the_next(tmp_path: Path) -> None:
    """SIGKILL a process while it writes 2.4 MB files atomically, the moment a temporary file
    shows: the next write in that folder removes what it left; a live writer's is kept."""
    target = tmp_path / "index.html"
    for _ in range(20):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], cwd=ROOT)
        deadline = time.monotonic() + 60
        while not _temps(tmp_path, target.name) and time.monotonic() < deadline:
            time.sleep(0.001)
        writer.kill()
        writer.wait()
        if _temps(tmp_path, target.name):
            break
    left = _temps(tmp_path, target.name)
    assert left and left[0].stat().st_size <= 2_400_000
    live = tmp_path / (temp_prefix(tmp_path / "verdict.md") + "abc")
    live.write_text("another session, still writing")
    atomic_write_text(target, "the next report")
    assert target.read_text() == "the next report"
    assert _temps(tmp_path, target.name) == [] and live.exists()


@pytest.fixture(scope="module")
def small_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two runs of a real session: a report of them renders in a second or two."""
    document = json.loads(SESSION.read_text())
    document["results"] = document["results"][:2]
    path = tmp_path_factory.mktemp("results") / "two.json"
    path.write_text(json.dumps(document))
    return path


def _generation(path: Path) -> str:
    last = path.read_text().splitlines()[-1]
    assert last.startswith("<!-- tunerbench generation ") and last.endswith(" -->")
    return last


@pytest.mark.report
def test_a_report_and_its_verdict_are_one_pair(tmp_path: Path, small_results: Path) -> None:
    """Each rendering's report and verdict end with the same generation line (another one per
    rendering, kept by the copy to the output folder)."""
    written = write_report([small_results], tmp_path / "run" / "index.html")
    assert written.verdict_path == tmp_path / "run" / "verdict.md"
    first = _generation(written.path)
    assert _generation(written.verdict_path) == first
    again = write_report([small_results], tmp_path / "run" / "index.html")
    assert _generation(again.path) == _generation(again.verdict_path) != first
    copy = publish(again, tmp_path / "index.html")
    assert _generation(copy.path) == _generation(copy.verdict_path) == _generation(again.path)


@pytest.mark.report
def test_a_report_under_another_name_leaves_verdict_md_alone(
    tmp_path: Path, small_results: Path
) -> None:
    """``report FILES -o other.html`` beside a session's index.html writes other.verdict.md:
    the session's verdict.md stays the one of its index.html."""
    session = write_report([small_results], tmp_path / "index.html")
    before = (session.verdict_path.read_bytes(), session.verdict_path.stat().st_ino)
    other = write_report([small_results], tmp_path / "other.html")
    assert other.verdict_path == tmp_path / "other.verdict.md"
    assert other.verdict_path.read_text().startswith("# tunerbench verdict")
    assert (session.verdict_path.read_bytes(), session.verdict_path.stat().st_ino) == before
