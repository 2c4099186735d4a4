"""One line per finished trial, so a long search is visibly alive and its trend readable."""

from __future__ import annotations

from tunerbench.records.schema import TrialRecord
from tunerbench.search.trial_log import TrialLog


def _fmt(score: float | None) -> str:
    return "failed" if score is None else f"{score:.4f}"


def format_trial(log: TrialLog, record: TrialRecord) -> str:
    status = "" if record.status == "COMPLETED" else f" [{record.status}: {record.message}]"
    return (
        f"[{log.tuner}] trial {len(log.records)}/{log.planned} "
        f"val_accuracy {_fmt(record.val_accuracy)} (best {_fmt(log.best())}), "
        f"{record.epochs or 0} epochs in {record.wall_s:.1f}s, "
        f"elapsed {log.elapsed():.0f}s{status}"
    )
