"""``pytest bench/`` as users run it, in a subprocess: options, errors, records, kill and resume."""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from replay_tables import built_table, real_space

from tunerbench.problems.builtin import PROBLEMS
from tunerbench.profiles import PROFILES
from tunerbench.records.results_file import load_results
from tunerbench.report.rendering.written_report import WrittenReport
from tunerbench.search.registry import TUNERS

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}


def bench(*args: str, output: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "bench/", "-p", "no:cacheprovider",
               "--tb-output", str(output), *args]  # fmt: skip
    return subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=900)


def test_quick_digits_run_records_every_field(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = bench("--tb-profile", "quick", "--tb-dataset", "digits", "--tb-tuners", "sklearn",
                 "--tb-seeds", "2", "--benchmark-json", str(out), output=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "[sklearn-seed1] trial 1/" in done.stdout  # progress lines get past the capture
    benchmarks = json.loads(out.read_text())["benchmarks"]
    assert [b["param"] for b in benchmarks] == ["sklearn-seed1", "sklearn-seed2"]
    for b in benchmarks:
        info = b["extra_info"]
        assert info["profile"] == "quick" and info["dataset"] == "digits"
        assert info["n_trials"] == len(info["trials"]) == info["budget"]["max_trials"]
        assert all(info["phases"][p]["wall_s"] > 0 for p in ("search", "refit", "final"))
        assert set(info["phase_seeds"]) == {"search", "refit", "final"}
        assert len(set(info["phase_seeds"].values())) == 3  # each phase its own stream
        assert info["peak_rss_mb"] > 100 and info["startup_s"] > 0 and info["attempts"] == 1
        # scikit-learn's arithmetic as it ran: float32 kept, BLAS with the pipeline's threads
        assert info["loop_settings"]["dtype"] == "float32"
        assert info["loop_settings"]["blas_threads"] >= 1
        # pytest-benchmark's figure is the pipeline's own time, not the wait for its process
        assert b["stats"]["mean"] == pytest.approx(
            sum(p["wall_s"] for p in info["phases"].values())
        )
    assert {b["extra_info"]["seed"] for b in benchmarks} == {1, 2}
    summary = next(tmp_path.glob("tunerbench-*.json"))
    assert len(load_results(summary)) == 2
    assert f"tunerbench report: {tmp_path / 'index.html'}" in done.stdout
    assert (tmp_path / "index.html").stat().st_size > 100_000
    # The run ends with the verdict, after the summary of its benchmarks that stands in for
    # pytest-benchmark's table, and leaves it as Markdown.
    summary, verdict = (
        done.stdout.index("tunerbench digits/quick: 2 benchmarks, one round each"),
        done.stdout.index("tunerbench verdict"),
    )
    assert summary < verdict and "Only sklearn ran here" in done.stdout[verdict:]
    assert "benchmark 'digits/quick'" not in done.stdout
    assert "Only sklearn ran here" in (tmp_path / "verdict.md").read_text()


def _next_run(verdict: str) -> list[str]:
    """The verdict's next run: the sentence saying what would decide, and its command."""
    lines = [" ".join(line.split()) for line in verdict.splitlines()]
    return [line for line in lines if line.startswith(("To decide", "pytest bench/"))]


def _rendered_next_run(source: Path, out: Path) -> list[str]:
    """The next run of ``python -m tunerbench report SOURCE -o OUT``'s verdict.md."""
    command = [sys.executable, "-m", "tunerbench", "report", str(source), "-o", str(out)]
    done = subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return _next_run(WrittenReport.verdict_beside(out).read_text())


@pytest.mark.slow
def test_the_next_run_reads_the_same_at_the_end_of_a_run_and_in_a_rerender(tmp_path: Path) -> None:
    """Two tuners over two seeds leave the verdict open: the terminal at the end of the run,
    and a re-render of its results file, of a renamed copy beside it and of pytest-benchmark's
    JSON saved there, all grow the session alike; a renamed copy away from the session's folder
    starts a new one. In the terminal, tunerbench's summary stands in for pytest-benchmark's table,
    within 120 columns, and the JSON still holds each pipeline's own time."""
    out = tmp_path / "bench.json"
    done = bench("--tb-profile", "quick", "--tb-dataset", "digits", "--tb-tuners", "random,grid",
                 "--tb-seeds", "2", "--benchmark-json", str(out), output=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    terminal = _next_run(done.stdout[done.stdout.index("tunerbench verdict") :])
    assert terminal[0].startswith("To decide, grow this study to")
    assert terminal[1].startswith(f"pytest bench/ --tb-resume --tb-output {tmp_path} ")
    (results,) = tmp_path.glob("tunerbench-*.json")
    renamed = Path(shutil.copy(results, tmp_path / "RESULTS.json"))
    for source in (results, renamed, out):
        assert _rendered_next_run(source, tmp_path / f"{source.stem}.html") == terminal
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    away = Path(shutil.copy(results, elsewhere / "RESULTS.json"))
    fresh = _rendered_next_run(away, elsewhere / "index.html")
    assert fresh[0].startswith("To decide, run") and "--tb-resume" not in fresh[1]

    start = done.stdout.index("tunerbench digits/quick: 4 benchmarks, one round each")
    summary = done.stdout[start : done.stdout.index("tunerbench results:")].splitlines()
    assert "benchmark 'digits/quick'" not in done.stdout  # pytest-benchmark's own table
    assert max(map(len, summary)) <= 120
    for b in json.loads(out.read_text())["benchmarks"]:
        info = b["extra_info"]
        (row,) = [line for line in summary if line.startswith(b["name"])]
        assert row.split()[1:3] == [info["tuner"], str(info["seed"])]
        assert f"{b['stats']['mean']:.1f}" in row and f"{info['test_accuracy']:.4f}" in row


@pytest.mark.slow
def test_an_option_for_pytest_benchmarks_table_shows_it(tmp_path: Path) -> None:
    done = bench("--tb-profile", "quick", "--tb-dataset", "digits", "--tb-tuners", "sklearn",
                 "--benchmark-columns", "mean,rounds", output=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    table = done.stdout.index("benchmark 'digits/quick'")
    assert table < done.stdout.index("tunerbench digits/quick: one round")
    assert "pytest-benchmark's table above times how long this process waited" in done.stdout


@pytest.mark.slow
def test_a_finished_session_grows_by_more_seeds(tmp_path: Path) -> None:
    """``--tb-resume`` with more seeds continues the same session: its folder, results file and
    report, the seeds run before kept and only the new one trained."""
    args = ["--tb-profile", "quick", "--tb-dataset", "digits", "--tb-tuners", "sklearn"]
    first = bench(*args, output=tmp_path)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    grown = bench(*args, "--tb-resume", "--tb-seeds", "2", "-rs", output=tmp_path)
    assert grown.returncode == 0, grown.stdout[-3000:] + grown.stderr[-3000:]
    (folder,) = tmp_path.glob("runs/*")
    said = f"--tb-resume: continuing session {folder.name} ({folder}), adding seed 2"
    assert said in grown.stdout  # through pytest's terminal: the session opens after collection
    assert "sklearn seed 1 already ran" in grown.stdout
    assert "1 passed, 1 skipped" in grown.stdout.splitlines()[-1]
    (results_file,) = tmp_path.glob("tunerbench-*.json")
    assert sorted(r.identity.seed for r in load_results(results_file)) == [1, 2]
    assert "Seeds 1-2." in (tmp_path / "verdict.md").read_text()


@pytest.mark.slow
def test_a_report_that_cannot_be_written_fails_the_run_and_keeps_the_results(
    tmp_path: Path,
) -> None:
    (tmp_path / "index.html").mkdir()  # where the report should go: a folder, not a file
    done = bench("--tb-profile", "quick", "--tb-dataset", "digits", "--tb-tuners", "sklearn",
                 output=tmp_path)  # fmt: skip
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "tunerbench report not written" in done.stdout and " 1 passed" in done.stdout
    (result,) = load_results(next(tmp_path.glob("tunerbench-*.json")))
    assert result.identity.tuner == "sklearn"


def test_a_bad_option_fails_the_command_in_one_line_and_touches_nothing(tmp_path: Path) -> None:
    """The whole command as users run it: a bad value is refused before data is read or a
    folder made (the missing data folder is never reached), with pytest's usage error, one
    line naming the option and no traceback. Each option's checks are unit-tested in
    test_options.py."""
    saved = tmp_path / "tunerbench-earlier.json"
    saved.write_text('{"keep": "me"}')
    started = time.monotonic()
    done = bench("--tb-tuners", "random,nope", "--tb-data-dir", "/nonexistent/fmnist",
                 output=tmp_path)  # fmt: skip
    assert done.returncode == 4, done.stdout[-3000:] + done.stderr[-3000:]
    assert time.monotonic() - started < 120  # no data, no training: seconds, not minutes
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert errors == [f"ERROR: unknown tuner 'nope'; choose from {', '.join(TUNERS.names)}"]
    assert "Traceback" not in done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tunerbench-earlier.json"]
    assert saved.read_text() == '{"keep": "me"}'


def test_damaged_data_file_fails_in_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for stem in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):  # fmt: skip
        header = struct.pack(">IIII", 2051, 10, 28, 28) if "images" in stem else b""
        (data / stem).write_bytes(header + b"\x00" * 100)  # 10 images promised, 100 bytes given
    done = bench("--tb-data-dir", str(data), output=tmp_path / "out")
    assert done.returncode == 4
    assert done.stderr.strip().count("\n") == 0
    assert "is truncated" in done.stderr and "dataset-fashion-mnist" in done.stderr


def test_unwritable_output_fails_before_training(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = bench("--tb-dataset", "digits", output=blocker / "reports")
    assert done.returncode == 4
    assert "cannot write results to" in done.stderr and "--tb-output" in done.stderr


def _journal_trials(journal: Path, tuner: str) -> list[dict]:
    if not journal.exists():
        return []
    lines = [json.loads(line) for line in journal.read_text().splitlines() if line.endswith("}")]
    return [e["trial"] for e in lines if e["event"] == "trial" and e["tuner"] == tuner]


def _run_and_kill(tmp_path: Path, args: list[str], tuner: str, after: int) -> Path:
    """Start ``pytest bench/`` and SIGKILL its process group (workers included) once ``after``
    trials of ``tuner`` are journaled; returns the journal."""
    return _kill_when(tmp_path, args, lambda journal: len(_journal_trials(journal, tuner)) >= after)


def _kill_when(tmp_path: Path, args: list[str], ready: Callable[[Path], bool]) -> Path:
    """Start ``pytest bench/`` and SIGKILL its process group (workers included) once its
    journal is ``ready``; returns the journal."""
    command = [sys.executable, "-m", "pytest", "bench/", "-p", "no:cacheprovider",
               "--tb-output", str(tmp_path), *args]  # fmt: skip
    first = subprocess.Popen(command, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 600
    journal = None
    while time.monotonic() < deadline and first.poll() is None:
        journal = next(tmp_path.glob("runs/*/journal.jsonl"), None)
        if journal is not None and ready(journal):
            break
        time.sleep(0.1)
    assert first.poll() is None, "the run ended before it could be killed"
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert journal is not None
    return journal


@pytest.mark.slow
def test_sigkill_during_search_then_resume_keeps_every_trial_once(tmp_path: Path) -> None:
    args = ["--tb-profile", "quick", "--tb-dataset", "digits", "--tb-tuners", "random,hyperband"]
    journal = _run_and_kill(tmp_path, args, "hyperband", 3)
    before = {t["trial_id"]: t for t in _journal_trials(journal, "hyperband")}
    random_before = _journal_trials(journal, "random")
    assert len(random_before) == 6

    again = bench("--tb-resume", "-rs", *args, output=tmp_path)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "1 passed, 1 skipped" in again.stdout.splitlines()[-1]
    assert "random seed 1 already ran" in again.stdout  # finished before the kill: kept
    results = {r.identity.tuner: r for r in load_results(next(tmp_path.glob("tunerbench-*.json")))}
    hyperband = results["hyperband"]
    ids = [t.trial_id for t in hyperband.search.trials]
    planned = hyperband.search.budget.hyperband_trials
    assert len(ids) == len(set(ids)) == planned  # none twice, none lost
    for trial in hyperband.search.trials:
        if trial.trial_id in before:
            assert trial.hyperparameters == before[trial.trial_id]["hyperparameters"]
            assert trial.val_accuracy == before[trial.trial_id]["val_accuracy"]
    assert hyperband.provenance.resumed == 1 and "resumed 1 time" in hyperband.provenance.notes[0]
    assert results["random"].provenance.resumed == 0
    assert [t.trial_id for t in results["random"].search.trials] == [
        t["trial_id"] for t in random_before
    ]
    assert len(list(tmp_path.glob("runs/*"))) == 1  # the same run directory was continued


@pytest.mark.slow
def test_a_search_with_workers_resumes_after_sigkill(tmp_path: Path) -> None:
    """Chief and both workers killed mid-search; the resumed search (again with two workers)
    ends with every planned trial exactly once and keeps the trials finished before."""
    args = ["--tb-profile", "quick", "--tb-dataset", "digits", "--tb-tuners", "random",
            "--tb-workers", "2"]  # fmt: skip
    journal = _run_and_kill(tmp_path, args, "random", 2)
    before = {t["trial_id"]: t for t in _journal_trials(journal, "random")}
    again = bench("--tb-resume", *args, output=tmp_path)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    (result,) = load_results(next(tmp_path.glob("tunerbench-*.json")))
    ids = [t.trial_id for t in result.search.trials]
    assert len(ids) == len(set(ids)) == result.search.budget.max_trials
    for trial_id, trial in before.items():
        assert trial_id in ids
        kept = next(t for t in result.search.trials if t.trial_id == trial_id)
        assert kept.val_accuracy == trial["val_accuracy"]
    assert result.identity.workers == 2 and result.provenance.resumed == 1


def _journal_results(journal: Path) -> list[dict]:
    lines = [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]
    return [e["result"] for e in lines if e["event"] == "result"]


@pytest.mark.slow
def test_a_replayed_study_resumes_after_a_kill(tmp_path: Path) -> None:
    """Replay against a hand-made table of the digits space, killed once results are journaled,
    then resumed: every seed replayed once, the report saying it was replayed."""
    profile = PROBLEMS["digits"].sized(PROFILES["quick"])
    table = tmp_path / "digits.npz"
    built_table(
        real_space(), profile, lambda p, s, e: 0.5 + 0.01 * ((7 * p + 3 * s + e) % 11)
    ).save(table)
    args = ["--tb-replay", str(table), "--tb-problem", "digits", "--tb-profile", "quick",
            "--tb-tuners", "bayesian", "--tb-seeds", "40"]  # fmt: skip
    journal = _kill_when(tmp_path, args, lambda found: len(_journal_results(found)) >= 6)
    before = {r["seed"] for r in _journal_results(journal)}
    assert 6 <= len(before) < 40

    again = bench("--tb-resume", *args, output=tmp_path)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    results = load_results(next(tmp_path.glob("tunerbench-*.json")))
    seeds = sorted(r.identity.seed for r in results)
    assert seeds == list(range(1, 41))  # each once: none lost at the kill, none twice
    assert all(r.identity.mode == "replay" and r.identity.table_seeds == 3 for r in results)
    assert "Replayed against table" in again.stdout


@pytest.mark.slow
def test_tabulate_then_replay_from_the_command_line(tmp_path: Path) -> None:
    """The whole path a user takes: a real table of digits at the quick profile (one training
    seed per point; the Keras model and scikit-learn's estimator, as every tuner is asked),
    then tuners of both replayed against it; a second tabulation trains nothing."""
    args = ["--tb-problem", "digits", "--tb-profile", "quick"]
    made = bench("--tb-tabulate", "--tb-table-seeds", "1", *args, output=tmp_path)
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-3000:]
    (table,) = tmp_path.glob("tables/*.npz")
    assert "48 cells trained now" in made.stdout  # 24 points, each framework
    (journal,) = tmp_path.glob("runs/*/journal.jsonl")
    cells = [json.loads(line) for line in journal.read_text().splitlines()]
    assert sorted((c["framework"], c["point"]) for c in cells if c["event"] == "cell") == [
        (f, p) for f in ("keras", "sklearn") for p in range(24)
    ]
    again = bench("--tb-tabulate", "--tb-table-seeds", "1", *args, output=tmp_path)
    assert again.returncode == 0 and "0 cells trained now" in again.stdout
    replayed = bench("--tb-replay", str(table), "--tb-tuners", "random,sklearn", "--tb-seeds",
                     "3", *args, output=tmp_path / "replay")  # fmt: skip
    assert replayed.returncode == 0, replayed.stdout[-3000:] + replayed.stderr[-3000:]
    results = load_results(next((tmp_path / "replay").glob("tunerbench-*.json")))
    assert sorted((r.identity.tuner, r.identity.seed) for r in results) == [
        (t, s) for t in ("random", "sklearn") for s in (1, 2, 3)
    ]
    assert len({r.identity.table_fingerprint for r in results}) == 1  # one table, one study
    # Where the table grows (its cells are kept there), not the replay's own output folder.
    assert {r.identity.table_output for r in results} == {str(tmp_path.resolve())}
