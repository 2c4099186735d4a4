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


def test_every_package_has_its_rule() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages == set(ALLOWED), "a package without a rule (or a rule without a package)"


def test_options_registries_and_report_load_without_tensorflow() -> None:
    modules = [
        "tunerbench.run.options", "tunerbench.run.session", "tunerbench.report.render",
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
