"""Loads tunerbench's pytest plugin (the --tb-* options, the benchmarks of each problem over
tuners and seeds, the session, the report and its verdict), and collects this folder's
measurement modules only when their option asks for them, so a plain run lists none."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tunerbench.pytest_plugin"]

ON_REQUEST = {"test_speed.py": "tb_speed", "test_loop_accuracy.py": "tb_loop_accuracy"}


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    option = ON_REQUEST.get(collection_path.name)
    if collection_path.parent == Path(__file__).parent and option is not None:
        return None if config.getoption(option) else True
    return None
