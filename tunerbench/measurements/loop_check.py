"""Do the two loops train equally well? The reference model with fixed hyperparameters (the
reference run's choice: units 176, learning rate 1e-3) through the refit and final phases of a
profile, under one loop and one seed, in a process of its own. ``--tb-loop-accuracy`` runs both
loops over seeds 1..N and the report compares them paired by seed."""

from __future__ import annotations

from typing import Any

from tunerbench.records.schema import LoopAccuracy
from tunerbench.space import REFERENCE_LEARNING_RATE, REFERENCE_UNITS


def loop_accuracy_task(
    dataset: str, data_dir: str | None, profile: str, loop: str, seed: int, emit: Any = None
) -> dict[str, Any]:
    """One (loop, seed): the refit's val_accuracy curve, its best epoch, and the final fit of a
    new model for that many epochs, evaluated on the test set; phases seeded as a pipeline's.
    Returns the record as written, as a process of its own returns it."""

    from tunerbench.data.datasets import load_dataset
    from tunerbench.data.holdout import make_split
    from tunerbench.measurements.reference_model import reference_model_of
    from tunerbench.pipeline.phases import KerasPhases, timed_phase
    from tunerbench.pipeline.seeds import phase_seeds
    from tunerbench.problems.builtin import reference_mlp
    from tunerbench.profiles import PROFILES

    split = make_split(load_dataset(dataset, data_dir), PROFILES[profile])
    hypermodel, hp = reference_model_of(loop, split, PROFILES[profile])
    problem = reference_mlp(dataset)
    assert problem is not None, f"{dataset} is not a reference MLP's problem"
    phases = KerasPhases(PROFILES[profile], problem, hypermodel.num_classes)
    seeds = phase_seeds(seed)
    curve, refit = timed_phase(
        seeds["refit"], lambda: phases.refit_curve(hypermodel, hp, split, seeds["refit"])
    )
    best_epoch = problem.best_epoch(curve)
    (accuracy, loss), final = timed_phase(
        seeds["final"], lambda: phases.final(hypermodel, hp, split, best_epoch, seeds["final"])
    )
    return LoopAccuracy(
        dataset=dataset,
        profile=profile,
        loop=loop,
        seed=seed,
        units=REFERENCE_UNITS,
        learning_rate=REFERENCE_LEARNING_RATE,
        phase_seeds=seeds,
        refit_val_accuracy=[round(float(v), 6) for v in curve],
        best_epoch=best_epoch,
        best_val_accuracy=round(float(max(curve)), 6),
        test_accuracy=round(accuracy, 6),
        test_loss=round(loss, 6),
        refit_wall_s=refit.wall_s,
        final_wall_s=final.wall_s,
    ).to_dict()
