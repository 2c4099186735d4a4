"""``python -m tunerbench``: commands that work on saved results only (no TensorFlow import)."""

from __future__ import annotations

import argparse
import sys

from tunerbench.records.results_file import ResultsError
from tunerbench.report.decision.rope import DEFAULT_ROPE, parse_rope
from tunerbench.report.inputs.results_files import ReportError
from tunerbench.report.rendering.render import render_upgrade
from tunerbench.report.rendering.written_report import WrittenReport, write_report

CHANGED_EXIT = 1  # like pytest-benchmark's --benchmark-compare-fail: the check failed
UNTOLD_EXIT = 3  # some upgrade could not be told either way: too few seeds per version


def _rope(value: str) -> float:
    try:
        return parse_rope("--rope", value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tunerbench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser(
        "report",
        help="render saved results into one HTML report",
        description="Merge tunerbench results files and pytest-benchmark JSON into one report, "
        "with its verdict as Markdown beside it (verdict.md beside index.html, NAME.verdict.md "
        "beside NAME.html).",
    )
    report.add_argument("files", nargs="+", metavar="RESULTS.json", help="results files to merge")
    report.add_argument(
        "-o", "--output", default="reports/index.html", help="report path (default %(default)s)"
    )
    report.add_argument(
        "--rope",
        type=_rope,
        default=DEFAULT_ROPE,
        help="region of practical equivalence, as a fraction of test accuracy "
        "(default %(default)s: half a point)",
    )
    report.add_argument(
        "--fail-on-change",
        action="store_true",
        help="exit 1 when a tuner's test accuracy (beyond --rope) or a chosen hyperparameter "
        "changes significantly between the TensorFlow versions in the files (a gate for "
        "upgrades); else exit 3 when some tuner's upgrade cannot be told (too few seeds, or "
        "no runs under one of the versions)",
    )
    return parser


def _gate(written: WrittenReport) -> int:
    """--fail-on-change: 1 when any tuner's result changed; else 3 when any tuner's upgrade
    cannot be told (too few seeds, or it ran under one of the versions only), naming them;
    else 0. A gate that passed an untold upgrade would pass it unseen."""
    groups = [g for g in written.context.groups if len(g.versions.environments) > 1]
    if not groups:
        found = sorted({env for g in written.context.groups for env in g.versions.environments})
        print(
            "tunerbench: error: --fail-on-change needs results of at least two TensorFlow "
            f"versions of one setup; these hold {', '.join(found) or 'no tuner runs'}",
            file=sys.stderr,
        )
        return 2
    if not any(g.versions.upgrades for g in groups):
        versions = "; ".join(
            f"{g.versions.environments[0]} and {', '.join(g.versions.environments[1:])}"
            for g in groups
        )
        print(
            f"tunerbench: no tuner ran under both the oldest and a newer version ({versions}), "
            "so nothing can be told about the upgrade",
            file=sys.stderr,
        )
        return UNTOLD_EXIT
    message = render_upgrade(written.context)
    if any(g.versions.changed for g in groups):
        print(f"tunerbench: a result changed with the upgrade\n{message}", file=sys.stderr)
        return CHANGED_EXIT
    untold = [
        f"{u.variant} under {u.environment} (too few seeds)"
        for g in groups
        for u in g.versions.untold
    ]
    untold += [
        f"{name} (ran under only one of {g.versions.environments[0]} and {env})"
        for g in groups
        for name, env in g.versions.unmatched
    ]
    if untold:
        print(
            f"tunerbench: cannot tell whether these survived the upgrade: {'; '.join(untold)}"
            f"\n{message}",
            file=sys.stderr,
        )
        return UNTOLD_EXIT
    print(message)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        written = write_report(args.files, args.output, args.rope)
    except (ResultsError, ReportError) as exc:
        print(f"tunerbench: error: {exc}", file=sys.stderr)
        return 2
    print(f"report written to {written.path}; verdict as Markdown in {written.verdict_path}")
    return _gate(written) if args.fail_on_change else 0
