"""The best value of a run's objective found so far, trial after trial: what the ranks over the
budget (the decision) and the anytime figure (the plots) both read, so the two cannot differ."""

from __future__ import annotations

from tunerbench.records.schema import TrialRecord


def best_so_far(
    trials: list[TrialRecord], axis: str, *, maximize: bool
) -> tuple[list[float], list[float]]:
    """The best objective value so far (a trial's ``val_accuracy`` holds it), the highest or
    the lowest by ``maximize``, against wall seconds (``"wall"``) or cumulative epochs."""
    better = max if maximize else min
    xs, ys, best, epochs = [], [], None, 0
    for trial in sorted(trials, key=lambda t: t.finished_at_s):
        epochs += trial.epochs or 0
        if trial.val_accuracy is not None:
            best = trial.val_accuracy if best is None else better(best, trial.val_accuracy)
        if best is None:
            continue
        xs.append(trial.finished_at_s if axis == "wall" else float(epochs))
        ys.append(best)
    return xs, ys
