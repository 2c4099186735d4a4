"""Everything the report shows, assembled per comparison group from saved results.

Each section's data comes from its own module (inputs, decision, sections); figures are drawn
here into HTML fragments (plots), so the template only lays out and formats. Results of
different datasets, profiles or budgets are never mixed: each such group gets its own sections.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from tunerbench.records.run_result import RunResult
from tunerbench.records.schema import Measurements
from tunerbench.report.decision.rope import DEFAULT_ROPE
from tunerbench.report.decision.seed_statistics import RANK_POINTS, SeedStatistics, seed_statistics
from tunerbench.report.decision.upgrade_verdict import VersionsTable, versions_table
from tunerbench.report.decision.verdict import Verdict, verdict
from tunerbench.report.inputs.groups import GroupKey, deduplicate, measured_only, split_groups
from tunerbench.report.inputs.header import RunHeader, run_header
from tunerbench.report.inputs.labels import environment, sort_environments
from tunerbench.report.inputs.objective import GroupObjective, Objective, group_objective
from tunerbench.report.inputs.seed_tables import ExcludedRun, usable_runs
from tunerbench.report.inputs.session_folders import session_folders
from tunerbench.report.plots.anytime import anytime_data, draw_anytime
from tunerbench.report.plots.budget_ranks import draw_budget_ranks
from tunerbench.report.plots.critical_difference import draw_critical_difference
from tunerbench.report.plots.memory import draw_memory, memory_data
from tunerbench.report.plots.refit_curves import draw_refit, refit_data
from tunerbench.report.plots.search_plane import draw_search_plane, search_plane_data
from tunerbench.report.plots.style import to_html
from tunerbench.report.plots.time_breakdown import draw_time, time_data
from tunerbench.report.plots.win_rates import draw_win_rates
from tunerbench.report.sections.leaderboard import Leaderboard, leaderboard
from tunerbench.report.sections.machine_vs_reference import MachineFigures, machine_figures
from tunerbench.report.sections.performance import Performance, performance
from tunerbench.report.sections.reference import ReferenceComparison, reference_comparison
from tunerbench.report.sections.replay_check import ReplayCheck, replay_checks
from tunerbench.report.sections.trials_table import TrialRow, trial_rows


@dataclass(frozen=True)
class EnvironmentStatistics:
    """What one environment's seeds say: the verdict, the statistics behind it, the
    leaderboard marked from the verdict, its figures."""

    verdict: Verdict
    statistics: SeedStatistics
    leaderboard: Leaderboard
    plots: dict[str, str]  # figure name -> embedded HTML ("" where the data cannot draw it)


@dataclass(frozen=True)
class GroupSection:
    """One comparison group's sections, in the order the report shows them."""

    id: str
    key: GroupKey
    header: RunHeader
    environments: list[EnvironmentStatistics]
    excluded: list[ExcludedRun]  # runs left out of everything below, with the reason
    plots: dict[str, str]  # figure name -> embedded HTML
    versions: VersionsTable
    reference: ReferenceComparison
    performance: Performance
    machine: MachineFigures
    trials: list[TrialRow]
    compared_by: GroupObjective  # the objective its figures compare, and who followed another

    @property
    def title(self) -> str:
        return self.key.title

    @property
    def unplaced(self) -> list[ExcludedRun]:
        """Runs left out of an environment that has no usable run at all (so no verdict of
        its own names them)."""
        judged = {e.statistics.environment for e in self.environments}
        return [e for e in self.excluded if e.environment not in judged]


@dataclass(frozen=True)
class MeasurementSection:
    """Measurements of a dataset and profile that no tuner run shares (a session of
    ``--tb-loop-accuracy`` alone): only the Performance section has anything to show."""

    id: str
    key: GroupKey
    performance: Performance
    machine: MachineFigures
    plots: dict[str, str]

    @property
    def title(self) -> str:
        return self.key.title


@dataclass(frozen=True)
class ReportContext:
    generated: str
    sources: list[str]
    warnings: list[str]
    groups: list[GroupSection]
    measurements: list[MeasurementSection]
    rope: float
    replay_checks: list[ReplayCheck]  # replayed groups beside their real runs


def measurement_section(index: int, key: GroupKey, measured: Measurements) -> MeasurementSection:
    speed = performance(key, [], measured)
    return MeasurementSection(
        f"m{index}", key, speed, machine_figures(key, [], speed), {"memory": ""}
    )


PLOTS = ("anytime", "searched", "refit", "time", "memory")


def _plots(runs: list[RunResult], prefix: str, objective: Objective) -> dict[str, str]:
    if not runs:  # every run was left out: nothing to draw
        return dict.fromkeys(PLOTS, "")
    figures = {
        "anytime": draw_anytime(anytime_data(runs)),
        "searched": draw_search_plane(search_plane_data(runs)),
        "refit": draw_refit(refit_data(runs), objective),
        "time": draw_time(time_data(runs)),
        "memory": draw_memory(memory_data(runs)),
    }
    return {name: to_html(fig, f"{prefix}-plot-{name}") for name, fig in figures.items()}


def _statistics(
    key: GroupKey, env: str, runs: list[RunResult], excluded: list[ExcludedRun], prefix: str,
    rope: float, saved_in: dict[str, Path],
) -> EnvironmentStatistics:  # fmt: skip
    stats = seed_statistics(env, runs, rope)
    plots = {"cd": "", "budget": "", "wins": ""}
    if stats.ranks is not None and stats.n_blocks >= 2:
        plots["cd"] = to_html(draw_critical_difference(stats.ranks), f"{prefix}-plot-cd")
    if stats.budget is not None:
        figure = draw_budget_ranks(stats.budget, RANK_POINTS, stats.objective)
        plots["budget"] = to_html(figure, f"{prefix}-plot-budget")
    if len(stats.tuners) > 1 and stats.n_blocks:
        plots["wins"] = to_html(draw_win_rates(stats.win_rates), f"{prefix}-plot-wins")
    judged = verdict(key, stats, runs, [e for e in excluded if e.environment == env], saved_in)
    return EnvironmentStatistics(judged, stats, leaderboard(stats, judged, runs), plots)


def group_section(
    index: int, key: GroupKey, all_runs: list[RunResult], measured: Measurements, rope: float,
    saved_in: dict[str, Path],
) -> GroupSection:  # fmt: skip
    """One group's sections; runs without a usable test accuracy are named and left out.
    ``saved_in``: the folder of each session's results file, for a command that grows it."""
    runs, excluded = usable_runs(all_runs)
    by_env: dict[str, list[RunResult]] = defaultdict(list)
    for run in runs:
        by_env[environment(run)].append(run)
    speed = performance(key, runs, measured)
    compared = group_objective(runs)
    return GroupSection(
        id=f"g{index}",
        key=key,
        header=run_header(all_runs),
        environments=[
            _statistics(key, e, by_env[e], excluded, f"g{index}-e{i}", rope, saved_in)
            for i, e in enumerate(sort_environments(by_env))
        ],
        excluded=excluded,
        plots=_plots(runs, f"g{index}", compared.objective),
        versions=versions_table(runs, rope),
        reference=reference_comparison(key, runs),
        performance=speed,
        machine=machine_figures(key, runs, speed),
        trials=trial_rows(runs),
        compared_by=compared,
    )


def _warnings(duplicates: int, groups: dict[GroupKey, list[RunResult]]) -> list[str]:
    warnings = []
    if duplicates:
        warnings.append(
            f"{duplicates} run(s) appeared in more than one file (same tuner, seed, start time "
            "and machine) and are counted once."
        )
    if len(groups) > 1:
        setups = "; ".join(key.title for key in groups)
        warnings.append(
            f"These files hold {len(groups)} different setups ({setups}). Results of different "
            "datasets, profiles or budgets, or replayed against different tables or none, are "
            "not comparable, so each setup has its own sections below and none of their numbers "
            "are mixed."
        )
    return warnings


def build_context(
    results: list[RunResult],
    sources: list[str],
    measured: Measurements | None = None,
    rope: float = DEFAULT_ROPE,
) -> ReportContext:
    """The context of checked runs and typed measurements (``rendering.render.report_context``
    takes them as ``read_results`` returns them)."""
    results, duplicates = deduplicate(results)
    groups = split_groups(results)
    measured = measured or Measurements()
    return ReportContext(
        generated=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        sources=sources,
        warnings=_warnings(duplicates, groups),
        groups=[
            group_section(index, key, runs, measured, rope, session_folders(sources))
            for index, (key, runs) in enumerate(groups.items())
        ],
        measurements=[
            measurement_section(index, key, measured)
            for index, key in enumerate(measured_only(groups, measured))
        ],
        rope=rope,
        replay_checks=replay_checks(groups),
    )
