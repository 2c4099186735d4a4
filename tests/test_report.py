"""The HTML report, rendered from real recorded results in tests/data."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tunerbench.cli import main
from tunerbench.records.results_file import load_results, session_document
from tunerbench.records.schema import RunResult
from tunerbench.report.render import render_html, write_report

DATA = Path(__file__).parent / "data"
SESSION = DATA / "quick-digits-session.json"
BENCHMARK = DATA / "quick-digits-benchmark.json"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def results() -> list[RunResult]:
    return load_results(SESSION)


@pytest.fixture(scope="module")
def page(results: list[RunResult]) -> str:
    return render_html(results, [str(SESSION)])


def _row(page: str, table_class: str, first_cell: str) -> str:
    table = page.split(f'<table class="{table_class}">', 1)[1].split("</table>", 1)[0]
    rows = [r for r in table.split("<tr>") if f'<td class="text">{first_cell}' in r]
    assert rows, f"no row for {first_cell} in {table_class}"
    return rows[0]


def test_every_section_is_there(page: str) -> None:
    for heading in ("Run", "Leaderboard", "Anytime performance", "Where each tuner searched",
                    "Best-epoch refit", "Time breakdown", "TensorFlow versions side by side",
                    "The reference run beside this one (Hyperband)", "All trials"):  # fmt: skip
        assert f">{heading}</h3>" in page
    assert len(re.findall(r'id="g0-plot-(anytime|searched|refit|time)"', page)) == 4


def test_header_names_versions_budget_and_data(page: str, results: list[RunResult]) -> None:
    first = results[0]
    assert first.versions["tensorflow"] in page and first.versions["keras_tuner"] in page
    assert first.budget.rule in page
    assert f"{first.data['n_fit']} training" in page
    assert first.machine["cpu"] in page


def test_leaderboard_numbers_and_best_marks(page: str, results: list[RunResult]) -> None:
    best = max(results, key=lambda r: r.best_val_accuracy)
    row = _row(page, "leaderboard", best.tuner)
    cell = re.search(r'<td class="([^"]*)" data-column="best_val_accuracy">([^<]*)<', row)
    assert cell is not None
    assert cell.group(1) == "best" and cell.group(2) == f"{best.best_val_accuracy:.4f}"
    fastest = min(results, key=lambda r: r.phases["search"].wall_s)
    row = _row(page, "leaderboard", fastest.tuner)
    assert re.search(r'<td class="best" data-column="search_wall_s">', row)
    for result in results:
        row = _row(page, "leaderboard", result.tuner)
        assert f"{result.test_accuracy:.4f}" in row
        assert f"units={result.best_hyperparameters['units']}" in row


def test_reference_and_trial_table(page: str, results: list[RunResult]) -> None:
    reference = page.split('<table class="reference">', 1)[1].split("</table>", 1)[0]
    assert "0.8864" in reference and "0.8894" in reference and ">176<" in reference
    hyperband = next(r for r in results if r.tuner == "hyperband")
    assert f"{hyperband.best_val_accuracy:.4f}" in reference
    assert "not comparable" in page  # digits/quick is not the reference setup
    trials = page.split('<table class="trials">', 1)[1].split("</table>", 1)[0]
    assert trials.count("<tr>") == 1 + sum(len(r.trials) for r in results)
    assert "<details>" in page


def test_self_contained(page: str) -> None:
    assert not re.search(r"<script[^>]+src=", page)
    assert "<link" not in page
    assert "Plotly" in page  # the library itself is inlined


def test_hostile_strings_are_escaped(results: list[RunResult]) -> None:
    evil = copy.deepcopy(results)
    for result in evil:
        result.best_hyperparameters[HOSTILE] = HOSTILE
        result.versions["tensorflow"] = HOSTILE
        result.machine["cpu"] = HOSTILE
        for trial in result.trials:
            trial.hyperparameters[HOSTILE] = 1
            trial.message = HOSTILE
    page = render_html(evil, [HOSTILE])
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_seeds_and_versions_are_summarised(results: list[RunResult]) -> None:
    """Two seeds give mean ± sd and mean ranks; a second TensorFlow version gives differences."""
    second_seed = copy.deepcopy(results)
    for result in second_seed:
        result.seed = 2
        result.test_accuracy = round(result.test_accuracy - 0.01, 6)
    other_tf = copy.deepcopy(results)
    for result in other_tf:
        result.versions["tensorflow"] = "2.15.1"
        result.versions["keras"] = "2.15.0"
        result.test_accuracy = round(result.test_accuracy - 0.02, 6)
    page = render_html(results + second_seed + other_tf, ["a", "b", "c"])
    assert "±" in page and "(2 seeds)" in page
    assert "<h4>TF 2.15.1 / Keras 2.15.0</h4>" in page
    assert "<h4>TF 2.21.0 / Keras 3.15.1</h4>" in page
    versions = page.split('<table class="versions">', 1)[1].split("</table>", 1)[0]
    # The newer version is 1.5 points better on average (mean of -0.01 and 0 against -0.02).
    assert ">1.50<" in versions


def test_mixed_setups_are_reported_apart(results: list[RunResult]) -> None:
    other = copy.deepcopy(results)
    for result in other:
        result.dataset = "fashion_mnist"
    page = render_html(results + other, ["a", "b"])
    assert "2 different setups" in page
    assert "<h2>digits, quick profile" in page and "<h2>fashion_mnist, quick profile" in page


def test_benchmark_json_and_session_file_merge_once(tmp_path: Path) -> None:
    out = write_report([SESSION, BENCHMARK], tmp_path / "report.html")
    page = out.read_text()
    assert "appeared in more than one file" in page
    assert len(load_results(BENCHMARK)) == len(load_results(SESSION))


def _error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("tunerbench: error: ")
    return err


def test_bad_inputs_give_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = str(tmp_path / "r.html")
    missing = tmp_path / "missing.json"
    assert f"{missing}: no such file" in _error(["report", str(missing), "-o", out], capsys)
    not_json = tmp_path / "notjson.json"
    not_json.write_text("{oops")
    assert f"{not_json}: not JSON" in _error(["report", str(not_json), "-o", out], capsys)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": "world"}))
    assert f"{other}: not a tunerbench results file" in _error(
        ["report", str(other), "-o", out], capsys
    )
    no_trials = tmp_path / "notrials.json"
    document = json.loads(SESSION.read_text())
    document["results"][0]["trials"] = []
    no_trials.write_text(json.dumps(document))
    assert "has no trials" in _error(["report", str(no_trials), "-o", out], capsys)
    wrong_shape = tmp_path / "shape.json"
    document = json.loads(SESSION.read_text())
    del document["results"][1]["phases"]
    wrong_shape.write_text(json.dumps(document))
    assert "missing fields phases" in _error(["report", str(wrong_shape), "-o", out], capsys)
    blocker = tmp_path / "afile"
    blocker.write_text("")
    err = _error(["report", str(SESSION), "-o", str(blocker / "r.html")], capsys)
    assert "cannot write the report" in err
    assert not Path(out).exists()


def test_report_command_needs_no_tensorflow(tmp_path: Path) -> None:
    code = (
        "import sys; from tunerbench.cli import main; "
        f"main(['report', {str(SESSION)!r}, '-o', {str(tmp_path / 'r.html')!r}]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("[]")
    assert (tmp_path / "r.html").stat().st_size > 100_000


def test_speed_measurements_are_shown_once(tmp_path: Path) -> None:
    """A file with only an epoch-speed record is accepted; the same record in two files counts
    once; the figures reach the Performance section."""
    speed = {"kind": "epoch_speed", "dataset": "digits", "profile": "quick", "units": 176,
             "default_epoch_s": 4.2094, "fast_epoch_s": 0.942, "speedup": 4.469,
             "matmul_gflops": 190.6, "gflop_per_epoch": 43.6, "bound_epoch_s": 0.2288,
             "fast_over_bound": 4.12, "epochs_timed": 6}  # fmt: skip
    only = tmp_path / "speed.json"
    only.write_text(json.dumps({"format": "tunerbench-results", "results": [], "perf": [speed]}))
    page = write_report([SESSION, only, only], tmp_path / "r.html").read_text()
    table = page.split('<table class="perf-epochs">', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 2 and "4.47x" in table and "4.12x" in table


def test_loop_accuracy_is_compared_over_seeds(results: list[RunResult]) -> None:
    """Three default-loop seeds give a range; the fast loop's mean is judged against it."""
    hyperband = next(r for r in results if r.tuner == "hyperband")
    runs = []
    for seed, default_acc, fast_acc in ((1, 0.80, 0.81), (2, 0.82, 0.90), (3, 0.84, 0.92)):
        default, fast = copy.deepcopy(hyperband), copy.deepcopy(hyperband)
        default.loop, default.seed, default.test_accuracy = "keras-default", seed, default_acc
        fast.seed, fast.test_accuracy = seed, fast_acc
        runs += [default, fast]
    page = render_html(runs, ["x"])
    row = _row(page, "perf-accuracy", "hyperband, 1 worker(s)")
    assert "<td>3 / 3</td>" in row
    assert "<td>0.8200 ± 0.0200</td><td>0.8000-0.8400</td><td>0.8767 ± 0.0586</td>" in row
    # Equal val_accuracy lies within the range; a fast test mean of 0.8767 above 0.84 does not.
    assert re.findall(r'<td class="text">(yes|no)</td>', row) == ["yes", "no"]


def test_a_plain_install_renders_reports(tmp_path: Path) -> None:
    """Not only an editable install: the templates ship inside the wheel."""
    repo = Path(__file__).resolve().parent.parent
    source = tmp_path / "src"
    for name in ("tunerbench", "report_templates"):
        shutil.copytree(repo / name, source / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(repo / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", tmp_path / "dist",
                    source], check=True, cwd=source)  # fmt: skip
    target = tmp_path / "installed"
    wheel = next((tmp_path / "dist").glob("tunerbench-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", target, wheel], check=True)
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = "import importlib.resources as r; print(r.files('tunerbench.report_templates'))"
    where = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.strip().startswith(str(target))
    out = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "tunerbench", "report", SESSION, "-o", out],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = out.read_text()
    assert '<h3 id="g0-leaderboard">' in page and '<h3 id="g0-performance">' in page


def test_speeds_are_compared_only_within_one_session(results: list[RunResult]) -> None:
    """A fast run and a default-loop run from different sessions were not measured side by side:
    no speed-up is computed from them; the pair from one session is."""
    hyperband = next(r for r in results if r.tuner == "hyperband")
    runs = []
    sessions = [("c", "fast", 0.91), ("c", "keras-default", 0.92), ("a", "fast", 0.81),
                ("b", "keras-default", 0.82)]  # fmt: skip
    for minute, (session, loop, accuracy) in enumerate(sessions):
        run = copy.deepcopy(hyperband)
        run.session, run.loop, run.test_accuracy = session, loop, accuracy
        run.started_at = f"2026-11-28T10:0{minute}:00+00:00"  # four distinct runs
        runs.append(run)
    page = render_html(runs, ["x"])
    table = page.split('<table class="perf-loops">', 1)[1].split("</table>", 1)[0]
    assert "<td>0.9200</td><td>0.9100</td>" in table  # default, fast of session c
    assert table.count("<tr>") == 2  # the header and the pair of session c


def test_runs_saved_without_a_session_pair_only_within_their_file(
    results: list[RunResult], tmp_path: Path
) -> None:
    """Older files have no session field: a fast run in one file and a default-loop run in
    another are not paired; the same two runs in one file are."""
    fast = copy.deepcopy(next(r for r in results if r.tuner == "hyperband"))
    default = copy.deepcopy(fast)
    default.loop, default.started_at = "keras-default", "2026-11-28T10:09:00+00:00"
    files = []
    for name, runs in (("fast", [fast]), ("default", [default]), ("both", [fast, default])):
        document = session_document(runs, "2026-11-28T10:00:00+00:00")
        for record in document["results"]:
            del record["session"]
        files.append(tmp_path / f"{name}.json")
        files[-1].write_text(json.dumps(document))
    apart = write_report(files[:2], tmp_path / "apart.html").read_text()
    assert '<table class="perf-loops">' not in apart
    together = write_report(files[2:], tmp_path / "together.html").read_text()
    assert '<table class="perf-loops">' in together
