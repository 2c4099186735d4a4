"""A report and its verdict written as one pair, from results files or copied elsewhere."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from tunerbench.records.atomic_file import atomic_write_texts
from tunerbench.report.decision.rope import DEFAULT_ROPE
from tunerbench.report.inputs.results_files import ReportError, read_results
from tunerbench.report.rendering.context import ReportContext
from tunerbench.report.rendering.render import page, render_verdict, report_context


@dataclass(frozen=True)
class WrittenReport:
    """A report and its verdict as Markdown, always written as a pair: both go to temporary
    files first, then the verdict is renamed into place and the report last, and both end with
    the same generation line. A kill between the two renames leaves a newer verdict beside the
    older report; their last lines then differ, so a reader can tell, and the next rendering
    writes both again. The report is renamed last: it is the pair's commit."""

    path: Path
    verdict_path: Path  # verdict.md beside index.html, NAME.verdict.md beside NAME.html
    context: ReportContext

    @staticmethod
    def verdict_beside(out: Path) -> Path:
        """Where the verdict of a report at ``out`` goes: a report under another name gets a
        verdict of its own name, so rendering one never overwrites a session's verdict.md."""
        return out.with_name("verdict.md" if out.name == "index.html" else f"{out.stem}.verdict.md")

    @property
    def verdict_text(self) -> str:
        return render_verdict(self.context, markdown=False)

    def save(self, html: str, verdict: str) -> None:
        """Write the pair (a ReportError in one line if it cannot be written)."""
        try:
            atomic_write_texts([(self.verdict_path, verdict), (self.path, html)])
        except OSError as exc:
            raise ReportError(
                f"cannot write the report to {self.path} ({exc.strerror or exc})"
            ) from None


def write_report(
    paths: list[str | Path], out: str | Path, rope: float = DEFAULT_ROPE
) -> WrittenReport:
    """Read every results file, render, and write ``out`` and its verdict beside it as one
    pair (``WrittenReport``)."""
    results, perf = read_results(paths)
    out = Path(out)
    context = report_context(results, [str(p) for p in paths], perf, rope)
    written = WrittenReport(out, WrittenReport.verdict_beside(out), context)
    generation = f"\n<!-- tunerbench generation {uuid.uuid4().hex} -->\n"
    written.save(page(context) + generation, render_verdict(context) + generation)
    return written


def publish(written: WrittenReport, out: Path) -> WrittenReport:
    """A copy of a written report and its verdict at ``out``, written as a pair."""
    copy = WrittenReport(out, WrittenReport.verdict_beside(out), written.context)
    try:
        html = written.path.read_text(encoding="utf-8")
        verdict = written.verdict_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"cannot write the report to {out} ({exc.strerror or exc})") from None
    copy.save(html, verdict)
    return copy
