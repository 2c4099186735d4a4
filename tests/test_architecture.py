"""The package layout's rules: imports follow the data flow, and TensorFlow stays out of the
parts that only read options or results."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "tunerbench"

# What each part may import from tunerbench (besides itself); see ARCHITECTURE.md.
_BASE = {"choices", "references", "profiles", "space", "processes"}
ALLOWED = {
    "records": set(),
    "data": {"profiles", "choices"},
    "problems": {"data", "profiles", "choices", "references"},
    "training": {"records", "data", "problems"} | _BASE,
    "search": {"training", "records", "data", "problems"} | _BASE,
    "pipeline": {"search", "training", "records", "data", "problems"} | _BASE,
    "measurements": {"run", "pipeline", "search", "training", "records", "data", "problems"}
    | _BASE,
    "replay": {"pipeline", "search", "training", "records", "data", "problems"} | _BASE,
    "run": {
        "pipeline", "search", "training", "records", "data", "problems", "report", "replay",
    } | _BASE,
    "report": {
        "records", "choices", "space", "references", "search.registry", "search.frameworks",
        "training.loops", "data", "problems",
    },
}  # fmt: skip


# Inside the report, data flows one way through its layers: each may import (of the report)
# itself and the layers listed; see ARCHITECTURE.md.
REPORT_LAYERS = {
    "inputs": set(),
    "decision": {"inputs"},
    "plots": {"inputs", "decision"},
    "sections": {"inputs", "decision", "plots"},
    "rendering": {"inputs", "decision", "plots", "sections"},
}
# What the decision never loads, however it is imported: what to use is decided alike whatever
# shows it, and the pytest plugin's terminal verdict need not pay for drawing.
NOT_IN_DECISION = ("plotly", "jinja2", "markupsafe")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name.removeprefix("tunerbench.") for name in found if name.startswith("tunerbench.")}


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_imports_follow_the_flow(part: str) -> None:
    allowed = ALLOWED[part] | {part}
    for path in (ROOT / part).rglob("*.py"):
        for name in _imports(path):
            ok = any(name == a or name.startswith(f"{a}.") for a in allowed)
            assert ok, f"{path.relative_to(ROOT)} imports tunerbench.{name}"


@pytest.mark.parametrize("layer", sorted(REPORT_LAYERS))
def test_the_report_layers_import_down_the_flow(layer: str) -> None:
    allowed = REPORT_LAYERS[layer] | {layer}
    for path in (ROOT / "report" / layer).rglob("*.py"):
        for name in _imports(path):
            if name == "report" or name.startswith("report."):
                inner = name.split(".")[1] if "." in name else "report"
                assert inner in allowed, f"{path.relative_to(ROOT)} imports tunerbench.{name}"


def test_every_report_module_is_in_a_layer() -> None:
    report = ROOT / "report"
    assert [p.name for p in report.glob("*.py")] == ["__init__.py"], "a module outside the layers"
    layers = {p.parent.name for p in report.glob("*/__init__.py")}
    assert layers == set(REPORT_LAYERS), "a layer without a rule (or a rule without a layer)"


def test_the_decision_loads_neither_plots_nor_templates() -> None:
    """Every decision module imported in a fresh process: none of them loads plotly, jinja2
    or a later layer of the report, directly or through what it imports."""
    decision = ROOT / "report" / "decision"
    modules = sorted(
        ".".join(("tunerbench", *path.relative_to(ROOT).with_suffix("").parts))
        for path in decision.rglob("*.py")
    )
    later = [f"tunerbench.report.{layer}" for layer in ("plots", "sections", "rendering")]
    code = (
        f"import importlib, sys; [importlib.import_module(m) for m in {modules!r}]; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {NOT_IN_DECISION!r} "
        f"or m.startswith(tuple({later!r}))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", f"the decision loads {done.stdout.strip()}"


def test_every_package_has_its_rule() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages == set(ALLOWED), "a package without a rule (or a rule without a package)"


def test_options_registries_and_report_load_without_tensorflow() -> None:
    modules = [
        "tunerbench.run.options", "tunerbench.run.session",
        "tunerbench.report.rendering.written_report",
        "tunerbench.search.registry", "tunerbench.training.loops", "tunerbench.data.datasets",
        "tunerbench.problems.builtin", "tunerbench.pytest_plugin", "tunerbench.cli",
    ]  # fmt: skip
    code = (
        f"import importlib, sys; [importlib.import_module(m) for m in {modules!r}]; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', "
        "'keras_tuner'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
