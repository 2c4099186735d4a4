"""``pytest bench/ --tb-resume`` on an output folder someone tampered with, in a subprocess as
users run it: a damaged session.json of another session, a journal or a lock that is a symbolic
link, a read-only folder. Each gives a line (and a usage error where it cannot go on), never
an INTERNALERROR, and nothing is written through a link."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_bench_command import ENV, ROOT, bench

# Files and folders, not training: one run (the README's test command) covers every TensorFlow
# line, so tox's environments skip them.
pytestmark = pytest.mark.slow

ARGS = ["--tb-profile", "quick", "--tb-dataset", "digits", "--tb-tuners", "sklearn"]
VICTIM = b'{"a line": 1}\n{"a partial last line'  # what a journal's cut would cut away


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of a finished quick session (one pipeline, about a minute)."""
    output = tmp_path_factory.mktemp("finished")
    done = bench(*ARGS, output=output)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return output


@pytest.fixture
def output(finished: Path, tmp_path: Path) -> Path:
    """A copy of the finished session's output for one test to tamper with."""
    return Path(shutil.copytree(finished, tmp_path / "out", symlinks=True))


def _run_folder(output: Path) -> Path:
    (folder,) = (p.parent for p in output.glob("runs/*/session.json"))
    return folder


def _refused(done: subprocess.CompletedProcess[str]) -> str:
    """The one line of a usage error: exit 4, no traceback, nothing else on stderr."""
    assert done.returncode == 4, done.stdout[-3000:] + done.stderr[-3000:]
    assert "INTERNALERROR" not in done.stdout + done.stderr
    (line,) = [line for line in done.stderr.splitlines() if line.strip()]
    return line


def test_damaged_session_records_of_other_sessions_are_passed_over(output: Path) -> None:
    damaged = {
        "20260101T000000Z-1": b'{"data": "\xff"}',  # not UTF-8
        "20260101T000000Z-2": b"[" * 100_000 + b"]" * 100_000,  # nested too deeply
    }
    for name, record in damaged.items():
        (output / "runs" / name).mkdir()
        (output / "runs" / name / "session.json").write_bytes(record)
    done = bench(*ARGS, "--tb-resume", "-rs", output=output)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for name, reason in zip(damaged, ["not UTF-8 text", "nested too deeply"], strict=True):
        line = f"--tb-resume: passed over {output}/runs/{name}/session.json ({reason})"
        assert line in done.stdout
    assert "1 skipped" in done.stdout.splitlines()[-1]  # the good session, continued


def _planted_link(folder: Path, name: str) -> Path:
    """``folder/name`` replaced by a link to a file outside it, which is returned."""
    victim = folder.parent.parent.parent / f"elsewhere-{name}"
    victim.write_bytes(VICTIM)
    (folder / name).unlink()
    (folder / name).symlink_to(victim)
    return victim


def test_a_journal_linked_elsewhere_is_refused_and_its_target_untouched(output: Path) -> None:
    folder = _run_folder(output)
    victim = _planted_link(folder, "journal.jsonl")
    done = bench(*ARGS, "--tb-resume", "--tb-seeds", "2", output=output)
    assert _refused(done) == (
        f"ERROR: cannot write results to {output} ({folder}/journal.jsonl is a symbolic link; "
        "tunerbench never writes through one: remove it); choose another folder with --tb-output"
    )
    assert victim.read_bytes() == VICTIM


def test_a_session_lock_linked_elsewhere_is_refused_in_one_line(output: Path) -> None:
    folder = _run_folder(output)
    victim = _planted_link(folder, "session.lock")
    line = _refused(bench(*ARGS, "--tb-resume", output=output))
    assert line.startswith(f"ERROR: --tb-resume: cannot hold session {folder} (")
    assert f"{folder}/session.lock is a symbolic link" in line
    assert victim.read_bytes() == VICTIM


def test_resuming_on_a_read_only_output_says_so_in_one_line(output: Path) -> None:
    """The output folder mounted read-only (a bind mount in a user namespace of its own)."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"]).returncode:
        pytest.skip("no user namespaces here to mount a folder read-only")
    mount = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    command = ["unshare", "-rm", "sh", "-c", mount, "sh", str(output),
               sys.executable, "-m", "pytest", "bench/", "-p", "no:cacheprovider",
               "--tb-output", str(output), *ARGS, "--tb-resume"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    line = _refused(done)
    assert line.startswith(f"ERROR: --tb-resume: cannot hold session {_run_folder(output)} (")
    assert "Read-only file system" in line and "or run without --tb-resume" in line
