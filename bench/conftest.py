"""Loads tunerbench's pytest plugin (the --tb-* options, the benchmarks of each problem over
tuners and seeds, the session, the report and its verdict), and collects this folder's
measurement, tabulation and replay modules only when their option asks for them (the last two
instead of the pipelines), so a plain run lists none of them."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tunerbench.pytest_plugin"]

ON_REQUEST = {
    "test_speed.py": "tb_speed",
    "test_loop_accuracy.py": "tb_loop_accuracy",
    "test_tabulate.py": "tb_tabulate",
    "test_replay.py": "tb_replay",
}
# Tabulating and replaying run instead of the pipelines.
INSTEAD_OF_PIPELINES = ("tb_tabulate", "tb_replay")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.parent != Path(__file__).parent:
        return None
    option = ON_REQUEST.get(collection_path.name)
    if option is not None:
        return None if config.getoption(option) else True
    if collection_path.name == "test_tuners.py":
        return True if any(config.getoption(o) for o in INSTEAD_OF_PIPELINES) else None
    return None
