"""Loads tunerbench's pytest plugin: the --tb-* options, the benchmarks of each problem over
tuners and seeds, the session, the report and its verdict."""

pytest_plugins = ["tunerbench.pytest_plugin"]
