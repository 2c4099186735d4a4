"""Benchmark problems: what is tuned (data, model family, objective, budget), as plain values.

``Problem`` is the record, ``PROBLEMS`` the built-in ones; a user's benchmark module declares
its own and hands it to ``tunerbench.pytest_plugin.problem_benchmark``.
"""

from tunerbench.problems.problem import Problem

__all__ = ["Problem"]
