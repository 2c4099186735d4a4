"""Faults on real quick runs: SIGKILL at many points with the journal's last line cut at random
offsets, resumed each time; and two sessions started at once on one output folder."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reporting import THROUGHPUT
from test_bench_command import ENV, ROOT, bench

from tunerbench.records.results_file import load_file

ARGS = ["--tb-profile", "quick", "--tb-dataset", "digits", "--tb-tuners", "random,hyperband",
        "--tb-seeds", "2"]  # fmt: skip
PLANNED = {"random": 6, "hyperband": 10}  # trials per pipeline at the quick profile
MEASUREMENT = {**THROUGHPUT, "note": "kept across every resume"}


def _journal_events(journal: Path) -> list[dict]:
    events = []
    for line in journal.read_bytes().split(b"\n"):
        try:
            events.append(json.loads(line))
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
    return events


def _start(tmp_path: Path, resume: bool) -> subprocess.Popen:
    again = ["--tb-resume"] if resume else []
    command = [sys.executable, "-m", "pytest", "bench/", "-p", "no:cacheprovider",
               "--tb-output", str(tmp_path), *ARGS, *again]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip


def _cut_last_line(journal: Path, rng: random.Random) -> None:
    """What a kill in the middle of a write leaves: the last line cut at a random offset."""
    data = journal.read_bytes()
    start = data.rstrip(b"\n").rfind(b"\n") + 1
    journal.write_bytes(data[: rng.randrange(start + 1, len(data))])


@pytest.mark.slow
def test_killed_at_ten_points_with_cut_lines_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(17)
    kills, cuts, injected = 0, 0, False
    for kill_at in (1, 4, 7, 10, 13, 17, 20, 24, 27, 30):
        process = _start(tmp_path, resume=kills > 0)
        deadline = time.monotonic() + 300
        journal = next(tmp_path.glob("runs/*/journal.jsonl"), None)
        while process.poll() is None and time.monotonic() < deadline:
            journal = next(tmp_path.glob("runs/*/journal.jsonl"), None)
            events = _journal_events(journal) if journal else []
            if sum(e.get("event") in ("trial", "phase") for e in events) >= kill_at:
                time.sleep(rng.uniform(0.0, 1.5))  # anywhere: in a trial, a phase, a write
                break
            time.sleep(0.1)
        if process.poll() is not None:
            break  # the study finished before this point
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        kills += 1
        assert journal is not None
        if rng.random() < 0.7:
            _cut_last_line(journal, rng)
            cuts += 1
        results = next(tmp_path.glob("tunerbench-*.json"), None)
        if results is not None and not injected:  # a measurement the session must keep
            document = json.loads(results.read_text())
            document["perf"].append(MEASUREMENT)
            results.write_text(json.dumps(document))
            injected = True
    assert kills >= 10 and cuts >= 5 and injected
    done = bench("--tb-resume", *ARGS, output=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (summary,) = tmp_path.glob("tunerbench-*.json")
    results, perf = load_file(summary)
    assert sorted((r.identity.tuner, r.identity.seed) for r in results) == sorted(
        (t, s) for t in PLANNED for s in (1, 2)
    )  # every planned pipeline exactly once
    for result in results:
        ids = [t.trial_id for t in result.search.trials]
        planned = PLANNED[result.identity.tuner]
        assert len(ids) == len(set(ids)) == planned  # every trial exactly once
    assert perf == [MEASUREMENT]  # kept through every later resume and rewrite
    assert len(list(tmp_path.glob("runs/*/session.json"))) == 1  # one session, continued


@pytest.mark.slow
def test_two_sessions_at_once_on_one_output_keep_their_own(tmp_path: Path) -> None:
    args = ["--tb-profile", "quick", "--tb-dataset", "digits", "--tb-tuners", "sklearn"]
    command = [sys.executable, "-m", "pytest", "bench/", "-p", "no:cacheprovider",
               "--tb-output", str(tmp_path), *args]  # fmt: skip
    first, second = (
        subprocess.Popen(command, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    )
    outputs = [p.communicate(timeout=600)[0] for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    sessions = sorted(tmp_path.glob("runs/*/session.json"))
    assert len(sessions) == 2 and len(list(tmp_path.glob("tunerbench-*.json"))) == 2
    for meta in sessions:
        own = meta.parent / "index.html"
        assert own.stat().st_size > 100_000 and (meta.parent / "verdict.md").exists()
    assert (tmp_path / "index.html").read_text() in [
        (m.parent / "index.html").read_text() for m in sessions
    ]
