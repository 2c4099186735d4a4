"""The rendered report as a whole: every section there, self-contained, escaped, and one-line
errors for bad input. (Section figures are checked on their data in test_report_sections.)"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from reporting import SESSION, recorded, study

from tunerbench.cli import main
from tunerbench.records.results_file import FORMAT_VERSION, session_document
from tunerbench.records.run_result import RunResult
from tunerbench.report.inputs.results_files import ReportError
from tunerbench.report.rendering import render
from tunerbench.report.rendering.render import render_html, render_verdict, report_context

HOSTILE = "<script>alert(1)</script>"
HEADINGS = (
    "Run", "Leaderboard", "Anytime performance", "Where each tuner searched", "Best-epoch refit",
    "Time breakdown", "TensorFlow versions side by side",
    "The reference run beside this one (Hyperband)", "Performance", "All trials",
)  # fmt: skip


@pytest.fixture(scope="module")
def results() -> list[RunResult]:
    return recorded()


@pytest.fixture(scope="module")
def page(results: list[RunResult]) -> str:
    return render_html(results, [str(SESSION)])


def test_every_section_and_figure_is_there(page: str) -> None:
    for heading in HEADINGS:
        assert f">{heading}</h3>" in page
    figures = re.findall(r'id="g0-plot-(anytime|searched|refit|time|memory)"', page)
    assert sorted(figures) == ["anytime", "memory", "refit", "searched", "time"]
    assert page.count('<table class="trials sortable"') == 1 and "<details>" in page


def test_self_contained(page: str) -> None:
    assert not re.search(r"<script[^>]+src=", page)
    assert "<link" not in page
    assert "Plotly" in page  # the library itself is inlined


def test_hostile_strings_are_escaped(results: list[RunResult]) -> None:
    """Text from result files reaches tables and figure labels escaped. Plotly writes ``<`` as
    ``\\u003c`` in its figure JSON, so a label that skipped escaping would show there."""
    evil = copy.deepcopy(results)
    for result in evil:
        result.search.best_hyperparameters[HOSTILE] = HOSTILE
        result.provenance.versions["tensorflow"] = HOSTILE
        result.provenance.machine["cpu"] = HOSTILE
        for trial in result.search.trials:
            trial.hyperparameters[HOSTILE] = 1
            trial.message = HOSTILE
            trial.trial_id = f"{trial.trial_id}{HOSTILE}"
    page = render_html(evil + [copy.deepcopy(r) for r in results], [HOSTILE])
    assert HOSTILE not in page
    assert "\\u003cscript" not in page  # no raw tag inside any figure's JSON either
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_failed_trials_are_shown(results: list[RunResult]) -> None:
    failing = copy.deepcopy(results)
    trial = failing[0].search.trials[0]
    trial.status, trial.val_accuracy = "FAILED", None
    trial.message = "keras_tuner.src.errors.FailedTrialError: training loss became nan at epoch 1"
    page = render_html(failing, ["x"])
    assert '<td class="text failed">FAILED: keras_tuner.src.errors.FailedTrialError' in page
    assert '"name":"failed trial"' in page


def _error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("tunerbench: error: ")
    return err


def test_bad_inputs_give_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = str(tmp_path / "r.html")
    missing = tmp_path / "missing.json"
    assert f"{missing}: no such file" in _error(["report", str(missing), "-o", out], capsys)
    cases = {
        "notjson.json": ("{oops", "not JSON"),
        "other.json": (json.dumps({"hello": "world"}), "not a tunerbench results file"),
    }
    document = json.loads(SESSION.read_text())
    document["results"][0].update(trials=[], n_trials=0, search_epochs=0)
    cases["notrials.json"] = (json.dumps(document), "has no trials")
    document = json.loads(SESSION.read_text())
    del document["results"][1]["phases"]
    cases["shape.json"] = (json.dumps(document), "(result: missing field phases)")
    document = json.loads(SESSION.read_text())
    document["version"] = FORMAT_VERSION + 1
    cases["newer.json"] = (json.dumps(document), "is newer than this tunerbench reads")
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text)
        assert message in _error(["report", str(tmp_path / name), "-o", out], capsys)
    blocker = tmp_path / "afile"
    blocker.write_text("")
    err = _error(["report", str(SESSION), "-o", str(blocker / "r.html")], capsys)
    assert "cannot write the report" in err
    assert not Path(out).exists()


def test_a_measurement_not_of_its_shape_is_refused_before_anything_is_computed(
    results: list[RunResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Measurements handed in without being read from a file are typed first, one line naming
    the field; nothing after that check is rewritten as bad input."""
    speed = {"kind": "epoch_speed", "dataset": "digits", "profile": "quick", "units": "many"}
    with pytest.raises(ReportError, match=r"^cannot render a report from x\.json \(measurement"):
        report_context(results, ["x.json"], [speed])

    def broken(*args: object) -> None:
        raise ValueError("a bug in a section")

    monkeypatch.setattr(render, "build_context", broken)
    with pytest.raises(ValueError, match="a bug in a section"):
        render_html(results, ["x.json"], [])


def test_templates_compute_no_figures_and_name_no_state_by_string() -> None:
    """Every conversion and orientation is made in Python or a named filter, and every state is
    compared by its enum: no template multiplies, divides or negates, nor compares a value with
    a string literal (a misspelt string would never match, silently)."""
    block = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)
    string = re.compile(r"\"[^\"]*\"|'[^']*'")
    arithmetic = re.compile(r"[*/]|(^|[\s(\[,])-\s*[A-Za-z_(]|\w\s+-\s+\w")
    literal = re.compile(r"(==|!=)\s*\"\"|\"\"\s*(==|!=)|\"\"\s+(not\s+)?in\s")
    templates = Path(__file__).resolve().parent.parent / "report_templates"
    found = []
    for path in sorted(templates.rglob("*.j2")):
        for match in block.finditer(path.read_text()):
            expression = string.sub('""', (match.group(1) or match.group(2)).strip("-+ \n"))
            if arithmetic.search(expression) or literal.search(expression):
                found.append(f"{path.name}: {expression}")
    assert found == []


def test_report_command_needs_no_tensorflow(tmp_path: Path) -> None:
    code = (
        "import sys; from tunerbench.cli import main; "
        f"main(['report', {str(SESSION)!r}, '-o', {str(tmp_path / 'r.html')!r}]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("[]")
    assert (tmp_path / "r.html").stat().st_size > 100_000


def test_every_package_is_shipped() -> None:
    repo = Path(__file__).resolve().parent.parent
    listed = set(
        tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(repo).parts)
        for init in (repo / "tunerbench").rglob("__init__.py")
    }
    templates = {"tunerbench.report_templates", "tunerbench.report_templates.sections"}
    assert found | templates == listed


@pytest.mark.slow
def test_a_plain_install_renders_reports(tmp_path: Path) -> None:
    """Not only an editable install: the templates ship inside the wheel."""
    repo = Path(__file__).resolve().parent.parent
    source = tmp_path / "src"
    for name in ("tunerbench", "report_templates"):
        shutil.copytree(repo / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(repo / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    wheels = tmp_path / "dist"
    subprocess.run([*pip, "wheel", "--no-deps", "-w", wheels, source], check=True, cwd=source)
    target = tmp_path / "installed"
    wheel = next(wheels.glob("tunerbench-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", target, wheel], check=True)
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = "import importlib.resources as r; print(r.files('tunerbench.report_templates'))"
    where = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert where.stdout.strip().startswith(str(target)), where.stderr
    out = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "tunerbench", "report", SESSION, "-o", out],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = out.read_text()
    assert '<h3 id="g0-leaderboard">' in page and '<h3 id="g0-performance">' in page


def _saved(runs: list[RunResult], path: Path) -> str:
    path.write_text(json.dumps(session_document(runs, "2026-01-01T00:00:00+00:00")))
    return str(path)


def test_fail_on_change_gates_an_upgrade(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    old = _saved(study({"random": 0.0, "hyperband": 0.0}, 10, tensorflow="2.15.1"), tmp_path / "a")
    same = _saved(study({"random": 0.0, "hyperband": 0.0}, 10), tmp_path / "b")
    moved = _saved(study({"random": 0.03, "hyperband": 0.0}, 10), tmp_path / "c")
    out = str(tmp_path / "r.html")
    assert main(["report", old, same, "-o", out, "--fail-on-change"]) == 0
    assert "hyperband under TF 2.21.0" in capsys.readouterr().out
    assert main(["report", old, moved, "-o", out, "--fail-on-change"]) == 1
    err = capsys.readouterr().err
    assert "a result changed with the upgrade" in err and "random under TF 2.21.0" in err
    assert (tmp_path / "r.verdict.md").read_text().startswith("# tunerbench verdict")
    assert main(["report", old, "-o", out]) == 0  # no gate asked: one version is fine
    capsys.readouterr()
    assert "at least two TensorFlow versions" in _error(
        ["report", old, "-o", out, "--fail-on-change"], capsys
    )
    assert "--rope must be a fraction" in _usage(["report", old, "--rope", "2"], capsys)


def _usage(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    return capsys.readouterr().err


def test_the_verdict_markdown_is_escaped(results: list[RunResult]) -> None:
    evil = copy.deepcopy(results)
    for result in evil:
        result.provenance.versions["tensorflow"] = HOSTILE
    context = report_context(evil, [HOSTILE])
    assert HOSTILE not in render_verdict(context)  # a job summary renders HTML
    assert HOSTILE in render_verdict(context, markdown=False)  # the terminal shows it as text


def test_the_inlined_plotly_bundle_draws_every_trace_the_report_uses() -> None:
    """The report inlines plotly.js's cartesian bundle, not the full one: every trace type a
    figure asks for must be registered in it, and it must be the plotly.js the installed
    plotly package writes figures for."""
    import plotly.offline

    from tunerbench.report.rendering.templates import PLOTLY_BUNDLE, template_source

    bundle = template_source(PLOTLY_BUNDLE)
    version = re.search(r"plotly\.js \(cartesian - minified\) v([0-9.]+)", bundle[:300])
    full = re.search(r"plotly\.js v([0-9.]+)", plotly.offline.get_plotlyjs()[:300])
    assert version is not None and full is not None and version.group(1) == full.group(1)
    registered = set(re.findall(r'moduleType:"trace",name:"([a-z0-9]+)"', bundle))
    plots = Path(__file__).resolve().parent.parent / "tunerbench" / "report" / "plots"
    drawn = {
        m.lower() for p in plots.glob("*.py") for m in re.findall(r"go\.(\w+)\(", p.read_text())
    }
    used = drawn - {"figure"}
    assert used and used <= registered, used - registered
    assert len(render_html(recorded(), ["recorded.json"]).encode()) < 2_000_000
