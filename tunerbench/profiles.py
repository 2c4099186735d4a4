"""Run profiles: the reference run's setup, and a small one for quick checks and CI."""

from __future__ import annotations

from dataclasses import dataclass

from tunerbench.choices import Choices


@dataclass(frozen=True)
class Profile:
    """Everything about a run's size that is not the tuner: budget, refit length, data size.

    ``max_epochs`` and ``factor`` are Hyperband's; the other tuners get the same total number of
    training epochs (see ``tunerbench.search.budget``), with each trial capped at ``max_epochs``.
    """

    name: str
    max_epochs: int
    factor: int
    refit_epochs: int
    patience: int
    batch_size: int
    validation_fraction: float
    train_subset: int | None
    test_subset: int | None
    summary: str = ""


DEFAULT_PROFILE = "reference"

PROFILES: Choices[Profile] = Choices(
    "profile",
    (
        (p.name, p)
        for p in (
            Profile(
                name="reference",
                max_epochs=10,
                factor=3,
                refit_epochs=30,
                patience=3,
                batch_size=32,
                validation_fraction=0.2,
                train_subset=None,
                test_subset=None,
                summary="the reference run's setup: all of Fashion-MNIST, Hyperband max_epochs=10, "
                "30-epoch refit",
            ),
            Profile(
                name="quick",
                max_epochs=4,
                factor=3,
                refit_epochs=6,
                patience=3,
                batch_size=32,
                validation_fraction=0.2,
                train_subset=3000,
                test_subset=1000,
                summary="3,000 training and 1,000 test images (stratified), Hyperband "
                "max_epochs=4, 6-epoch refit: minutes, not hours",
            ),
        )
    ),
)
