"""The equal-budget rule: every tuner gets the training epochs Hyperband spends.

Hyperband's schedule is read from Keras Tuner's own Hyperband oracle, so the numbers written into
the results are the ones the real tuner follows, not a re-derivation that could drift.
"""

from __future__ import annotations

from tunerbench.profiles import Profile
from tunerbench.records.schema import Budget
from tunerbench.space import architectures
from tunerbench.training.loops import Workload

RULE = (
    "Hyperband(max_epochs={max_epochs}, factor={factor}) trains at most {total_epochs} epochs in "
    "{hyperband_trials} trials; every other tuner gets the same epochs as "
    "max_trials = {total_epochs} // {max_epochs} = {max_trials} trials of at most {max_epochs} "
    "epochs each (EarlyStopping on val_loss, patience {patience}, may end a trial sooner)"
)


def hyperband_schedule(max_epochs: int, factor: int) -> list[tuple[int, int, int]]:
    """(bracket, models, epochs trained by each) per round, in Keras Tuner's order.

    A model promoted to a later round resumes from its checkpoint, so it trains only the epochs
    between the previous round's count and this one's.
    """
    import keras_tuner as kt

    # A fixed seed: the schedule does not depend on it, and an oracle without one draws it from
    # Python's global random state, which would shift every search that reads the budget.
    oracle = kt.oracles.HyperbandOracle(
        objective=kt.Objective("val_accuracy", "max"),
        max_epochs=max_epochs,
        factor=factor,
        seed=1,
    )
    rounds = []
    for bracket in reversed(range(oracle._get_num_brackets())):
        previous = 0
        for round_num in range(oracle._get_num_rounds(bracket)):
            epochs = oracle._get_epochs(bracket, round_num)
            rounds.append((bracket, oracle._get_size(bracket, round_num), epochs - previous))
            previous = epochs
    return rounds


def compute_budget(profile: Profile) -> Budget:
    """The profile's budget: the epochs of Hyperband's schedule, shared out as whole trials of at
    most ``max_epochs`` each to every other tuner, so they all train the same epochs at most."""
    schedule = hyperband_schedule(profile.max_epochs, profile.factor)
    trials = sum(models for _, models, _ in schedule)
    total = sum(models * epochs for _, models, epochs in schedule)
    max_trials = max(1, total // profile.max_epochs)
    numbers = {
        "max_epochs": profile.max_epochs,
        "factor": profile.factor,
        "total_epochs": total,
        "hyperband_trials": trials,
        "max_trials": max_trials,
        "patience": profile.patience,
    }
    return Budget(
        rule=RULE.format(**numbers),
        max_epochs_per_trial=profile.max_epochs,
        hyperband_factor=profile.factor,
        hyperband_trials=trials,
        total_epochs=total,
        max_trials=max_trials,
        patience=profile.patience,
    )


def pipeline_workload(n_fit: int, profile: Profile, budget: Budget) -> Workload:
    """The training a pipeline of ``n_fit`` rows with ``profile`` and its ``budget`` will do,
    for its loop's choices (the reference space's architectures: only its loops read it)."""
    return Workload(n_fit, profile.batch_size, budget.total_epochs, architectures())
