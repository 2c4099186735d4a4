"""``python -m tunerbench``: commands that work on saved results only (no TensorFlow import)."""

from __future__ import annotations

import argparse
import sys

from tunerbench.records.results_file import ResultsError
from tunerbench.report.render import ReportError, write_report


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tunerbench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser(
        "report",
        help="render saved results into one HTML report",
        description="Merge tunerbench results files and pytest-benchmark JSON into one report.",
    )
    report.add_argument("files", nargs="+", metavar="RESULTS.json", help="results files to merge")
    report.add_argument(
        "-o", "--output", default="reports/index.html", help="report path (default %(default)s)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        out = write_report(args.files, args.output)
    except (ResultsError, ReportError) as exc:
        print(f"tunerbench: error: {exc}", file=sys.stderr)
        return 2
    print(f"report written to {out}")
    return 0
