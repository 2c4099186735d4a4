"""The README's worked example of one's own problem, run as a user runs it: the example module
copied into a benchmark folder whose conftest.py loads the plugin, then ``pytest`` there."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "test_my_problem.py"


def test_the_worked_example_runs_every_keras_tuner_and_has_a_report_section(
    tmp_path: Path,
) -> None:
    bench = tmp_path / "bench"
    bench.mkdir()
    shutil.copy(EXAMPLE, bench / EXAMPLE.name)
    (bench / "conftest.py").write_text('pytest_plugins = ["tunerbench.pytest_plugin"]\n')
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "bench", "--tb-profile", "quick", "--tb-seeds", "1",
         "--tb-tuners", "random,hyperband,sklearn", "--tb-output", str(out),
         "-p", "no:cacheprovider", "-q"],
        cwd=tmp_path, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # scikit-learn's tuner needs an estimator builder the example does not give: not collected.
    assert "my_digits-random-seed1" in done.stdout and "sklearn-seed1" not in done.stdout
    (results_file,) = out.glob("tunerbench-*.json")
    runs = json.loads(results_file.read_text())["results"]
    assert {(r["problem"], r["tuner"], r["loop"]) for r in runs} == {
        ("my_digits", "random", "keras-default"),
        ("my_digits", "hyperband", "keras-default"),
    }
    assert all(len(r["problem_fingerprint"]) == 16 and r["space_points"] == 16 for r in runs)
    assert {tuple(r["best_hyperparameters"]) for r in runs} == {
        ("units", "dropout", "learning_rate")
    }
    (definition,) = {r["problem_fingerprint"] for r in runs}
    # A declared problem's section names its definition, so two definitions never pool.
    assert f"my_digits [{definition[:8]}], quick profile" in (out / "index.html").read_text()
